export { clientCredentialsGrant } from './client-credentials.ts';
export { jwtBearerGrant, JWT_BEARER_GRANT_TYPE } from './jwt-bearer.ts';
export { resolveAudience, resolveScopes } from './grant-parameters.ts';
export { authorizationCodeGrant } from './authorization-code.ts';
export { refreshTokenGrant } from './refresh-token.ts';
export type { EndUserGrant, Grant, GrantRequest, GrantResult } from './grant.ts';
