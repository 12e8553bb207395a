export { clientCredentialsGrant } from './client-credentials.ts';
export { jwtBearerGrant, JWT_BEARER_GRANT_TYPE } from './jwt-bearer.ts';
export { resolveAudience, resolveScopes } from './grant-parameters.ts';
export type { Grant, GrantRequest, GrantResult } from './grant.ts';
