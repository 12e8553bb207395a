/**
 * Admin authentication, the Keyward way: a Bearer access token (RFC 6750 §2.1) issued by this same
 * server to an admin client that authenticated with private_key_jwt, carrying the scope
 * `keyward:admin`. Checked: our signature, issuer and expiry, the token record (not revoked), the
 * scope, and that the admin client still exists and is enabled.
 */
import { OAuthError } from '../../../core/errors.ts';
import type { ServerContext } from '../../context.ts';
import { checkAccessToken } from '../../services/check-access-token.ts';

/** The scope an admin token carries. */
export const ADMIN_SCOPE = 'keyward:admin';

/**
 * Returns the admin client id (the audit actor) or throws OAuthError: 'token_missing' (401, no or
 * non-Bearer Authorization), 'token_invalid' / 'token_expired' / 'token_revoked' (401),
 * 'insufficient_scope' (403, RFC 6750 §3.1). Does NOT check the token audience.
 */
export async function authenticateAdmin(ctx: ServerContext, authorization: string | undefined): Promise<string> {
  // RFC 6750 §2.1: b64token syntax after "Bearer ".
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec((authorization ?? '').trim());
  if (match === null) throw new OAuthError('token_missing', { detail: `send Authorization: Bearer <access token with scope ${ADMIN_SCOPE}>` });
  const { record } = await checkAccessToken(ctx, match[1]!);
  // RFC 6750 §3.1 insufficient_scope: 403.
  if (!record.scope.split(' ').includes(ADMIN_SCOPE)) throw new OAuthError('insufficient_scope', { detail: `the scope ${ADMIN_SCOPE} is required` });
  const admin = await ctx.clients.get(record.clientId);
  if (admin === undefined || admin.client.state !== 'enabled') throw new OAuthError('token_revoked', { detail: 'the admin client of this token is disabled or deleted' });
  return record.clientId;
}
