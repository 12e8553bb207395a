/**
 * Issues an authorization code (RFC 6749 §4.1.2): 256 random bits, base64url, stored only as its
 * SHA-256, valid 60 s, single use, bound to the client, the redirect URI, the PKCE challenge, the
 * end user (sub, auth_time, amr, session), the granted scopes and the nonce. Each code starts a
 * new authorization grant (`grantId`), the family of the tokens issued from it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { OAuthError } from '@keyward/core';
import type { ConsentGrantRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import type { SignedInUser } from '../sign-in/sign-in-port.ts';
import type { AuthorizationRequest } from './authorization-request.ts';
import { epochSeconds } from '../../clock.ts';

/** RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; FAPI 2.0 §5.3.2.1: 60 s. */
export const CODE_TTL = 60;

/** SHA-256, base64url: how codes and refresh tokens are stored. */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/**
 * Consumes a code or refresh token by its hash with `consume` (the store's single-use step).
 * Undefined for an unknown value, or one longer than any we issue (never hashed or looked up);
 * a store failure is 'store_unavailable'.
 */
export async function consumeOpaqueToken<T>(token: string, consume: (hash: string) => Promise<T | undefined>): Promise<T | undefined> {
  if (token.length > 512) return undefined;
  try {
    return await consume(hashOpaqueToken(token));
  } catch (cause) {
    throw new OAuthError('store_unavailable', { cause });
  }
}

/**
 * Stores a new code for `request` and `user` and returns the code (never logged). `consent` is the
 * end user's consent the code is issued under (none for a client that needs no consent): the code
 * is bound to it, and revoking it makes the code unusable (grants/authorization-code.ts).
 */
export async function issueAuthorizationCode(ctx: ServerContext, request: AuthorizationRequest, user: SignedInUser, consent?: ConsentGrantRecord): Promise<string> {
  // RFC 6749 §10.10 and RFC 9700 §4.5: unguessable; 256 bits (at least 128 required).
  const code = randomBytes(32).toString('base64url');
  await ctx.store.authorizations.putCode({
    codeHash: hashOpaqueToken(code),
    clientId: request.clientId,
    grantId: randomUUID(),
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    sub: user.sub,
    scopes: [...request.scopes],
    ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
    authTime: user.authTime,
    amr: [...user.amr],
    sessionId: user.sessionId,
    ...(consent !== undefined ? { consentCreatedAt: consent.createdAt.getTime() } : {}),
    expiresAt: epochSeconds(ctx.clock) + CODE_TTL,
  });
  return code;
}
