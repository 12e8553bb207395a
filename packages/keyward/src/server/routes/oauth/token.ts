/**
 * POST /token (RFC 6749 §3.2): private_key_jwt client authentication, the `client_credentials` and
 * RFC 7523 §2.1 jwt-bearer grants, RFC 9068 access tokens. Every request, granted or refused, is
 * written to the audit log (client, key thumbprint, reason, source address, time; never a token).
 */
import type { Context, Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { errorResponse, jsonNoStore } from '../../middleware/errors.ts';
import { incomingOf, isCutOff } from '../../middleware/read-body.ts';
import { readForm } from '../../middleware/read-form.ts';
import { requestFacts } from '../../middleware/request-id.ts';
import { authenticateClient, reserveAssertionJti, type AuthTrace } from '../../services/client-authentication.ts';
import { authorizationCodeGrant, clientCredentialsGrant, jwtBearerGrant, refreshTokenGrant, type Grant } from '../../services/grants/index.ts';
import { issueEndUserTokens } from '../../services/issue-end-user-tokens.ts';
import { issueAccessToken } from '../../services/issue-access-token.ts';
import { checkClientRateLimit } from '../../services/rate-limit/check-client-rate-limit.ts';
import { withRetryAfter } from '../../services/rate-limit/create-token-rate-limiter.ts';

/** True when `error` is a replay: jti_replayed itself, or the refusal of a grant JWT it caused. */
function isReplay(error: unknown): boolean {
  for (let e: unknown = error; e instanceof OAuthError; e = e.cause) {
    if (e.reason === 'jti_replayed') return true;
  }
  return false;
}

/** The grants of this server, by grant_type. */
export const GRANTS: ReadonlyMap<string, Grant> = new Map([clientCredentialsGrant, jwtBearerGrant, authorizationCodeGrant, refreshTokenGrant].map((grant) => [grant.grantType, grant]));

/** RFC 8707 §2: `resource` may repeat; nothing else may (RFC 6749 §3.2). */
const REPEATABLE = new Set(['resource']);

/** Registers POST /token on `app`. */
export function registerTokenRoute(app: Hono, ctx: ServerContext): void {
  app.post('/token', async (c) => {
    const trace: AuthTrace = { authenticated: false };
    const authorization = c.req.header('authorization');
    let grantType: string | undefined;
    try {
      const form = await readForm(c.req.raw, { incoming: incomingOf(c), maxBytes: ctx.config.server.maxBodyBytes, repeatable: REPEATABLE });
      grantType = form.get('grant_type')?.slice(0, 128);
      // RFC 6749 §4.4.2: grant_type is REQUIRED.
      if (grantType === undefined) throw new OAuthError('parameter_missing', { detail: 'grant_type is required (for example grant_type=client_credentials)' });
      const grant = GRANTS.get(grantType);
      // RFC 6749 §5.2 unsupported_grant_type.
      if (grant === undefined) {
        // RFC 6749 §5.2: the grant types this server offers are public (discovery lists them too).
        const supported = `supported grant types: ${[...GRANTS.keys()].join(', ')}`;
        throw new OAuthError('grant_type_unsupported', { detail: supported, description: `the grant type is not supported; ${supported}` });
      }
      const auth = await authenticateClient(ctx, form, authorization, trace, { required: grant.clientAuthentication === 'required' });
      const result = await grant.handle({ ctx, form, auth, trace });
      // Per-client rate limit, on the authenticated client only (before its jti is spent).
      await checkClientRateLimit(ctx, result.client.clientId);
      // RFC 7523 §3 (7): reserve each jti only now, after every other check passed (in the same
      // storage round trip as the token record).
      const reserve = async () => {
        await Promise.all(result.assertions.map(async ({ verified, role }) => {
          try {
            await reserveAssertionJti(ctx, verified);
          } catch (error) {
            // RFC 7523 §3.1: a replayed authorization grant JWT is invalid_grant.
            if (role === 'grant' && error instanceof OAuthError && error.reason === 'jti_replayed') {
              throw new OAuthError('grant_assertion_invalid', { detail: `jti_replayed: ${error.detail ?? ''}`, description: 'the authorization grant JWT has already been used', cause: error });
            }
            throw error;
          }
        }));
      };
      const { response, jti } = await issueAccessToken(ctx, {
        clientId: result.client.clientId,
        keyThumbprint: result.keyThumbprint,
        scopes: result.scopes,
        audience: result.audience,
        ttl: result.client.accessTokenTtl > 0 ? result.client.accessTokenTtl : ctx.config.tokens.accessTokenTtl,
        ...(result.endUser ? { subject: result.endUser.sub, authTime: result.endUser.authTime, grantId: result.endUser.grantId } : {}),
      }, reserve);
      // RFC 6749 §4.1.4 / §6 and OIDC Core §3.1.3.3: the refresh token and the ID token.
      const extra = result.endUser ? await issueEndUserTokens(ctx, result.client, result.endUser, response.access_token, result.scopes) : {};
      await result.afterIssue?.();
      ctx.counters.tokensIssued += 1;
      ctx.metrics.recordTokenOutcome({ outcome: 'granted', clientId: result.client.clientId, legacyAudience: trace.legacyAudience === true });
      ctx.audit.write({
        time: new Date(ctx.clock()),
        type: 'token.granted',
        clientId: result.client.clientId,
        keyThumbprint: result.keyThumbprint,
        ...source(c, ctx),
        details: {
          grant_type: grantType,
          token_jti: jti,
          scope: response.scope ?? '',
          aud: result.audience,
          ...(trace.legacyAudience ? { legacy_audience: true } : {}),
          ...(result.endUser ? { sub: result.endUser.sub, grant_id: result.endUser.grantId, id_token: extra.id_token !== undefined, refresh_token: extra.refresh_token !== undefined } : {}),
        },
      });
      // RFC 6749 §5.1: Cache-Control: no-store.
      return jsonNoStore({ ...response, ...extra });
    } catch (error) {
      // Cut at the end of the shutdown grace: the server closed the connection, nobody is waiting
      // for an answer, and the client did nothing wrong: not a refusal.
      if (ctx.lifecycle.stopping && isCutOff(error)) return errorResponse(error, ctx.logger);
      ctx.counters.tokensRefused += 1;
      const reason = error instanceof OAuthError ? error.reason : 'server_error';
      ctx.metrics.recordTokenOutcome({
        outcome: 'refused',
        reason,
        ...(trace.authenticated && trace.clientId !== undefined ? { clientId: trace.clientId } : {}),
        replayed: isReplay(error),
      });
      ctx.audit.write({
        time: new Date(ctx.clock()),
        type: 'token.refused',
        ...(trace.clientId === undefined ? {} : { clientId: trace.clientId }),
        ...(trace.keyThumbprint === undefined ? {} : { keyThumbprint: trace.keyThumbprint }),
        reason,
        ...source(c, ctx),
        details: {
          ...(grantType === undefined ? {} : { grant_type: grantType }),
          authenticated: trace.authenticated,
          ...(error instanceof OAuthError && error.detail ? { detail: error.detail } : {}),
        },
      });
      ctx.logger.info({ request_id: c.get('requestId'), reason, clientId: trace.clientId, authenticated: trace.authenticated }, 'token request refused');
      const scheme = authorization?.trim().split(/\s+/, 1)[0];
      return withRetryAfter(error, errorResponse(error, ctx.logger, scheme ? { authScheme: scheme } : {}));
    }
  });
}

function source(c: Context, ctx: ServerContext): { sourceAddress?: string; requestId?: string } {
  return requestFacts(c, ctx.config.server.trustProxy);
}
