/**
 * RP-initiated logout, GET and POST /end-session (OpenID Connect RP-Initiated Logout 1.0):
 * `id_token_hint` (an ID token this server signed; it may have expired, §2), `client_id`,
 * `post_logout_redirect_uri` (only one registered for that client, compared character for
 * character, §2 and §3.1) and `state` (passed back, §3).
 *
 * The end user's session is ended (SignInPort.end) at once when the hint names the end user signed
 * in here. Without a hint, or with the hint of another end user, the end user is asked (§2: the OP
 * MUST ask in that case): a confirmation page whose form (POST /end-session/confirm) carries a
 * token bound to the session and to the stored logout request (pending-requests.ts), so a
 * cross-site request cannot sign anybody out (§6). Signing out there ends the session; either
 * answer then goes on to the post_logout_redirect_uri with `state`, if one was given. An
 * unregistered post_logout_redirect_uri is never followed.
 */
import type { Context, Hono } from 'hono';
import { OAuthError, parseCompactJws, verifyJwsSignature } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { epochSeconds } from '../../clock.ts';
import { readContextBody } from '../../middleware/read-body.ts';
import { requestFacts } from '../../middleware/request-id.ts';
import { readParameters } from '../../services/authorization/authorization-request.ts';
import { redirect } from '../../services/authorization/authorization-response.ts';
import { errorPage, infoPage, logoutPage } from '../../services/authorization/html-pages.ts';
import { checkConsentToken, consentToken, parseRequestId, readStoredRequest, storeLogoutRequest } from '../../services/authorization/pending-requests.ts';

/** The client and end user an ID token of this server names; throws 'id_token_hint_invalid'. */
export function readIdTokenHint(ctx: ServerContext, hint: string): { clientId: string; sub: string } {
  let parsed;
  try {
    parsed = parseCompactJws(hint, { maxLength: 16384 });
  } catch (cause) {
    throw new OAuthError('id_token_hint_invalid', { detail: 'id_token_hint is not a compact JWT', cause });
  }
  // The key by kid among our own published keys; the algorithm from our key record, never the header.
  const key = ctx.signingKeys.publicKeys().find((k) => k.kid === parsed.header.kid);
  let valid = false;
  try {
    valid = key !== undefined && parsed.header.alg === key.alg && verifyJwsSignature(parsed, key.publicKey, key.alg);
  } catch {
    valid = false;
  }
  const { iss, aud, sub } = parsed.payload;
  if (!valid || iss !== ctx.issuer || typeof aud !== 'string' || typeof sub !== 'string' || parsed.header.typ !== 'JWT') {
    throw new OAuthError('id_token_hint_invalid', { detail: 'id_token_hint was not signed by this server as an ID token' });
  }
  return { clientId: aud, sub };
}

/** Registers GET and POST /end-session. */
export function registerEndSessionRoute(app: Hono, ctx: ServerContext): void {
  const handle = async (c: Context, search: () => Promise<URLSearchParams>): Promise<Response> => {
    try {
      const { parameters } = readParameters(await search());
      const hintText = parameters.get('id_token_hint');
      const hint = hintText === undefined ? undefined : readIdTokenHint(ctx, hintText);
      const clientIdParam = parameters.get('client_id');
      // §2: when both are sent, client_id must be the hint's audience.
      if (hint !== undefined && clientIdParam !== undefined && clientIdParam !== hint.clientId) throw new OAuthError('id_token_hint_invalid', { detail: 'client_id is not the audience of id_token_hint' });
      const clientId = hint?.clientId ?? clientIdParam;
      const target = parameters.get('post_logout_redirect_uri');
      if (target !== undefined) {
        const client = clientId === undefined ? undefined : (await ctx.clients.get(clientId))?.client;
        // §3.1: the URI must have been registered for this client, matched exactly.
        if (client === undefined || !(client.postLogoutRedirectUris ?? []).includes(target)) {
          throw new OAuthError('post_logout_redirect_uri_unregistered', { detail: 'the post_logout_redirect_uri is not registered for this client' });
        }
      }
      const state = parameters.get('state');
      const onward = { ...(target !== undefined ? { target } : {}), ...(state !== undefined ? { state: state.slice(0, 512) } : {}) };
      const user = await ctx.signIn.current(c.req.raw);
      if (user === null) return finish(onward, 'not_signed_in');
      if (hint !== undefined && hint.sub === user.sub) {
        await endSession(c, user, clientId, false);
        return finish(onward, 'signed_out');
      }
      // §2: no hint of this session: ask the end user.
      const stored = await storeLogoutRequest(ctx, clientId, onward);
      const claims = await ctx.signIn.claims(user.sub);
      return logoutPage({
        userName: claims?.preferred_username ?? user.sub,
        logoutId: stored.id,
        csrfToken: consentToken((stored.request as { csrfSecret: string }).csrfSecret, user.sessionId),
        action: '/end-session/confirm',
        ...(target !== undefined ? { redirectOrigin: new URL(target).origin } : {}),
      });
    } catch (error) {
      return refusalPage(error);
    }
  };

  app.get('/end-session', (c) => handle(c, async () => new URL(c.req.url).searchParams));
  app.post('/end-session', (c) => handle(c, () => readFormBody(c)));

  // The confirmation page's answer: the form token must be the one made for this session and this
  // stored logout request (RFC 6749 §10.12, Logout §6), and the request is used once.
  app.post('/end-session/confirm', async (c) => {
    try {
      const form = readParameters(await readFormBody(c)).parameters;
      const id = parseRequestId(form.get('logout_id'));
      const record = id === undefined ? undefined : await ctx.store.authorizations.getRequest(id, epochSeconds(ctx.clock));
      const stored = readStoredRequest(record, 'logout');
      const user = await ctx.signIn.current(c.req.raw);
      if (record === undefined || stored?.csrfSecret === undefined || user === null || !checkConsentToken(stored.csrfSecret, user.sessionId, form.get('csrf_token'))) {
        throw new OAuthError('logout_csrf_invalid', { detail: 'the logout form token does not match this session and request' });
      }
      if ((await ctx.store.authorizations.consumeRequest(record.id, epochSeconds(ctx.clock))) === undefined) {
        throw new OAuthError('logout_csrf_invalid', { detail: 'the logout request was already answered' });
      }
      const signOut = form.get('decision') === 'sign_out';
      if (signOut) await endSession(c, user, record.clientId === '' ? undefined : record.clientId, true);
      return finish({ ...stored.parameters }, signOut ? 'signed_out' : 'kept');
    } catch (error) {
      return refusalPage(error);
    }
  });

  async function endSession(c: Context, user: { sessionId: string; sub: string }, clientId: string | undefined, confirmed: boolean): Promise<void> {
    await ctx.signIn.end(user.sessionId);
    ctx.audit.write({
      time: new Date(), type: 'session.ended', ...(clientId ? { clientId } : {}), ...requestFacts(c, ctx.config.server.trustProxy),
      details: { sub: user.sub, confirmed },
    });
  }

  async function readFormBody(c: Context): Promise<URLSearchParams> {
    const type = (c.req.header('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw new OAuthError('content_type_unsupported');
    return new URLSearchParams(await readContextBody(c, ctx.config.server.maxBodyBytes));
  }

  function refusalPage(error: unknown): Response {
    if (error instanceof OAuthError) return errorPage(error.description, error.reason, error.status);
    ctx.logger.error({ err: error }, 'end-session request failed');
    return errorPage('Something went wrong on this server.', 'server_error', 500);
  }
}

/** §3: on to the registered post_logout_redirect_uri with `state`, else a page that says what happened. */
function finish(onward: { target?: string; state?: string }, outcome: 'signed_out' | 'kept' | 'not_signed_in'): Response {
  if (onward.target !== undefined) {
    const url = new URL(onward.target);
    if (onward.state !== undefined) url.searchParams.append('state', onward.state);
    return redirect(url.toString());
  }
  if (outcome === 'signed_out') return infoPage('Signed out', 'You are signed out.');
  if (outcome === 'kept') return infoPage('Still signed in', 'You chose to stay signed in here.');
  return infoPage('Signed out', 'You are not signed in here.');
}
