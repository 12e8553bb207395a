/**
 * Admin authentication, the Keyward way: a Bearer access token (RFC 6750 §2.1) issued by this same
 * server to an admin client that authenticated with private_key_jwt, carrying the scope
 * `keyward:admin`. Checked: our signature, issuer and expiry, the token record (not revoked), the
 * audience (this server alone), the scope, and that the admin client still exists and is enabled.
 */
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { authenticateServerRequest } from '../../services/authenticate-server-request.ts';

/** The scope an admin token carries. */
export const ADMIN_SCOPE = 'keyward:admin';

/**
 * Returns the admin client id (the audit actor) or throws OAuthError: 'token_missing' (401, no or
 * non-Bearer Authorization), 'request_malformed' (400, a malformed Bearer credential or a token in
 * the query), 'token_invalid' (401, also a token for another audience) /
 * 'token_expired' / 'token_revoked' (401), 'insufficient_scope' (403, RFC 6750 §3.1).
 */
export async function authenticateAdmin(ctx: ServerContext, request: Request): Promise<string> {
  const { record } = await authenticateServerRequest(ctx, request, ADMIN_SCOPE);
  const admin = await ctx.clients.get(record.clientId);
  if (admin === undefined || admin.client.state !== 'enabled') throw new OAuthError('token_revoked', { detail: 'the admin client of this token is disabled or deleted' });
  return record.clientId;
}
