/**
 * The passkey routes of the sign-in pages (services/sign-in/passkeys.ts does the WebAuthn work):
 *
 * - GET /sign-in/webauthn.js, /sign-in/passkey.js: the scripts (the browser library and ours);
 * - POST /sign-in/passkey/options, POST /sign-in/passkey: sign in with a passkey (JSON);
 * - GET /sign-in/passkeys: the signed-in user's passkeys; POST /sign-in/passkeys/options,
 *   POST /sign-in/passkeys: add one (JSON, signed-in users only);
 * - GET /sign-in/enrol, POST /sign-in/enrol/options, POST /sign-in/enrol: add one passkey with an
 *   enrolment link instead of a session (registry/passkey-enrolment.ts): the link's secret is
 *   checked (unused, unexpired, active user; an unknown one counts as a failure of the source
 *   address) for the options and again for the answer, and the link is used up only when the
 *   passkey is stored (of two answers with one link, one passkey is kept).
 *
 * Every POST needs `Content-Type: application/json` (which another site cannot send without a CORS
 * preflight, refused here) and the CSRF token of the pre-session cookie. A passkey sign-in counts
 * failures against the source address's budget, starts a session with a fresh id like a password
 * sign-in (amr `hwk`, `user`: RFC 8176 §2), and follows the same `return_to` rule.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Context, Hono } from 'hono';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { OAuthError } from '@keyward/core';
import type { ServerContext } from '../../context.ts';
import { readContextBody } from '../../middleware/read-body.ts';
import { getSourceAddress } from '../../middleware/source-address.ts';
import { checkCsrfToken, csrfTokenFor } from '../../services/sign-in/csrf-token.ts';
import {
  CHALLENGE_SECONDS, createAuthenticationOptions, createRegistrationOptions, registerPasskey, relyingPartyOf, verifyPasskeySignIn,
} from '../../services/sign-in/passkeys.ts';
import { isAllowedReturnTo } from '../../services/sign-in/return-to.ts';
import { newCookieSecret, readCookie } from '../../services/sign-in/session-cookies.ts';
import { PASSKEY_SCRIPT } from './passkey-script.ts';
import { renderPasskeyEnrolment, renderPasskeys } from './sign-in-html.ts';
import type { UserRecord } from '../../../store/contract.ts';
import { hashEnrolmentToken, PASSKEY_ENROLMENT_PATH } from '../../services/registry/passkey-enrolment.ts';
import { SIGN_IN_PAGE_HEADERS, throttledMessage } from './sign-in-routes.ts';
import { requestFacts } from '../../middleware/request-id.ts';

/** The @simplewebauthn/browser bundle (a UMD script defining `SimpleWebAuthnBrowser`), read once. */
function readBrowserLibrary(): string {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return readFileSync(join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

/** Registers the passkey routes (after registerSignInRoutes). */
export function registerPasskeyRoutes(app: Hono, ctx: ServerContext): void {
  const { signIn } = ctx;
  const { cookies, basePath } = signIn;
  const rp = relyingPartyOf(ctx.issuer);
  const challengeCookie = cookies.session.replace('session', 'webauthn');
  const library = readBrowserLibrary();
  const script = (body: string) => () => new Response(body, { headers: { ...SIGN_IN_PAGE_HEADERS, 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' } });

  const json = (body: unknown, status = 200, setCookies: readonly string[] = [], extra: Record<string, string> = {}): Response => {
    const headers = new Headers({ ...SIGN_IN_PAGE_HEADERS, 'content-type': 'application/json', ...extra });
    for (const cookie of setCookies) headers.append('set-cookie', cookie);
    return new Response(JSON.stringify(body), { status, headers });
  };
  const refuse = (status: number, error: string, description: string, setCookies: readonly string[] = [], extra: Record<string, string> = {}) => json({ error, error_description: description }, status, setCookies, extra);
  const audit = (c: Context, type: string, details: Record<string, unknown>): void => {
    ctx.audit.write({ time: new Date(ctx.clock()), type, ...requestFacts(c, ctx.config.server.trustProxy), details });
  };
  /** The JSON body with a valid CSRF token, or the refusal to send. */
  const readCheckedBody = async (c: Context): Promise<Record<string, unknown> | Response> => {
    const type = (c.req.header('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== 'application/json') return refuse(415, 'invalid_request', 'send the body as application/json');
    let body: unknown;
    try {
      body = JSON.parse(await readContextBody(c, ctx.config.server.maxBodyBytes));
    } catch (error) {
      if (error instanceof OAuthError) return refuse(error.status, 'invalid_request', error.description);
      return refuse(400, 'invalid_request', 'the body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse(400, 'invalid_request', 'the body must be a JSON object');
    const record = body as Record<string, unknown>;
    const token = typeof record.csrf_token === 'string' ? record.csrf_token : undefined;
    if (!checkCsrfToken(readCookie(c.req.header('cookie'), cookies.preSession), token)) {
      audit(c, 'user.sign_in_refused', { outcome: 'csrf_token_invalid' });
      return refuse(403, 'access_denied', 'this page expired: reload it and try again');
    }
    return record;
  };
  const challengeOf = (c: Context) => readCookie(c.req.header('cookie'), challengeCookie);
  const setChallenge = (challenge: string) => cookies.serialize(challengeCookie, challenge, CHALLENGE_SECONDS);
  const clearChallenge = cookies.serialize(challengeCookie, '', 0);
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

  app.get('/sign-in/webauthn.js', script(library));
  app.get('/sign-in/passkey.js', script(PASSKEY_SCRIPT));

  app.post('/sign-in/passkey/options', async (c) => {
    const body = await readCheckedBody(c);
    if (body instanceof Response) return body;
    const options = await createAuthenticationOptions(rp);
    return json(options, 200, [setChallenge(options.challenge)]);
  });

  app.post('/sign-in/passkey', async (c) => {
    const body = await readCheckedBody(c);
    if (body instanceof Response) return body;
    const address = getSourceAddress(c, ctx.config.server.trustProxy) ?? 'unknown';
    const { retryAfter, limit } = await signIn.throttle.blockedFor(undefined, address);
    if (retryAfter > 0) {
      audit(c, 'user.sign_in_throttled', { outcome: 'throttled', method: 'passkey', limit });
      return refuse(429, 'slow_down', throttledMessage(retryAfter, limit), [], { 'retry-after': String(retryAfter) });
    }
    if (!isObject(body.response)) return refuse(400, 'invalid_request', 'response must be the passkey\'s answer');
    const result = await verifyPasskeySignIn(ctx.store, rp, body.response as unknown as AuthenticationResponseJSON, challengeOf(c), new Date(ctx.clock()));
    const failed = typeof result === 'string' ? result : result.user.status !== 'active' ? 'disabled' : undefined;
    if (failed !== undefined) {
      await signIn.throttle.recordFailure(undefined, address);
      audit(c, 'user.sign_in_failed', { outcome: failed, method: 'passkey', ...(typeof result === 'string' ? {} : { sub: result.user.sub }) });
      return refuse(401, 'access_denied', 'this passkey could not sign you in', [clearChallenge]);
    }
    const { user } = result as Exclude<typeof result, string>;
    await signIn.throttle.recordSuccess(undefined, address);
    // OWASP Session Fixation: a new id; the session this browser carried ends.
    const { session, setCookie } = await signIn.start(user.sub, ['hwk', 'user'], signIn.sessionIdOf(c.req.raw));
    await ctx.store.users.updateUser(user.sub, { lastSignInAt: new Date(session.authTime * 1000), updatedAt: user.updatedAt });
    audit(c, 'user.signed_in', { sub: user.sub, amr: session.amr });
    const returnTo = isAllowedReturnTo(body.return_to) ? body.return_to : undefined;
    return json({ location: `${basePath}${returnTo ?? '/sign-in/done'}` }, 200, [setCookie, clearChallenge]);
  });

  /** A page whose script posts with the CSRF token of the pre-session cookie (set here when missing). */
  const pageWithPreSession = (c: Context, render: (csrfToken: string) => string): Response => {
    const existing = readCookie(c.req.header('cookie'), cookies.preSession);
    const secret = existing ?? newCookieSecret();
    const headers = new Headers({ ...SIGN_IN_PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' });
    if (existing === undefined) headers.append('set-cookie', cookies.serialize(cookies.preSession, secret));
    return new Response(render(csrfTokenFor(secret)), { headers });
  };

  app.get('/sign-in/passkeys', async (c) => {
    const current = await signIn.current(c.req.raw);
    const user = current === null ? undefined : await ctx.store.users.getUser(current.sub);
    if (user === undefined) return new Response('', { status: 303, headers: { ...SIGN_IN_PAGE_HEADERS, location: `${basePath}/sign-in` } });
    const passkeys = await ctx.store.users.listPasskeys(user.sub);
    return pageWithPreSession(c, (csrfToken) => renderPasskeys({ basePath, csrfToken, username: user.username, passkeys }));
  });

  app.post('/sign-in/passkeys/options', async (c) => {
    const body = await readCheckedBody(c);
    if (body instanceof Response) return body;
    const current = await signIn.current(c.req.raw);
    const user = current === null ? undefined : await ctx.store.users.getUser(current.sub);
    if (user === undefined) return refuse(401, 'access_denied', 'sign in first');
    const options = await createRegistrationOptions(ctx.store, rp, user);
    return json(options, 200, [setChallenge(options.challenge)]);
  });

  app.post('/sign-in/passkeys', async (c) => {
    const body = await readCheckedBody(c);
    if (body instanceof Response) return body;
    const current = await signIn.current(c.req.raw);
    const user = current === null ? undefined : await ctx.store.users.getUser(current.sub);
    if (user === undefined) return refuse(401, 'access_denied', 'sign in first');
    if (!isObject(body.response)) return refuse(400, 'invalid_request', 'response must be the authenticator\'s answer');
    const result = await registerPasskey(ctx.store, rp, user, body.response as unknown as RegistrationResponseJSON, challengeOf(c), new Date(ctx.clock()));
    if (typeof result === 'string') {
      audit(c, 'user.passkey_refused', { sub: user.sub, outcome: result });
      return refuse(400, 'invalid_request', result === 'already_registered' ? 'this passkey is already registered' : 'the passkey could not be added: try again', [clearChallenge]);
    }
    audit(c, 'user.passkey_added', { sub: user.sub, transports: result.transports });
    return json({ added: true, created_at: result.createdAt.toISOString() }, 201, [clearChallenge]);
  });

  /** The enrolment a posted link secret names (unused, unexpired) and its active user, or the refusal to send. */
  const readEnrolment = async (c: Context, body: Record<string, unknown>): Promise<{ tokenHash: string; user: UserRecord } | Response> => {
    const address = getSourceAddress(c, ctx.config.server.trustProxy) ?? 'unknown';
    // Not a sign-in: only the address's failures hold it back.
    const { retryAfter, limit } = await signIn.throttle.blockedFor(undefined, address, { signIn: false });
    if (retryAfter > 0) {
      audit(c, 'user.sign_in_throttled', { outcome: 'throttled', method: 'passkey_enrolment', limit });
      return refuse(429, 'slow_down', throttledMessage(retryAfter, limit), [], { 'retry-after': String(retryAfter) });
    }
    const token = typeof body.enrolment_token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(body.enrolment_token) ? body.enrolment_token : undefined;
    const tokenHash = token === undefined ? undefined : hashEnrolmentToken(token);
    const enrolment = tokenHash === undefined ? undefined : await ctx.store.users.findPasskeyEnrolment(tokenHash, new Date(ctx.clock()));
    const user = enrolment === undefined ? undefined : await ctx.store.users.getUser(enrolment.sub);
    if (tokenHash === undefined || user === undefined || user.status !== 'active') {
      await signIn.throttle.recordFailure(undefined, address);
      audit(c, 'user.passkey_refused', { outcome: 'enrolment_link_invalid', method: 'passkey_enrolment', ...(user ? { sub: user.sub } : {}) });
      return refuse(400, 'invalid_request', 'this link has expired or was already used: ask your administrator for a new one');
    }
    return { tokenHash, user };
  };

  app.get(PASSKEY_ENROLMENT_PATH, (c) => pageWithPreSession(c, (csrfToken) => renderPasskeyEnrolment({ basePath, csrfToken })));

  app.post(`${PASSKEY_ENROLMENT_PATH}/options`, async (c) => {
    const body = await readCheckedBody(c);
    if (body instanceof Response) return body;
    const enrolment = await readEnrolment(c, body);
    if (enrolment instanceof Response) return enrolment;
    const options = await createRegistrationOptions(ctx.store, rp, enrolment.user);
    return json(options, 200, [setChallenge(options.challenge)]);
  });

  app.post(PASSKEY_ENROLMENT_PATH, async (c) => {
    const body = await readCheckedBody(c);
    if (body instanceof Response) return body;
    const enrolment = await readEnrolment(c, body);
    if (enrolment instanceof Response) return enrolment;
    const { user, tokenHash } = enrolment;
    if (!isObject(body.response)) return refuse(400, 'invalid_request', 'response must be the authenticator\'s answer');
    const result = await registerPasskey(ctx.store, rp, user, body.response as unknown as RegistrationResponseJSON, challengeOf(c), new Date(ctx.clock()));
    if (typeof result === 'string') {
      audit(c, 'user.passkey_refused', { sub: user.sub, outcome: result, method: 'passkey_enrolment' });
      return refuse(400, 'invalid_request', result === 'already_registered' ? 'this passkey is already registered' : 'the passkey could not be added: try again', [clearChallenge]);
    }
    // The link registers one passkey: used up now, atomically; the loser of a race keeps nothing.
    if ((await ctx.store.users.consumePasskeyEnrolment(tokenHash, new Date(ctx.clock()))) === undefined) {
      await ctx.store.users.deletePasskey(user.sub, result.credentialId);
      audit(c, 'user.passkey_refused', { sub: user.sub, outcome: 'enrolment_link_used', method: 'passkey_enrolment' });
      return refuse(400, 'invalid_request', 'this link was already used: ask your administrator for a new one', [clearChallenge]);
    }
    audit(c, 'user.passkey_added', { sub: user.sub, transports: result.transports, method: 'passkey_enrolment' });
    return json({ added: true, created_at: result.createdAt.toISOString(), location: `${basePath}/sign-in` }, 201, [clearChallenge]);
  });
}
