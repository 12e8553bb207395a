/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1; OIDC Core §3.1.2; FAPI 2.0 §5.3.2.2):
 *
 * - `GET|POST /authorize`: a request sent directly (query or form, RFC 6749 §3.1 / OIDC Core
 *   §3.1.2.1), or `client_id` + `request_uri` of a pushed request (RFC 9126 §4, single use).
 * - `GET /authorize/resume?id=...`: the same request after the end user signed in (the sign-in
 *   page returns here).
 * - `POST /authorize/consent`: the consent page's answer.
 *
 * A request from an unknown client or with an unregistered redirect URI gets an error page and is
 * never redirected (RFC 6749 §4.1.2.1, no open redirector: RFC 9700 §4.11); every other refusal is
 * redirected with error, error_description, state and iss (RFC 9207). The end user comes from the
 * node's SignInPort (ctx.signIn).
 */
import type { Context, Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ClientRecord, ConsentGrantRecord } from '../../../store/contract.ts';
import type { ServerContext } from '../../context.ts';
import { readContextBody } from '../../middleware/read-body.ts';
import { requestFacts } from '../../middleware/request-id.ts';
import {
  checkAuthorizationParameters, fromStoredParameters, identifyClient, readParameters, toStoredParameters, UntrustedRedirectError,
  type AuthorizationRequest, type RequestParameters,
} from '../../services/authorization/authorization-request.ts';
import { redirect, redirectWithCode, redirectWithError } from '../../services/authorization/authorization-response.ts';
import { consentPage, errorPage } from '../../services/authorization/html-pages.ts';
import { issueAuthorizationCode } from '../../services/authorization/issue-authorization-code.ts';
import {
  checkConsentToken, consentToken, parseRequestId, readStoredRequest, REQUEST_URI_PREFIX, storePendingRequest,
} from '../../services/authorization/pending-requests.ts';
import type { SignedInUser, SignInPort } from '../../services/sign-in/sign-in-port.ts';
import { epochSeconds } from '../../clock.ts';

/** How a request reached the endpoint. */
type Origin =
  | { readonly kind: 'direct' }
  | { readonly kind: 'pushed' }
  | { readonly kind: 'resumed'; readonly id: string; readonly createdAt: number; readonly csrfSecret: string };

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Registers the authorization endpoint's routes. */
export function registerAuthorizeRoutes(app: Hono, ctx: ServerContext): void {
  const handle = async (c: Context, read: () => Promise<URLSearchParams>): Promise<Response> => {
    try {
      const signIn = ctx.signIn;
      const { parameters, repeated } = readParameters(await read());
      const requestUri = parameters.get('request_uri');
      if (requestUri === undefined) return await authorize(c, signIn, parameters, repeated, { kind: 'direct' });
      // RFC 9126 §4: client_id and request_uri; the pushed request is used once, by its own client.
      const id = requestUri.startsWith(REQUEST_URI_PREFIX) ? parseRequestId(requestUri.slice(REQUEST_URI_PREFIX.length)) : undefined;
      const record = id === undefined ? undefined : await ctx.store.authorizations.consumeRequest(id, epochSeconds(ctx.clock));
      const pushed = readStoredRequest(record, 'pushed');
      if (pushed === undefined || record === undefined || record.clientId !== parameters.get('client_id')) {
        throw new UntrustedRedirectError('request_uri_invalid', 'This sign-in request has expired or was already used. Go back to the application and start again.');
      }
      return await authorize(c, signIn, fromStoredParameters(pushed.parameters), [], { kind: 'pushed' });
    } catch (error) {
      return refusalPage(ctx, c, error);
    }
  };
  app.get('/authorize', (c) => handle(c, async () => new URL(c.req.url).searchParams));
  app.post('/authorize', (c) => handle(c, () => readFormBody(ctx, c)));

  app.get('/authorize/resume', async (c) => {
    try {
      const signIn = ctx.signIn;
      const id = parseRequestId(c.req.query('id'));
      const record = id === undefined ? undefined : await ctx.store.authorizations.getRequest(id, epochSeconds(ctx.clock));
      const pending = readStoredRequest(record, 'pending');
      if (record === undefined || pending?.csrfSecret === undefined) {
        throw new UntrustedRedirectError('request_uri_invalid', 'This sign-in request has expired or was already used. Go back to the application and start again.');
      }
      return await authorize(c, signIn, fromStoredParameters(pending.parameters), [], { kind: 'resumed', id: record.id, createdAt: record.createdAt, csrfSecret: pending.csrfSecret });
    } catch (error) {
      return refusalPage(ctx, c, error);
    }
  });

  app.post('/authorize/consent', async (c) => {
    try {
      const signIn = ctx.signIn;
      const form = readParameters(await readFormBody(ctx, c)).parameters;
      const id = parseRequestId(form.get('request_id'));
      const record = id === undefined ? undefined : await ctx.store.authorizations.getRequest(id, epochSeconds(ctx.clock));
      const pending = readStoredRequest(record, 'pending');
      const user = await signIn.current(c.req.raw);
      // RFC 6749 §10.12: the decision must come from this end user's own consent page.
      if (record === undefined || pending?.csrfSecret === undefined || user === null || !checkConsentToken(pending.csrfSecret, user.sessionId, form.get('csrf_token'))) {
        throw new OAuthError('consent_csrf_invalid', { detail: 'the consent form token does not match this session and request' });
      }
      const parameters = fromStoredParameters(pending.parameters);
      const { client, redirectUri } = await identifyClient(ctx, parameters, []);
      let request: AuthorizationRequest;
      try {
        request = checkAuthorizationParameters(client, redirectUri, parameters, []);
      } catch (error) {
        return refuse(ctx, c, error, redirectUri, parameters.get('state'), client.clientId);
      }
      if (form.get('decision') !== 'allow') {
        await ctx.store.authorizations.consumeRequest(record.id, epochSeconds(ctx.clock));
        return refuse(ctx, c, new OAuthError('consent_denied', { detail: 'the end user denied the request' }), redirectUri, request.state, client.clientId);
      }
      // Milliseconds: a consent given again after a revocation is told apart from the revoked one.
      const now = new Date(ctx.clock());
      const earlier = await ctx.store.authorizations.getConsent(user.sub, client.clientId);
      const scopes = [...new Set([...(earlier?.scopes ?? []), ...request.scopes])];
      const consent = { sub: user.sub, clientId: client.clientId, scopes, createdAt: earlier?.createdAt ?? now, updatedAt: now };
      await ctx.store.authorizations.putConsent(consent);
      ctx.audit.write({ time: new Date(), type: 'consent.granted', clientId: client.clientId, ...source(c, ctx), details: { sub: user.sub, scope: scopes.join(' ') } });
      return await grantCode(c, request, user, record.id, consent);
    } catch (error) {
      return refusalPage(ctx, c, error);
    }
  });

  /** Steps 2-5 of a request: the parameters, PAR, the end user, consent, then the code. */
  async function authorize(c: Context, signIn: SignInPort, parameters: RequestParameters, repeated: readonly string[], origin: Origin): Promise<Response> {
    const { client, redirectUri } = await identifyClient(ctx, parameters, repeated);
    const state = parameters.get('state');
    let request: AuthorizationRequest;
    try {
      request = checkAuthorizationParameters(client, redirectUri, parameters, repeated);
      // RFC 9126 §5 (server) and §6 (client): only pushed requests are accepted.
      if (origin.kind === 'direct' && (ctx.config.authorization.requirePushedAuthorizationRequests || client.requirePushedAuthorizationRequests === true)) {
        throw new OAuthError('par_required', { detail: 'push the request to the pushed authorization request endpoint first (RFC 9126)' });
      }
    } catch (error) {
      return refuse(ctx, c, error, redirectUri, state?.slice(0, 512), client.clientId);
    }
    const now = epochSeconds(ctx.clock);
    const user = await signIn.current(c.req.raw);
    const startedAt = origin.kind === 'resumed' ? origin.createdAt : now;
    // OIDC Core §3.1.2.3: authenticate when there is no session, when prompt=login asks for a new
    // sign-in (one made after this request began), or when the last one is older than max_age.
    const needsSignIn = user === null
      || (request.prompt.includes('login') && user.authTime < startedAt)
      || (request.maxAge !== undefined && now - user.authTime > request.maxAge);
    if (needsSignIn) {
      // OIDC Core §3.1.2.6: prompt=none must not show any page.
      if (request.prompt.includes('none')) return refuse(ctx, c, new OAuthError('login_required', { detail: 'prompt=none and no fresh enough sign-in' }), redirectUri, request.state, client.clientId);
      const pendingId = origin.kind === 'resumed' ? origin.id : (await storePendingRequest(ctx, client.clientId, toStoredParameters(parameters))).id;
      return redirect(signIn.signInUrl(`/authorize/resume?id=${pendingId}`));
    }
    let consent: ConsentGrantRecord | undefined;
    if (client.consent !== 'implicit') {
      const stored = await ctx.store.authorizations.getConsent(user.sub, client.clientId);
      consent = stored;
      const covered = stored !== undefined && request.scopes.every((scope) => stored.scopes.includes(scope));
      if (!covered || request.prompt.includes('consent')) {
        if (request.prompt.includes('none')) return refuse(ctx, c, new OAuthError('consent_required', { detail: 'prompt=none and the scopes are not yet approved' }), redirectUri, request.state, client.clientId);
        const pending = origin.kind === 'resumed' ? origin : await pendingOf(client, parameters);
        const claims = await signIn.claims(user.sub);
        return consentPage({
          clientName: client.name,
          scopes: request.scopes,
          userName: claims?.preferred_username ?? user.sub,
          requestId: pending.id,
          csrfToken: consentToken(pending.csrfSecret, user.sessionId),
          action: '/authorize/consent',
          redirectOrigin: new URL(request.redirectUri).origin,
        });
      }
    }
    return grantCode(c, request, user, origin.kind === 'resumed' ? origin.id : undefined, consent);
  }

  async function pendingOf(client: ClientRecord, parameters: RequestParameters): Promise<{ id: string; csrfSecret: string }> {
    const record = await storePendingRequest(ctx, client.clientId, toStoredParameters(parameters));
    return { id: record.id, csrfSecret: (record.request as { csrfSecret: string }).csrfSecret };
  }

  /** Uses up the pending request (once), issues the code (bound to `consent`, if any) and redirects with it. */
  async function grantCode(c: Context, request: AuthorizationRequest, user: SignedInUser, pendingId: string | undefined, consent: ConsentGrantRecord | undefined): Promise<Response> {
    if (pendingId !== undefined && (await ctx.store.authorizations.consumeRequest(pendingId, epochSeconds(ctx.clock))) === undefined) {
      throw new UntrustedRedirectError('request_uri_invalid', 'This sign-in request was already completed. Go back to the application.');
    }
    const code = await issueAuthorizationCode(ctx, request, user, consent);
    ctx.audit.write({ time: new Date(), type: 'authorization.granted', clientId: request.clientId, ...source(c, ctx), details: { sub: user.sub, scope: request.scopes.join(' ') } });
    return redirectWithCode(request.redirectUri, code, request.state, ctx.issuer);
  }
}


/** Reads an `application/x-www-form-urlencoded` body (OIDC Core §3.1.2.1: POST uses form serialization). */
async function readFormBody(ctx: ServerContext, c: Context): Promise<URLSearchParams> {
  const type = (c.req.header('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== FORM_TYPE) throw new OAuthError('content_type_unsupported', { detail: 'send the parameters as application/x-www-form-urlencoded' });
  return new URLSearchParams(await readContextBody(c, ctx.config.server.maxBodyBytes));
}

/** Redirects a refusal to the client's (matched) redirect URI. */
function refuse(ctx: ServerContext, c: Context, error: unknown, redirectUri: string, state: string | undefined, clientId: string): Response {
  if (!(error instanceof OAuthError) || error.reason === 'store_unavailable') throw error;
  ctx.audit.write({ time: new Date(), type: 'authorization.refused', clientId, reason: error.reason, ...source(c, ctx), details: { ...(error.detail ? { detail: error.detail } : {}) } });
  return redirectWithError(redirectUri, error, state, ctx.issuer);
}

/** The error page of a request that cannot be redirected (RFC 6749 §4.1.2.1). */
function refusalPage(ctx: ServerContext, c: Context, error: unknown): Response {
  if (error instanceof UntrustedRedirectError) {
    ctx.audit.write({ time: new Date(), type: 'authorization.refused', reason: error.reason, ...source(c, ctx), details: { redirected: false } });
    return errorPage(error.message, error.reason);
  }
  if (error instanceof OAuthError) {
    if (error.reason !== 'store_unavailable') {
      ctx.audit.write({ time: new Date(), type: 'authorization.refused', reason: error.reason, ...source(c, ctx), details: { redirected: false } });
    }
    return errorPage(error.description, error.reason, error.status);
  }
  ctx.logger.error({ err: error }, 'authorization request failed');
  return errorPage('Something went wrong on this server.', 'server_error', 500);
}

function source(c: Context, ctx: ServerContext): { sourceAddress?: string; requestId?: string } {
  return requestFacts(c, ctx.config.server.trustProxy);
}
