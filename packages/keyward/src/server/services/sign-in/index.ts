export type { SignedInUser, SignInPort } from './sign-in-port.ts';
export { createSignInService, type SignInService } from './create-sign-in-service.ts';
export { createSignInThrottle, type SignInThrottle } from './sign-in-throttle.ts';
export { checkPasswordSignIn, type PasswordSignInResult } from './check-password-sign-in.ts';
export { isAllowedReturnTo, RETURN_TO_MAX_LENGTH } from './return-to.ts';
export { checkCsrfToken, csrfTokenFor } from './csrf-token.ts';
export { createSignInCookies, hashSessionId, newCookieSecret, readCookie, type SignInCookies } from './session-cookies.ts';
