/**
 * Issues an RFC 9068 access token: builds the claims, signs them with the active server key
 * (synchronously), and records the token (jti, client, client key thumbprint, scope, audience,
 * times) so introspection and revocation know it, and revoking a client key revokes its tokens.
 */
import { randomUUID } from 'node:crypto';
import { OAuthError } from '@keyward/core';
import { buildAccessTokenClaims, signAccessToken } from '@keyward/core';
import type { ServerContext } from '../context.ts';
import { epochSeconds } from '../clock.ts';

/** The RFC 6749 §5.1 success body. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope?: string;
}

/**
 * Issues and records one token. `reserve` (the replay reservation of the request's assertions) runs
 * in the same storage round trip as the token record, so a group-committing store writes both in
 * one transaction; when it fails, its error is thrown, the token is never handed out and its record
 * is marked revoked. Throws 'store_unavailable' when the record cannot be written. Does NOT check
 * scopes, audiences or the client: the grant did.
 */
export async function issueAccessToken(ctx: ServerContext, input: { clientId: string; keyThumbprint: string; scopes: readonly string[]; audience: readonly string[]; ttl: number; subject?: string; authTime?: number; grantId?: string }, reserve: () => Promise<void> = async () => undefined): Promise<{ response: TokenResponse; jti: string }> {
  const now = epochSeconds(ctx.clock);
  // RFC 9068 §2.2 jti: 122 random bits (randomUUID draws from a pre-filled entropy pool: cheap per call).
  const jti = randomUUID();
  const claims = buildAccessTokenClaims({
    issuer: ctx.issuer, clientId: input.clientId, audience: input.audience, scopes: input.scopes, now, ttl: input.ttl, jti,
    // RFC 9068 §2.2: sub is the end user for a grant on their behalf; §2.2.1 auth_time.
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    ...(input.authTime !== undefined ? { authTime: input.authTime } : {}),
  });
  const token = signAccessToken(claims, ctx.signingKeys.active());
  const recording = ctx.store.tokens.recordToken({
    jti,
    clientId: input.clientId,
    keyThumbprint: input.keyThumbprint,
    scope: input.scopes.join(' '),
    audience: input.audience,
    issuedAt: now,
    expiresAt: claims.exp,
    revoked: false,
    ...(input.grantId !== undefined ? { grantId: input.grantId } : {}),
  });
  const [reserved, recorded] = await Promise.allSettled([reserve(), recording]);
  if (reserved.status === 'rejected') {
    // The token never leaves the server; its record is only bookkeeping.
    if (recorded.status === 'fulfilled') void ctx.store.tokens.revokeToken(jti).catch(() => undefined);
    throw reserved.reason;
  }
  if (recorded.status === 'rejected') throw new OAuthError('store_unavailable', { cause: recorded.reason });
  return {
    jti,
    response: {
      access_token: token,
      token_type: 'Bearer',
      expires_in: input.ttl,
      ...(input.scopes.length > 0 ? { scope: input.scopes.join(' ') } : {}),
    },
  };
}
