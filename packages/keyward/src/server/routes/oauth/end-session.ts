/**
 * RP-initiated logout, GET and POST /end-session (OpenID Connect RP-Initiated Logout 1.0):
 * `id_token_hint` (an ID token this server signed; it may have expired, §2), `client_id`,
 * `post_logout_redirect_uri` (only one registered for that client, compared character for
 * character, §2 and §3.1) and `state` (passed back, §3).
 *
 * The end user's session is ended (SignInPort.end) when the hint names the end user signed in
 * here. Without a valid hint the session is NOT ended (a cross-site request could otherwise sign
 * anybody out, §6): the page says so. An unregistered post_logout_redirect_uri is never followed.
 */
import type { Context, Hono } from 'hono';
import { OAuthError, parseCompactJws, verifyJwsSignature } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { readContextBody } from '../../middleware/read-body.ts';
import { readParameters } from '../../services/authorization/authorization-request.ts';
import { redirect } from '../../services/authorization/authorization-response.ts';
import { errorPage, infoPage } from '../../services/authorization/html-pages.ts';

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
      const user = await ctx.signIn.current(c.req.raw);
      let ended = false;
      if (user !== null && hint !== undefined && hint.sub === user.sub) {
        await ctx.signIn.end(user.sessionId);
        ended = true;
        ctx.audit.write({ time: new Date(), type: 'session.ended', ...(clientId ? { clientId } : {}), details: { sub: user.sub } });
      }
      if (target !== undefined) {
        const url = new URL(target);
        const state = parameters.get('state');
        if (state !== undefined) url.searchParams.append('state', state.slice(0, 512));
        return redirect(url.toString());
      }
      return signedOutPage(ended);
    } catch (error) {
      if (error instanceof OAuthError) return errorPage(error.description, error.reason, error.status);
      ctx.logger.error({ err: error }, 'end-session request failed');
      return errorPage('Something went wrong on this server.', 'server_error', 500);
    }
  };
  app.get('/end-session', (c) => handle(c, async () => new URL(c.req.url).searchParams));
  app.post('/end-session', (c) => handle(c, async () => {
    const type = (c.req.header('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw new OAuthError('content_type_unsupported');
    return new URLSearchParams(await readContextBody(c, ctx.config.server.maxBodyBytes));
  }));
}

function signedOutPage(ended: boolean): Response {
  return ended
    ? infoPage('Signed out', 'You are signed out.')
    : infoPage('Not signed out', 'This request did not show which account to sign out, so you are still signed in here. Sign out from the application that sent you.');
}
