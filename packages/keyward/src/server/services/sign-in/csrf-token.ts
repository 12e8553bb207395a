/**
 * CSRF tokens of the sign-in forms (OWASP CSRF Prevention, signed double-submit): the token is the
 * SHA-256 of the pre-session cookie's secret under a fixed label, so a form is accepted only with
 * the token made for the cookie the browser sends. Another site can make the browser send the
 * cookie but can read neither the cookie nor the page, so it cannot know the token. Compared in
 * constant time. The token is not the cookie itself, so a page that leaks (a cache, a screenshot)
 * does not leak the cookie.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The CSRF token of the forms shown to the holder of the pre-session secret `preSession`. */
export function csrfTokenFor(preSession: string): string {
  return createHash('sha256').update('keyward sign-in csrf\0').update(preSession).digest('base64url');
}

/** True when `token` is the token of `preSession` (constant-time comparison). False when either is missing. */
export function checkCsrfToken(preSession: string | undefined, token: string | undefined): boolean {
  if (preSession === undefined || token === undefined) return false;
  const expected = Buffer.from(csrfTokenFor(preSession));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
