/**
 * Checks an access token presented to this server (introspection, revocation, the client-keys
 * endpoint): our signature, typ, iss and exp (core/tokens/verifyAccessToken), then the token record
 * (unknown or revoked tokens are not active: RFC 7662 §2.2, RFC 7009 §2).
 */
import { OAuthError } from '@keyward/core';
import { verifyAccessToken, type VerifiedAccessToken } from '@keyward/core';
import type { IssuedTokenRecord } from '../../store/contract.ts';
import type { ServerContext } from '../context.ts';
import { epochSeconds } from '../clock.ts';

/** An active token of this server and its record. */
export interface ActiveToken {
  readonly verified: VerifiedAccessToken;
  readonly record: IssuedTokenRecord;
}

/**
 * Returns the active token, or throws OAuthError 'token_invalid' (not ours, bad signature, unknown
 * record), 'token_expired' or 'token_revoked'. Does NOT check audience or scope.
 */
export async function checkAccessToken(ctx: ServerContext, token: string): Promise<ActiveToken> {
  await ctx.signingKeys.refreshIfStale();
  const verified = verifyAccessToken(token, { keys: ctx.signingKeys.publicKeys(), issuer: ctx.issuer, now: epochSeconds(ctx.clock) });
  let record: IssuedTokenRecord | undefined;
  try {
    record = await ctx.store.tokens.getToken(verified.jti);
  } catch (cause) {
    throw new OAuthError('store_unavailable', { cause });
  }
  if (record === undefined || record.clientId !== verified.clientId) throw new OAuthError('token_invalid', { detail: 'this server has no record of the token' });
  if (record.revoked) throw new OAuthError('token_revoked', { detail: 'the token has been revoked' });
  return { verified, record };
}
