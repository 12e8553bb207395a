/**
 * What the token endpoint issues besides the access token for a grant on behalf of an end user:
 * the ID token (OIDC Core §3.1.3.3, when `openid` was granted: iss, sub, aud = client_id, exp, iat,
 * auth_time, nonce, at_hash, signed with the server's active key, whose algorithm registration
 * keeps equal to the client's id_token_signed_response_alg) and the rotated refresh token (256
 * random bits, stored only as its SHA-256, bound to the client and the grant's family).
 */
import { randomBytes } from 'node:crypto';
import { buildIdTokenClaims, OAuthError, signIdToken } from '@keyward/core';
import type { ClientRecord } from '../../store/contract.ts';
import type { ServerContext } from '../context.ts';
import { hashOpaqueToken } from './authorization/issue-authorization-code.ts';
import type { EndUserGrant } from './grants/grant.ts';
import { epochSeconds } from '../clock.ts';

/** The user claims each scope allows (OIDC Core §5.4). */
export function claimsForScopes(claims: { name?: string; preferred_username: string; email?: string } | null, scopes: readonly string[]): Record<string, string> {
  if (claims === null) return {};
  return {
    ...(scopes.includes('profile') ? { preferred_username: claims.preferred_username, ...(claims.name !== undefined ? { name: claims.name } : {}) } : {}),
    ...(scopes.includes('email') && claims.email !== undefined ? { email: claims.email } : {}),
  };
}

/** Issues the ID token and the refresh token of `endUser`; returns the extra token response members. */
export async function issueEndUserTokens(ctx: ServerContext, client: ClientRecord, endUser: EndUserGrant, accessToken: string, scopes: readonly string[]): Promise<{ id_token?: string; refresh_token?: string }> {
  const now = epochSeconds(ctx.clock);
  const out: { id_token?: string; refresh_token?: string } = {};
  if (endUser.refresh !== undefined) {
    const token = randomBytes(32).toString('base64url');
    try {
      await ctx.store.authorizations.putRefreshToken({
        tokenHash: hashOpaqueToken(token), clientId: client.clientId, grantId: endUser.grantId, sub: endUser.sub, scopes: [...endUser.refresh.scopes],
        authTime: endUser.authTime, ...(endUser.amr ? { amr: [...endUser.amr] } : {}), ...(endUser.sessionId ? { sessionId: endUser.sessionId } : {}),
        ...(endUser.consentCreatedAt !== undefined ? { consentCreatedAt: endUser.consentCreatedAt } : {}),
        issuedAt: now, expiresAt: endUser.refresh.expiresAt ?? now + ctx.config.authorization.refreshTokenTtl,
      });
    } catch (cause) {
      throw new OAuthError('store_unavailable', { cause });
    }
    out.refresh_token = token;
  }
  if (endUser.idToken) {
    const key = ctx.signingKeys.active();
    const profile = await ctx.signIn.claims(endUser.sub);
    const claims = buildIdTokenClaims({
      issuer: ctx.issuer, subject: endUser.sub, clientId: client.clientId, now, ttl: ctx.config.authorization.idTokenTtl,
      authTime: endUser.authTime, accessToken, alg: key.alg,
      ...(endUser.nonce !== undefined ? { nonce: endUser.nonce } : {}),
      ...(endUser.amr ? { amr: endUser.amr } : {}),
      // No sid: the session id is the sign-in half's secret, never put in a token.
      claims: claimsForScopes(profile, scopes),
    });
    out.id_token = signIdToken(claims, key);
  }
  return out;
}
