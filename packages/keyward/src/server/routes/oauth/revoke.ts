/**
 * POST /revoke (RFC 7009), authenticated with private_key_jwt. 200 for unknown, expired or other
 * invalid tokens (RFC 7009 §2.2). Only the client a token was issued to can revoke it: for a valid
 * token of another client the request is refused (RFC 7009 §2.1) with `unauthorized_client`, reason
 * `token_not_owned`, and nothing is revoked. Refresh tokens (RFC 7009 §2: MUST be supported): the
 * whole grant is revoked, its refresh tokens and the access tokens issued under it (§2.1).
 */
import type { Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { errorResponse } from '../../middleware/errors.ts';
import { incomingOf } from '../../middleware/read-body.ts';
import { readForm } from '../../middleware/read-form.ts';
import { checkAccessToken } from '../../services/check-access-token.ts';
import { authenticateClient, reserveAssertionJti, type AuthTrace } from '../../services/client-authentication.ts';
import { hashOpaqueToken } from '../../services/authorization/issue-authorization-code.ts';
import { revokeGrant } from '../../services/grants/revoke-grant.ts';
import { requestFacts } from '../../middleware/request-id.ts';

/** Registers POST /revoke on `app`. */
export function registerRevokeRoute(app: Hono, ctx: ServerContext): void {
  app.post('/revoke', async (c) => {
    const trace: AuthTrace = { authenticated: false };
    const authorization = c.req.header('authorization');
    const where = requestFacts(c, ctx.config.server.trustProxy);
    try {
      const form = await readForm(c.req.raw, { incoming: incomingOf(c), maxBytes: ctx.config.server.maxBodyBytes });
      const auth = await authenticateClient(ctx, form, authorization, trace, { required: true });
      const clientId = auth!.verified.clientId;
      // RFC 7009 §2.1: token is REQUIRED; token_type_hint is only a hint (ignored: one token type).
      const token = form.get('token');
      if (token === undefined) throw new OAuthError('parameter_missing', { detail: 'the "token" parameter is required' });
      let owned: string | undefined;
      let ownerClientId: string | undefined;
      let grantId: string | undefined;
      try {
        const { record } = await checkAccessToken(ctx, token);
        ownerClientId = record.clientId;
        owned = record.jti;
      } catch (error) {
        if (!(error instanceof OAuthError) || error.reason === 'store_unavailable') throw error;
        // RFC 7009 §2.2: invalid tokens do not cause an error.
      }
      if (owned === undefined && token.length <= 512) {
        // Not an access token of ours: perhaps a refresh token (opaque, looked up by its hash).
        let refresh;
        try {
          refresh = await ctx.store.authorizations.findRefreshToken(hashOpaqueToken(token));
        } catch (cause) {
          throw new OAuthError('store_unavailable', { cause });
        }
        if (refresh !== undefined) {
          ownerClientId = refresh.clientId;
          grantId = refresh.grantId;
        }
      }
      // RFC 7009 §2.1: "verifies whether the token was issued to the client making the revocation
      // request. If this validation fails, the request is refused".
      if (ownerClientId !== undefined && ownerClientId !== clientId) {
        throw new OAuthError('token_not_owned', { detail: 'this token was issued to another client: only its own client can revoke it' });
      }
      await reserveAssertionJti(ctx, auth!.verified);
      if (owned !== undefined) await ctx.store.tokens.revokeToken(owned);
      const revokedGrant = grantId === undefined ? undefined : await revokeGrant(ctx, grantId);
      ctx.audit.write({
        time: new Date(), type: 'token.revoked', clientId, keyThumbprint: auth!.verified.key.thumbprint, ...where,
        details: {
          found: owned !== undefined || grantId !== undefined, ...(owned === undefined ? {} : { token_jti: owned }),
          ...(revokedGrant === undefined ? {} : { grant_id: grantId, refresh_tokens_revoked: revokedGrant.refreshTokens, tokens_revoked: revokedGrant.accessTokens }),
        },
      });
      // RFC 7009 §2.2: 200, empty body.
      return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
    } catch (error) {
      ctx.audit.write({
        time: new Date(), type: 'revocation.refused', reason: error instanceof OAuthError ? error.reason : 'server_error',
        ...(trace.clientId === undefined ? {} : { clientId: trace.clientId }),
        ...(trace.keyThumbprint === undefined ? {} : { keyThumbprint: trace.keyThumbprint }),
        ...where,
        details: { authenticated: trace.authenticated, ...(error instanceof OAuthError && error.detail ? { detail: error.detail } : {}) },
      });
      const scheme = authorization?.trim().split(/\s+/, 1)[0];
      return errorResponse(error, ctx.logger, scheme ? { authScheme: scheme } : {});
    }
  });
}
