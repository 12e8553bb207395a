/**
 * Authentication of the server's own protected endpoints (the admin API, the key-distribution
 * endpoint): a Bearer access token (RFC 6750 §2.1) issued by this server, active (checkAccessToken),
 * whose audience is this server alone, and which carries the scope the endpoint needs.
 *
 * The audience rule (RFC 9068 §4, RFC 8707 §2): a token obtained for another resource (`resource=
 * https://orders-api.example`) is in that API's hands, and the API could replay it here; so such a
 * token never works here, even with the right scope. Tokens meant for this server are requested
 * without `resource`, which gives aud = the issuer identifier.
 */
import { OAuthError, parseBearerAuthorization } from '@keyward/core';
import type { ServerContext } from '../context.ts';
import { checkAccessToken, type ActiveToken } from './check-access-token.ts';

/**
 * The Bearer token of `request` (RFC 6750 §2.1), read by @keyward/core's parseBearerAuthorization,
 * the one reader the verifier uses too; `instruction` tells a client that sent none what to send.
 * Throws its refusals: 'token_missing' (401, no Bearer credential offered), 'request_malformed'
 * (400 invalid_request: a malformed credential, or access_token in the query).
 */
export function readRequestBearer(request: Request, instruction: string): string {
  const authorization = request.headers.get('authorization');
  return parseBearerAuthorization(authorization === null ? [] : [authorization], { url: request.url, instruction });
}

/**
 * Returns the active token, or throws OAuthError: 'token_missing' / 'request_malformed'
 * ({@link readRequestBearer}), 'token_invalid' (not ours, unknown, or an audience other than exactly this issuer),
 * 'token_expired', 'token_revoked', 'insufficient_scope' (403, RFC 6750 §3.1). Does NOT check the
 * client behind the token (the admin API also requires it to be enabled).
 */
export async function authenticateServerRequest(ctx: ServerContext, request: Request, scope: string): Promise<ActiveToken> {
  const token = readRequestBearer(request, `send Authorization: Bearer <access token with scope ${scope}>`);
  const active = await checkAccessToken(ctx, token);
  const audience = active.record.audience;
  if (audience.length !== 1 || audience[0] !== ctx.issuer) {
    throw new OAuthError('token_invalid', { detail: `the token's audience is not this server: request it without a resource parameter, so that aud is ${ctx.issuer}` });
  }
  if (!active.record.scope.split(' ').includes(scope)) throw new OAuthError('insufficient_scope', { detail: `the scope ${scope} is required` });
  return active;
}
