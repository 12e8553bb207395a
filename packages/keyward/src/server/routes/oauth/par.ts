/**
 * The pushed authorization request endpoint, POST /par (RFC 9126): the client authenticates with
 * private_key_jwt (the token endpoint's verifier, RFC 9126 §2.1), the request is checked as the
 * authorization endpoint would check it, and a `request_uri` (urn:ietf:params:oauth:request_uri:
 * + 128 random bits) usable once within 60 s is returned (RFC 9126 §2.2). Refusals are JSON
 * (RFC 9126 §2.3) and audited; the assertion's jti is reserved only once everything else passed.
 */
import type { Context, Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { errorResponse, jsonNoStore } from '../../middleware/errors.ts';
import { readContextBody } from '../../middleware/read-body.ts';
import type { FormParameters } from '../../middleware/read-form.ts';
import { requestFacts } from '../../middleware/request-id.ts';
import { checkAuthorizationParameters, readParameters, toStoredParameters } from '../../services/authorization/authorization-request.ts';
import { PUSHED_REQUEST_TTL, REQUEST_URI_PREFIX, storeRequest } from '../../services/authorization/pending-requests.ts';
import { authenticateClient, reserveAssertionJti, type AuthTrace } from '../../services/client-authentication.ts';

/** Client authentication parameters: not part of the stored authorization request. */
const AUTH_PARAMETERS = new Set(['client_assertion', 'client_assertion_type', 'client_secret']);

function formOf(parameters: ReadonlyMap<string, string>): FormParameters {
  return { get: (name) => parameters.get(name), getAll: (name) => (parameters.has(name) ? [parameters.get(name)!] : []), has: (name) => parameters.has(name) };
}

/** Registers POST /par. */
export function registerParRoute(app: Hono, ctx: ServerContext): void {
  app.post('/par', async (c) => {
    const trace: AuthTrace = { authenticated: false };
    try {
      const type = (c.req.header('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
      // RFC 9126 §2.1: the request is form-encoded.
      if (type !== 'application/x-www-form-urlencoded') throw new OAuthError('content_type_unsupported', { detail: 'send the request as application/x-www-form-urlencoded' });
      const { parameters, repeated } = readParameters(new URLSearchParams(await readContextBody(c, ctx.config.server.maxBodyBytes)));
      // RFC 6749 §3.2: no parameter twice (before anything is verified).
      if (repeated.length > 0) throw new OAuthError('parameter_repeated', { detail: `${repeated[0]!.slice(0, 64)} was sent more than once` });
      const auth = await authenticateClient(ctx, formOf(parameters), c.req.header('authorization'), trace, { required: true });
      const client = auth!.cached.client;
      // RFC 9126 §2.1: "The request_uri authorization request parameter MUST NOT be provided".
      if (parameters.has('request_uri')) throw new OAuthError('authorization_request_invalid', { detail: 'request_uri cannot be pushed (RFC 9126 §2.1)' });
      const stored = new Map([...parameters].filter(([name]) => !AUTH_PARAMETERS.has(name)));
      stored.set('client_id', client.clientId);
      const redirectUri = stored.get('redirect_uri');
      // RFC 9126 §2.1: the same checks as the authorization endpoint, redirect URI included.
      if (redirectUri === undefined || !(client.redirectUris ?? []).includes(redirectUri)) {
        throw new OAuthError('redirect_uri_unregistered', { detail: redirectUri === undefined ? 'redirect_uri is required' : 'redirect_uri is not one registered for this client (exact match)' });
      }
      checkAuthorizationParameters(client, redirectUri, stored, []);
      // RFC 7523 §3 (7): the jti is spent only now that the request is accepted.
      await reserveAssertionJti(ctx, auth!.verified);
      const record = await storeRequest(ctx, client.clientId, { kind: 'pushed', parameters: toStoredParameters(stored) }, PUSHED_REQUEST_TTL);
      ctx.audit.write({ time: new Date(), type: 'authorization.pushed', clientId: client.clientId, keyThumbprint: auth!.verified.key.thumbprint, ...source(c, ctx) });
      // RFC 9126 §2.2: 201 Created with request_uri and expires_in.
      return jsonNoStore({ request_uri: `${REQUEST_URI_PREFIX}${record.id}`, expires_in: PUSHED_REQUEST_TTL }, 201);
    } catch (error) {
      const reason = error instanceof OAuthError ? error.reason : 'server_error';
      ctx.audit.write({
        time: new Date(), type: 'authorization.push_refused', reason, ...source(c, ctx),
        ...(trace.clientId === undefined ? {} : { clientId: trace.clientId }),
        details: { authenticated: trace.authenticated, ...(error instanceof OAuthError && error.detail ? { detail: error.detail } : {}) },
      });
      return errorResponse(error, ctx.logger);
    }
  });
}

function source(c: Context, ctx: ServerContext): { sourceAddress?: string; requestId?: string } {
  return requestFacts(c, ctx.config.server.trustProxy);
}
