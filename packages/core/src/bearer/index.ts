/** Bearer credentials (RFC 6750): the one header reader and the one status rule of its refusals. */
export { parseBearerAuthorization, type BearerAuthorizationOptions } from './parse-bearer-authorization.ts';
export { mapReasonToBearer } from './map-reason-to-bearer.ts';
