/**
 * Revokes an authorization grant whole: its access tokens and its refresh-token family. Used when a
 * code or a rotated refresh token is used again (RFC 6749 §4.1.2, RFC 9700 §4.14.2), when a client
 * revokes its refresh token (RFC 7009 §2.1), and when the consent behind the grant is gone.
 */
import type { ServerContext } from '../../context.ts';

/** Revokes every token of an authorization grant (its access tokens and its refresh-token family). */
export async function revokeGrant(ctx: ServerContext, grantId: string): Promise<{ accessTokens: number; refreshTokens: number }> {
  const [accessTokens, refreshTokens] = await Promise.all([ctx.store.tokens.revokeTokensByGrant(grantId), ctx.store.authorizations.revokeRefreshTokens(grantId)]);
  return { accessTokens, refreshTokens };
}
