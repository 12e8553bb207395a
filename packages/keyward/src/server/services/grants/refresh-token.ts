/**
 * The `refresh_token` grant (RFC 6749 §6) with private_key_jwt client authentication. Refresh
 * tokens are bound to their client, rotated on every use (the old one is used up atomically), and
 * a second use of a rotated token revokes the whole family, refresh and access tokens (RFC 9700
 * §4.14.2). The family keeps the expiry of its first token. A narrower `scope` may be asked for the
 * access token; the new refresh token keeps the original scopes (RFC 6749 §6). A family issued
 * under a consent ends with it (consent-check.ts).
 */
import { OAuthError } from '@keyward/core';
import { consumeOpaqueToken } from '../authorization/issue-authorization-code.ts';
import { requireConsent } from './consent-check.ts';
import { requireClientGrant, type Grant } from './grant.ts';
import { resolveAudience, resolveScopes } from './grant-parameters.ts';
import { revokeGrant } from './revoke-grant.ts';
import { epochSeconds } from '../../clock.ts';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  // RFC 6749 §6: a confidential client MUST authenticate.
  clientAuthentication: 'required',
  async handle({ ctx, form, auth }) {
    if (auth === undefined) throw new OAuthError('auth_missing');
    const client = auth.cached.client;
    requireClientGrant(client, 'refresh_token');
    const token = form.get('refresh_token');
    if (token === undefined) throw new OAuthError('parameter_missing', { detail: 'refresh_token is required' });
    const consumed = await consumeOpaqueToken(token, (hash) => ctx.store.authorizations.consumeRefreshToken(hash));
    if (consumed === undefined) throw new OAuthError('refresh_token_invalid', { detail: 'no such refresh token' });
    const record = consumed.record;
    // RFC 6749 §6: the refresh token is bound to the client it was issued to.
    if (record.clientId !== client.clientId) throw new OAuthError('refresh_token_invalid', { detail: 'the refresh token was issued to another client' });
    if (!consumed.firstUse) {
      // RFC 9700 §4.14.2: reuse of an invalidated refresh token revokes the active one of the family.
      const revoked = await revokeGrant(ctx, record.grantId);
      throw new OAuthError('refresh_token_reused', { detail: `a rotated or revoked refresh token was used again; revoked ${revoked.refreshTokens} refresh token(s) and ${revoked.accessTokens} access token(s) of its family` });
    }
    if (record.expiresAt <= epochSeconds(ctx.clock)) throw new OAuthError('refresh_token_invalid', { detail: 'the refresh token has expired' });
    if (ctx.signIn !== undefined && (await ctx.signIn.claims(record.sub)) === null) {
      await revokeGrant(ctx, record.grantId);
      throw new OAuthError('end_user_unavailable', { detail: 'the end user is unknown or disabled' });
    }
    // RFC 6749 §10.4: the family is worth what the end user's consent allowed (consent-check.ts).
    await requireConsent(ctx, record, 'refresh token');
    // RFC 6749 §6: a requested scope must not exceed the original grant.
    const scopes = resolveScopes(form.get('scope'), record.scopes);
    return {
      client,
      keyThumbprint: auth.verified.key.thumbprint,
      scopes,
      audience: resolveAudience(form.getAll('resource'), ctx.issuer),
      assertions: [{ verified: auth.verified, role: 'client' }],
      endUser: {
        sub: record.sub,
        authTime: record.authTime,
        ...(record.amr ? { amr: record.amr } : {}),
        ...(record.sessionId ? { sessionId: record.sessionId } : {}),
        grantId: record.grantId,
        // OIDC Core §12.2: an ID token may be returned on refresh (without nonce).
        idToken: scopes.includes('openid'),
        refresh: { scopes: record.scopes, expiresAt: record.expiresAt },
        ...(record.consentCreatedAt !== undefined ? { consentCreatedAt: record.consentCreatedAt } : {}),
      },
      afterIssue: () => requireConsent(ctx, record, 'refresh token'),
    };
  },
};
