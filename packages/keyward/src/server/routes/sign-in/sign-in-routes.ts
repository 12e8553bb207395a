/**
 * The end-user sign-in pages, served by the server itself (no JavaScript needed):
 *
 * - GET /sign-in: the username and password form (with `return_to`, see return-to.ts);
 * - POST /sign-in: checks the CSRF token, then the password (check-password-sign-in.ts: throttle,
 *   one argon2id verification, status), starts a session with a fresh id (no fixation) and sends
 *   the browser on to `return_to` (a page that continues there), or to GET /sign-in/done;
 * - GET /sign-in/done: who is signed in, with a sign-out button;
 * - GET /sign-out: a confirmation; POST /sign-out (CSRF token): ends the session;
 * - GET /sign-in/sign-in.css: the pages' style sheet.
 *
 * Every page is sent with a strict Content-Security-Policy (script and style from this origin only,
 * never inline; requests to this origin only; forms post only here; no framing; no <base>),
 * `no-store`, and every shown value escaped (escape-html.ts).
 * Every form carries a CSRF token bound to the pre-session cookie (csrf-token.ts). Every sign-in,
 * refusal and sign-out is audited (never the password).
 */
import type { Context, Hono } from 'hono';
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { incomingOf } from '../../middleware/read-body.ts';
import { readForm } from '../../middleware/read-form.ts';
import { getSourceAddress } from '../../middleware/source-address.ts';
import { checkPasswordSignIn } from '../../services/sign-in/check-password-sign-in.ts';
import { checkCsrfToken, csrfTokenFor } from '../../services/sign-in/csrf-token.ts';
import type { SignInLimit } from '../../services/sign-in/sign-in-throttle.ts';
import { isAllowedReturnTo } from '../../services/sign-in/return-to.ts';
import { newCookieSecret, readCookie } from '../../services/sign-in/session-cookies.ts';
import { renderContinue, renderMessage, renderSignedIn, renderSignInForm, renderSignOutConfirm } from './sign-in-html.ts';
import { SIGN_IN_CSS } from './sign-in-styles.ts';
import { requestFacts } from '../../middleware/request-id.ts';
import { registryFor } from '../registry-for.ts';

/** The headers of every sign-in page. */
export const SIGN_IN_PAGE_HEADERS: Readonly<Record<string, string>> = {
  // CSP Level 3: only this origin's style sheet and scripts (no inline code); requests (the passkey
  // script's) only to this origin; forms post here only; never framed; no <base>.
  'content-security-policy': "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** What the page (or the passkey script) says when a sign-in budget is spent (sign-in-throttle.ts). */
export function throttledMessage(retryAfter: number, limit: SignInLimit | undefined): string {
  const minutes = Math.ceil(retryAfter / 60);
  const wait = `Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  return limit === 'successes_per_address' ? `Too many sign-ins from your network. ${wait}` : `Too many failed attempts. ${wait}`;
}

/** What the page says for every wrong username, wrong password and disabled user alike. */
export const BAD_CREDENTIALS_MESSAGE = 'The username or password is not right. Check them and try again.';

/** Registers the sign-in pages. */
export function registerSignInRoutes(app: Hono, ctx: ServerContext): void {
  const { signIn } = ctx;
  const { cookies, basePath } = signIn;

  const page = (body: string, status = 200, setCookies: readonly string[] = [], extra: Record<string, string> = {}): Response => {
    const headers = new Headers({ ...SIGN_IN_PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', ...extra });
    for (const cookie of setCookies) headers.append('set-cookie', cookie);
    return new Response(body, { status, headers });
  };
  /** The pre-session secret of the request, or a new one with the cookie that sets it. */
  const preSession = (c: Context): { secret: string; setCookie: string[] } => {
    const existing = readCookie(c.req.header('cookie'), cookies.preSession);
    if (existing !== undefined) return { secret: existing, setCookie: [] };
    const secret = newCookieSecret();
    return { secret, setCookie: [cookies.serialize(cookies.preSession, secret)] };
  };
  const audit = (c: Context, type: string, details: Record<string, unknown>): void => {
    ctx.audit.write({ time: new Date(ctx.clock()), type, ...requestFacts(c, ctx.config.server.trustProxy), details });
  };
  const readPageForm = async (c: Context) => readForm(c.req.raw, { maxBytes: ctx.config.server.maxBodyBytes, ...(incomingOf(c) ? { incoming: incomingOf(c)! } : {}) });
  const badRequest = (error: unknown): Response => {
    if (!(error instanceof OAuthError)) throw error;
    return page(renderMessage({ basePath, title: 'Sign in', message: `The form could not be read (${error.description}). Go back and try again.`, alert: true }), error.status);
  };

  app.get('/sign-in/sign-in.css', () => new Response(SIGN_IN_CSS, { headers: { ...SIGN_IN_PAGE_HEADERS, 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' } }));

  app.get('/sign-in', (c) => {
    const returnTo = c.req.query('return_to');
    const { secret, setCookie } = preSession(c);
    return page(renderSignInForm({ basePath, csrfToken: csrfTokenFor(secret), ...(isAllowedReturnTo(returnTo) ? { returnTo } : {}) }), 200, setCookie);
  });

  app.post('/sign-in', async (c) => {
    let form;
    try {
      form = await readPageForm(c);
    } catch (error) {
      return badRequest(error);
    }
    const given = form.get('return_to');
    const returnTo = isAllowedReturnTo(given) ? given : undefined;
    const username = form.get('username') ?? '';
    const { secret, setCookie } = preSession(c);
    const again = (error: string, status: number, extra: Record<string, string> = {}) =>
      page(renderSignInForm({ basePath, csrfToken: csrfTokenFor(secret), error, username: username.slice(0, 64), ...(returnTo ? { returnTo } : {}) }), status, setCookie, extra);

    // OWASP CSRF Prevention: the token must be the one of the pre-session cookie this browser holds.
    if (!checkCsrfToken(readCookie(c.req.header('cookie'), cookies.preSession), form.get('csrf_token'))) {
      audit(c, 'user.sign_in_refused', { outcome: 'csrf_token_invalid' });
      return again('This form expired or was not sent from this page. Enter your username and password again.', 403);
    }
    const password = form.get('password') ?? '';
    if (username === '' || password === '') return again('Enter your username and your password.', 400);

    const address = getSourceAddress(c, ctx.config.server.trustProxy) ?? 'unknown';
    const result = await checkPasswordSignIn(registryFor(c, ctx), signIn.throttle, username, password, address);
    if (!result.ok) {
      const sub = result.outcome === 'throttled' ? undefined : result.user?.sub;
      audit(c, result.outcome === 'throttled' ? 'user.sign_in_throttled' : 'user.sign_in_failed', {
        outcome: result.outcome, ...(sub ? { sub } : {}), ...(result.outcome === 'throttled' ? { limit: result.limit, method: 'password' } : {}),
      });
      if (result.outcome === 'throttled') return again(throttledMessage(result.retryAfter, result.limit), 429, { 'retry-after': String(result.retryAfter) });
      if (result.outcome === 'passkey_required') return again('This account must sign in with a passkey: use "Sign in with a passkey".', 403);
      return again(BAD_CREDENTIALS_MESSAGE, 401);
    }

    // OWASP Session Fixation: a new id at every sign-in; the session this browser carried ends.
    const { session, setCookie: sessionCookie } = await signIn.start(result.user.sub, ['pwd'], signIn.sessionIdOf(c.req.raw));
    await ctx.store.users.updateUser(result.user.sub, { lastSignInAt: new Date(session.authTime * 1000), updatedAt: result.user.updatedAt });
    audit(c, 'user.signed_in', { sub: result.user.sub, amr: session.amr });
    if (returnTo === undefined) return page('', 303, [...setCookie, sessionCookie], { location: `${basePath}/sign-in/done` });
    // Back to the authorization request by a new navigation, not a redirect of this form's POST
    // (sign-in-html.ts renderContinue: form-action would block the hop to the application).
    return page(renderContinue({ basePath, href: returnTo }), 200, [...setCookie, sessionCookie]);
  });

  app.get('/sign-in/done', async (c) => {
    const current = await signIn.current(c.req.raw);
    const user = current === null ? undefined : await ctx.store.users.getUser(current.sub);
    if (user === undefined) return page('', 303, [], { location: `${basePath}/sign-in` });
    const { secret, setCookie } = preSession(c);
    return page(renderSignedIn({ basePath, csrfToken: csrfTokenFor(secret), username: user.username }), 200, setCookie);
  });

  app.get('/sign-out', (c) => {
    const { secret, setCookie } = preSession(c);
    return page(renderSignOutConfirm({ basePath, csrfToken: csrfTokenFor(secret) }), 200, setCookie);
  });

  app.post('/sign-out', async (c) => {
    let form;
    try {
      form = await readPageForm(c);
    } catch (error) {
      return badRequest(error);
    }
    if (!checkCsrfToken(readCookie(c.req.header('cookie'), cookies.preSession), form.get('csrf_token'))) {
      const { secret, setCookie } = preSession(c);
      return page(renderSignOutConfirm({ basePath, csrfToken: csrfTokenFor(secret), error: 'This form expired or was not sent from this page. Sign out again.' }), 403, setCookie);
    }
    const current = await signIn.current(c.req.raw);
    const sessionId = signIn.sessionIdOf(c.req.raw);
    if (sessionId !== undefined) await signIn.end(sessionId);
    if (current !== null) audit(c, 'user.signed_out', { sub: current.sub });
    return page(renderMessage({ basePath, title: 'Signed out', message: 'You are signed out of this browser.' }), 200, [signIn.clearCookie]);
  });

  for (const [path, allow] of [['/sign-in', 'GET, POST'], ['/sign-out', 'GET, POST'], ['/sign-in/done', 'GET']] as const) {
    app.all(path, () => page(renderMessage({ basePath, title: 'Sign in', message: 'This page does not answer this method.', alert: true }), 405, [], { allow }));
  }
}
