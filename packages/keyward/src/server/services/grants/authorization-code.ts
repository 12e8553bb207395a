/**
 * The `authorization_code` grant (RFC 6749 §4.1.3) with private_key_jwt client authentication and
 * PKCE (RFC 7636 §4.5, §4.6). The code is used up first (atomically: of two concurrent uses
 * exactly one is the first); a second use is refused AND revokes every token already issued from
 * that code, access and refresh (RFC 6749 §4.1.2, RFC 9700 §4.2.4). Then: same client, not
 * expired, the same redirect_uri, BASE64URL(SHA256(code_verifier)) = the code_challenge, the end
 * user still enabled, and the consent the code was issued under not revoked (consent-check.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '@keyward/core';
import { consumeOpaqueToken } from '../authorization/issue-authorization-code.ts';
import { requireConsent } from './consent-check.ts';
import { requireClientGrant, type Grant } from './grant.ts';
import { revokeGrant } from './revoke-grant.ts';
import { resolveAudience } from './grant-parameters.ts';
import { epochSeconds } from '../../clock.ts';

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** RFC 7636 §4.6: S256 comparison, constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  // RFC 6749 §4.1.3: a confidential client MUST authenticate; FAPI 2.0: private_key_jwt.
  clientAuthentication: 'required',
  async handle({ ctx, form, auth }) {
    if (auth === undefined) throw new OAuthError('auth_missing');
    const client = auth.cached.client;
    requireClientGrant(client, 'authorization_code');
    const code = form.get('code');
    // RFC 6749 §4.1.3: code REQUIRED.
    if (code === undefined) throw new OAuthError('parameter_missing', { detail: 'code is required' });
    const consumed = await consumeOpaqueToken(code, (hash) => ctx.store.authorizations.consumeCode(hash));
    if (consumed === undefined) throw new OAuthError('code_invalid', { detail: 'no such authorization code' });
    const record = consumed.record;
    if (!consumed.firstUse) {
      // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server
      // MUST deny the request and SHOULD revoke (when possible) all tokens previously issued based on
      // that authorization code."
      const revoked = await revokeGrant(ctx, record.grantId);
      throw new OAuthError('code_reused', { detail: `the code was already used; revoked ${revoked.accessTokens} access token(s) and ${revoked.refreshTokens} refresh token(s) issued from it` });
    }
    // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated confidential client".
    if (record.clientId !== client.clientId) throw new OAuthError('code_client_mismatch', { detail: 'the code was issued to another client' });
    if (record.expiresAt < epochSeconds(ctx.clock)) throw new OAuthError('code_invalid', { detail: 'the authorization code has expired (codes live 60 s)' });
    // RFC 6749 §4.1.3: redirect_uri REQUIRED when it was in the authorization request, and identical.
    if (form.get('redirect_uri') !== record.redirectUri) {
      throw new OAuthError('redirect_uri_mismatch', { detail: form.get('redirect_uri') === undefined ? 'redirect_uri is required: send the one of the authorization request' : 'redirect_uri differs from the one of the authorization request' });
    }
    // RFC 7636 §4.5: code_verifier; §4.6: the server verifies it against the challenge.
    const verifier = form.get('code_verifier');
    if (verifier === undefined) throw new OAuthError('code_verifier_missing', { detail: 'send the code_verifier of this authorization request' });
    if (!CODE_VERIFIER.test(verifier)) throw new OAuthError('pkce_mismatch', { detail: 'a code_verifier is 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)' });
    if (!verifierMatches(verifier, record.codeChallenge)) throw new OAuthError('pkce_mismatch', { detail: 'BASE64URL(SHA256(code_verifier)) is not the code_challenge' });
    // The end user may have been disabled since the code was issued.
    if (ctx.signIn !== undefined && (await ctx.signIn.claims(record.sub)) === null) throw new OAuthError('end_user_unavailable', { detail: 'the end user is unknown or disabled' });
    // RFC 6749 §10.4: the code is worth what the end user's consent allowed, checked again once the
    // tokens are stored (consent-check.ts).
    await requireConsent(ctx, record, 'code');
    const audience = resolveAudience(form.getAll('resource'), ctx.issuer);
    return {
      client,
      keyThumbprint: auth.verified.key.thumbprint,
      scopes: record.scopes,
      audience,
      assertions: [{ verified: auth.verified, role: 'client' }],
      endUser: {
        sub: record.sub,
        authTime: record.authTime,
        ...(record.amr ? { amr: record.amr } : {}),
        ...(record.sessionId ? { sessionId: record.sessionId } : {}),
        grantId: record.grantId,
        ...(record.nonce !== undefined ? { nonce: record.nonce } : {}),
        idToken: record.scopes.includes('openid'),
        // The per-client setting: a client registered for the refresh_token grant gets one.
        ...(client.grantTypes.includes('refresh_token') ? { refresh: { scopes: record.scopes } } : {}),
        ...(record.consentCreatedAt !== undefined ? { consentCreatedAt: record.consentCreatedAt } : {}),
      },
      afterIssue: () => requireConsent(ctx, record, 'code'),
    };
  },
};
