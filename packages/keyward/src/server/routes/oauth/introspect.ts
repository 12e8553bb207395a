/**
 * POST /introspect (RFC 7662), authenticated with private_key_jwt like the token endpoint. Any
 * authenticated client may introspect (resource servers introspect tokens issued to others).
 * Expired, revoked, unknown and foreign tokens all answer `{ "active": false }` (RFC 7662 §2.2).
 */
import type { Context, Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { errorResponse, jsonNoStore } from '../../middleware/errors.ts';
import { incomingOf } from '../../middleware/read-body.ts';
import { readForm } from '../../middleware/read-form.ts';
import { checkAccessToken } from '../../services/check-access-token.ts';
import { authenticateClient, reserveAssertionJti, type AuthTrace } from '../../services/client-authentication.ts';
import { requestFacts } from '../../middleware/request-id.ts';

/** Registers POST /introspect on `app`. */
export function registerIntrospectRoute(app: Hono, ctx: ServerContext): void {
  app.post('/introspect', async (c) => {
    const trace: AuthTrace = { authenticated: false };
    const authorization = c.req.header('authorization');
    try {
      const form = await readForm(c.req.raw, { incoming: incomingOf(c), maxBytes: ctx.config.server.maxBodyBytes });
      // RFC 7662 §2.1: the protected resource authenticates.
      const auth = await authenticateClient(ctx, form, authorization, trace, { required: true });
      // RFC 7662 §2.1: token is REQUIRED.
      const token = form.get('token');
      if (token === undefined) throw new OAuthError('parameter_missing', { detail: 'the "token" parameter is required' });
      await reserveAssertionJti(ctx, auth!.verified);
      let body: Record<string, unknown> = { active: false };
      try {
        const { verified, record } = await checkAccessToken(ctx, token);
        const claims = verified.claims;
        body = {
          active: true,
          scope: record.scope,
          client_id: record.clientId,
          token_type: 'Bearer',
          exp: claims.exp,
          iat: claims.iat,
          sub: claims.sub,
          aud: claims.aud,
          iss: claims.iss,
          jti: claims.jti,
        };
      } catch (error) {
        if (!(error instanceof OAuthError) || error.reason === 'store_unavailable') throw error;
      }
      ctx.audit.write({
        time: new Date(), type: 'token.introspected', clientId: auth!.verified.clientId, keyThumbprint: auth!.verified.key.thumbprint,
        ...sourceOf(c, ctx), details: { active: body.active },
      });
      return jsonNoStore(body);
    } catch (error) {
      ctx.audit.write({
        time: new Date(), type: 'introspection.refused', reason: error instanceof OAuthError ? error.reason : 'server_error',
        ...(trace.clientId === undefined ? {} : { clientId: trace.clientId }),
        ...(trace.keyThumbprint === undefined ? {} : { keyThumbprint: trace.keyThumbprint }),
        ...sourceOf(c, ctx),
        details: { authenticated: trace.authenticated, ...(error instanceof OAuthError && error.detail ? { detail: error.detail } : {}) },
      });
      const scheme = authorization?.trim().split(/\s+/, 1)[0];
      return errorResponse(error, ctx.logger, scheme ? { authScheme: scheme } : {});
    }
  });
}

function sourceOf(c: Context, ctx: ServerContext): { sourceAddress?: string; requestId?: string } {
  return requestFacts(c, ctx.config.server.trustProxy);
}
