/**
 * The authorization code flow over real HTTP (RFC 6749 §4.1, RFC 7636, RFC 9126, RFC 9207, OIDC
 * Core, FAPI 2.0), with the SignInPort test double standing in for end-user sign-in: sign-in
 * redirect and resume, consent (remembered, CSRF-bound), code + PKCE at the token endpoint with
 * private_key_jwt, ID token and access token verified with jose against /jwks, refresh rotation,
 * UserInfo, RP-initiated logout and discovery. The attacks live in
 * test/conformance/authorization-code-attacks.test.ts.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { computeAtHash } from '../../packages/core/src/tokens/id-token.ts';
import { createSignInTestDouble } from './sign-in-test-double.ts';
import { addCodeClient, authorizeUrl, exchangeCode, follow, pkcePair, refresh, runToCode, type CodeClient } from './authorization-helpers.ts';
import { runKeyward } from '../cli/run-cli.ts';
import { addTestClient, assertionFor, CLIENT_ASSERTION_TYPE, flushAudit, postForm, readAnswer, requestToken, startTestServer } from './helpers.ts';
import { createRegistryContext, revokeConsent } from '../../packages/keyward/src/server/services/registry/index.ts';

const signIn = createSignInTestDouble();
let server: Awaited<ReturnType<typeof startTestServer>>;
let client: CodeClient;

before(async () => {
  server = await startTestServer({ signIn });
  signIn.addUser({ sub: 'user-1', preferred_username: 'alice', name: 'Alice <b>Liddell</b>', email: 'alice@example.com' });
  client = await addCodeClient(server, { name: 'Photos <script>alert(1)</script>', postLogoutRedirectUris: ['https://rp.example/bye'] });
});
after(async () => { await server.stop(); });

test('full flow: sign-in redirect, resume, consent page, code with state and iss, tokens verified with jose', async () => {
  const pkce = pkcePair();
  // 1. No session: to the sign-in page, with a return link that resumes this request.
  const first = await follow(server, authorizeUrl(server, client, { state: 'st-1', nonce: 'n-1', challenge: pkce.challenge, scope: 'openid profile email' }));
  assert.equal(first.status, 303);
  const signInLocation = new URL(first.headers.get('location')!, server.url);
  assert.equal(signInLocation.pathname, '/test-sign-in');
  const returnTo = signInLocation.searchParams.get('return_to')!;
  assert.match(returnTo, /^\/authorize\/resume\?id=[A-Za-z0-9_-]{22}$/);
  assert.doesNotMatch(returnTo, /code_challenge|state|nonce/, 'only the id of the stored request travels');
  // 2. Signed in: the consent page, escaped, with a strict CSP.
  const cookie = signIn.signIn('user-1');
  const consent = await follow(server, returnTo, { cookie });
  assert.equal(consent.status, 200);
  assert.match(consent.headers.get('content-security-policy') ?? '', /default-src 'none'.*form-action 'self' https:\/\/rp\.example;.*frame-ancestors 'none'/);
  assert.equal(consent.headers.get('x-frame-options'), 'DENY');
  assert.ok(!consent.text.includes('<script>alert(1)</script>'), 'the client name is escaped');
  assert.ok(consent.text.includes('Photos &#60;script&#62;'));
  assert.match(consent.text, /See your email address/);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(consent.text)![1]!;
  const requestId = /name="request_id" value="([^"]+)"/.exec(consent.text)![1]!;
  // 3. Allow: the code, the state and RFC 9207 iss.
  const allowed = await follow(server, '/authorize/consent', { cookie, form: { request_id: requestId, csrf_token: csrf, decision: 'allow' } });
  assert.equal(allowed.status, 303);
  const back = new URL(allowed.headers.get('location')!);
  assert.equal(`${back.origin}${back.pathname}`, client.redirectUri);
  assert.equal(back.searchParams.get('state'), 'st-1');
  assert.equal(back.searchParams.get('iss'), server.issuer);
  const code = back.searchParams.get('code')!;
  assert.ok(Buffer.from(code, 'base64url').length >= 16, 'at least 128 bits');
  // 4. The token endpoint: private_key_jwt + code_verifier.
  const tokens = await exchangeCode(server, client, code, pkce.verifier);
  assert.equal(tokens.status, 200, tokens.text);
  assert.equal(tokens.headers.get('cache-control'), 'no-store');
  const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
  const idToken = await jwtVerify(tokens.json.id_token as string, jwks, { issuer: server.issuer, audience: client.clientId });
  assert.equal(idToken.payload.sub, 'user-1');
  assert.equal(idToken.payload.nonce, 'n-1');
  assert.equal(idToken.payload.at_hash, computeAtHash(tokens.json.access_token as string, 'ES256'));
  assert.equal(typeof idToken.payload.auth_time, 'number');
  assert.equal(idToken.payload.email, 'alice@example.com');
  assert.equal(idToken.protectedHeader.typ, 'JWT');
  assert.equal(idToken.payload.sid, undefined, 'the session id never leaves the server');
  const access = await jwtVerify(tokens.json.access_token as string, jwks, { issuer: server.issuer, typ: 'at+jwt' });
  assert.equal(access.payload.sub, 'user-1');
  assert.equal(access.payload.client_id, client.clientId);
  assert.equal(access.payload.scope, 'openid profile email');
  assert.equal(access.payload.auth_time, idToken.payload.auth_time);
  assert.equal(typeof tokens.json.refresh_token, 'string');
  // 5. UserInfo with that access token: the claims the scopes allow.
  const userinfo = await readAnswer(await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.json.access_token as string}` } }));
  assert.equal(userinfo.status, 200, userinfo.text);
  assert.deepEqual(userinfo.json, { sub: 'user-1', preferred_username: 'alice', name: 'Alice <b>Liddell</b>', email: 'alice@example.com' });
  // 6. A second authorization: the consent is remembered, the code comes at once.
  const again = await runToCode(server, client, { cookie, scope: 'openid profile' });
  assert.ok(again.code);
});

test('refresh: rotation on every use, the new refresh token works, the old one is refused', async () => {
  const cookie = signIn.signIn('user-1');
  const { code, verifier } = await runToCode(server, client, { cookie, scope: 'openid profile offline_access' });
  const first = await exchangeCode(server, client, code!, verifier);
  const second = await refresh(server, client, first.json.refresh_token as string);
  assert.equal(second.status, 200, second.text);
  assert.notEqual(second.json.refresh_token, first.json.refresh_token);
  assert.equal(decodeJwt(second.json.access_token as string).sub, 'user-1');
  assert.equal(decodeJwt(second.json.id_token as string).nonce, undefined);
  const narrowed = await refresh(server, client, second.json.refresh_token as string, { scope: 'openid' });
  assert.equal(narrowed.status, 200, narrowed.text);
  assert.equal(narrowed.json.scope, 'openid');
  const third = await refresh(server, client, narrowed.json.refresh_token as string);
  assert.equal(third.json.scope, 'openid profile offline_access', 'the refresh token keeps the original scopes');
});

test('prompt=none without a session is login_required; prompt=login and max_age send a signed-in user to sign in again', async () => {
  const pkce = pkcePair();
  const none = await follow(server, authorizeUrl(server, client, { challenge: pkce.challenge, state: 's', extra: { prompt: 'none' } }));
  const location = new URL(none.headers.get('location')!);
  assert.equal(location.searchParams.get('error'), 'login_required');
  assert.equal(location.searchParams.get('state'), 's');
  assert.equal(location.searchParams.get('iss'), server.issuer);
  const old = signIn.signIn('user-1', { authTime: Math.floor(Date.now() / 1000) - 3600 });
  const maxAge = await follow(server, authorizeUrl(server, client, { challenge: pkce.challenge, extra: { max_age: '60' } }), { cookie: old });
  assert.match(maxAge.headers.get('location') ?? '', /^\/test-sign-in\?return_to=%2Fauthorize%2Fresume/);
  const login = await follow(server, authorizeUrl(server, client, { challenge: pkce.challenge, extra: { prompt: 'login' } }), { cookie: old });
  const returnTo = new URL(login.headers.get('location')!, server.url).searchParams.get('return_to')!;
  assert.match(returnTo, /^\/authorize\/resume\?id=/);
  // Still the old sign-in: the resume sends to sign-in again; after a fresh one, the code.
  assert.match((await follow(server, returnTo, { cookie: old })).headers.get('location') ?? '', /^\/test-sign-in/);
  const fresh = signIn.signIn('user-1');
  const done = await follow(server, returnTo, { cookie: fresh });
  assert.match(done.headers.get('location') ?? '', /[?&]code=/);
  // The resumed request is used up by its code.
  assert.equal((await follow(server, returnTo, { cookie: fresh })).status, 400);
});

test('consent: deny redirects access_denied; a token of another session or none is refused 403', async () => {
  const other = await addCodeClient(server, { name: 'Other', slot: 2 });
  const cookie = signIn.signIn('user-1');
  const page = await follow(server, authorizeUrl(server, other, { challenge: pkcePair().challenge, state: 'x' }), { cookie });
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)![1]!;
  const requestId = /name="request_id" value="([^"]+)"/.exec(page.text)![1]!;
  const otherSession = signIn.signIn('user-1');
  const forged = await follow(server, '/authorize/consent', { cookie: otherSession, form: { request_id: requestId, csrf_token: csrf, decision: 'allow' } });
  assert.equal(forged.status, 403);
  assert.equal(forged.headers.get('location'), null);
  assert.match(forged.text, /consent_csrf_invalid/);
  const missing = await follow(server, '/authorize/consent', { cookie, form: { request_id: requestId, decision: 'allow' } });
  assert.equal(missing.status, 403);
  const denied = await follow(server, '/authorize/consent', { cookie, form: { request_id: requestId, csrf_token: csrf, decision: 'deny' } });
  const location = new URL(denied.headers.get('location')!);
  assert.equal(location.searchParams.get('error'), 'access_denied');
  assert.equal(location.searchParams.get('state'), 'x');
});

test('RP-initiated logout: id_token_hint + registered post_logout_redirect_uri ends the session and returns with state', async () => {
  const cookie = signIn.signIn('user-1');
  const { code, verifier } = await runToCode(server, client, { cookie, scope: 'openid' });
  const tokens = await exchangeCode(server, client, code!, verifier);
  const hint = tokens.json.id_token as string;
  const unregistered = await follow(server, `/end-session?id_token_hint=${hint}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`, { cookie });
  assert.equal(unregistered.status, 400);
  assert.equal(unregistered.headers.get('location'), null);
  assert.equal(signIn.ended.length, 0);
  const forged = await follow(server, `/end-session?id_token_hint=${hint.slice(0, -4)}AAAA`, { cookie });
  assert.match(forged.text, /id_token_hint_invalid/);
  const out = await follow(server, `/end-session?id_token_hint=${hint}&post_logout_redirect_uri=${encodeURIComponent('https://rp.example/bye')}&state=bye-1`, { cookie });
  assert.equal(out.status, 303);
  assert.equal(out.headers.get('location'), 'https://rp.example/bye?state=bye-1');
  assert.equal(signIn.ended.length, 1);
  assert.equal(await signIn.current(new Request('http://x', { headers: { cookie } })), null);
});

test('RP-initiated logout without id_token_hint asks the end user (Logout §2): a CSRF-bound form ends the session only when confirmed', async () => {
  const cookie = signIn.signIn('user-1');
  const live = async (who: string) => (await signIn.current(new Request('http://x', { headers: { cookie: who } }))) !== null;
  const ask = async (who = cookie) => {
    const page = await follow(server, `/end-session?client_id=${client.clientId}&post_logout_redirect_uri=${encodeURIComponent('https://rp.example/bye')}&state=bye-2`, { cookie: who });
    assert.equal(page.status, 200, page.text);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'.*form-action 'self' https:\/\/rp\.example;.*frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.text, /Sign out\?/);
    assert.match(page.text, /alice/);
    return { logoutId: /name="logout_id" value="([^"]+)"/.exec(page.text)![1]!, csrf: /name="csrf_token" value="([^"]+)"/.exec(page.text)![1]! };
  };
  const endedBefore = signIn.ended.length;
  const { logoutId, csrf } = await ask();
  assert.equal(await live(cookie), true, 'asking ends nothing');
  // A forged form (no token, a wrong token, or the token from another session's browser) ends nothing.
  const confirm = (who: string, form: Record<string, string>) => follow(server, '/end-session/confirm', { cookie: who, form });
  for (const form of [{ logout_id: logoutId, decision: 'sign_out' } as Record<string, string>, { logout_id: logoutId, csrf_token: `${csrf.slice(0, -2)}AA`, decision: 'sign_out' }]) {
    const forged = await confirm(cookie, form);
    assert.equal(forged.status, 403);
    assert.match(forged.text, /logout_csrf_invalid/);
  }
  const other = signIn.signIn('user-1');
  assert.equal((await confirm(other, { logout_id: logoutId, csrf_token: csrf, decision: 'sign_out' })).status, 403, 'bound to the session');
  assert.equal(await live(cookie), true);
  assert.equal(signIn.ended.length, endedBefore);
  // Confirmed: the session ends, on to the registered URI with the state.
  const out = await confirm(cookie, { logout_id: logoutId, csrf_token: csrf, decision: 'sign_out' });
  assert.equal(out.status, 303, out.text);
  assert.equal(out.headers.get('location'), 'https://rp.example/bye?state=bye-2');
  assert.equal(await live(cookie), false);
  assert.equal(await live(other), true, 'only this session');
  // "Stay signed in": the session is kept, and the answer is single use.
  const second = await ask(other);
  const stay = await confirm(other, { logout_id: second.logoutId, csrf_token: second.csrf, decision: 'stay' });
  assert.equal(stay.status, 303);
  assert.equal(await live(other), true);
  assert.equal((await confirm(other, { logout_id: second.logoutId, csrf_token: second.csrf, decision: 'sign_out' })).status, 403, 'used once');
  assert.equal(await live(other), true);
  // Nobody signed in: nothing to ask.
  const anonymous = await follow(server, '/end-session');
  assert.equal(anonymous.status, 200);
  assert.match(anonymous.text, /not signed in/);
});

test('UserInfo (OIDC Core §5.3.1, RFC 6750 §2.2): the token as the form body parameter access_token on POST; header and body together is invalid_request', async () => {
  const cookie = signIn.signIn('user-1');
  const { code, verifier } = await runToCode(server, client, { cookie, scope: 'openid profile' });
  const token = (await exchangeCode(server, client, code!, verifier)).json.access_token as string;
  const inBody = await postForm(`${server.url}/userinfo`, { access_token: token });
  assert.equal(inBody.status, 200, inBody.text);
  assert.equal(inBody.json.sub, 'user-1');
  assert.equal(inBody.json.preferred_username, 'alice');
  // RFC 6750 §2: exactly one method per request.
  const both = await postForm(`${server.url}/userinfo`, { access_token: token }, { authorization: `Bearer ${token}` });
  assert.equal(both.status, 400, both.text);
  assert.equal(both.json.error, 'invalid_request');
  assert.match(both.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
  // The header alone on POST still works; a form body without the token does not hide it.
  assert.equal((await postForm(`${server.url}/userinfo`, { other: 'x' }, { authorization: `Bearer ${token}` })).status, 200);
  // A body token is read like a header token: malformed or repeated is invalid_request, unknown is invalid_token.
  assert.equal((await postForm(`${server.url}/userinfo`, `access_token=${encodeURIComponent('not a token')}`)).json.error, 'invalid_request');
  assert.equal((await postForm(`${server.url}/userinfo`, `access_token=${token}&access_token=${token}`)).status, 400);
  const forged = await postForm(`${server.url}/userinfo`, { access_token: `${token.slice(0, -4)}AAAA` });
  assert.equal(forged.status, 401);
  assert.equal(forged.json.error, 'invalid_token');
  // Nothing at all: 401 with a challenge and no error code (RFC 6750 §3.1).
  const none = await postForm(`${server.url}/userinfo`, {});
  assert.equal(none.status, 401);
});

test('discovery advertises the authorization code flow on both well-known paths', async () => {
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const m = (await readAnswer(await fetch(`${server.url}${path}`))).json;
    assert.equal(m.authorization_endpoint, `${server.issuer}/authorize`);
    assert.equal(m.pushed_authorization_request_endpoint, `${server.issuer}/par`);
    assert.equal(m.require_pushed_authorization_requests, false);
    assert.deepEqual(m.response_types_supported, ['code']);
    assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
    assert.equal(m.authorization_response_iss_parameter_supported, true);
    assert.equal(m.userinfo_endpoint, `${server.issuer}/userinfo`);
    assert.equal(m.end_session_endpoint, `${server.issuer}/end-session`);
    assert.deepEqual(m.id_token_signing_alg_values_supported, ['ES256']);
    assert.deepEqual(m.subject_types_supported, ['public']);
    assert.ok((m.scopes_supported as string[]).includes('openid'));
    assert.ok((m.claims_supported as string[]).includes('preferred_username'));
    for (const grant of ['authorization_code', 'refresh_token', 'client_credentials']) assert.ok((m.grant_types_supported as string[]).includes(grant), grant);
  }
});

test('consents: listed and revoked through the admin API and `keyward consents`; revoking one revokes its tokens and asks again', async () => {
  const admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'consent-admin' });
  const adminToken = (await requestToken(server, admin, { scope: 'keyward:admin' })).json.access_token as string;
  const adminCall = async (method: string, path: string) => readAnswer(await fetch(`${server.url}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${adminToken}` } }));
  signIn.addUser({ sub: 'user-2', preferred_username: 'bob' });
  const cookie = signIn.signIn('user-2');
  const { code, verifier } = await runToCode(server, client, { cookie, scope: 'openid profile' });
  const tokens = await exchangeCode(server, client, code!, verifier);
  const listed = await adminCall('GET', '/users/user-2/consents');
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual((listed.json.consents as { client_id: string; scope: string }[]).map((c) => [c.client_id, c.scope]), [[client.clientId, 'openid profile']]);
  const revoked = await adminCall('DELETE', `/users/user-2/consents/${client.clientId}`);
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(revoked.json.tokens_revoked, 1);
  assert.equal((await adminCall('DELETE', `/users/user-2/consents/${client.clientId}`)).status, 404);
  assert.equal((await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.json.access_token as string}` } })).status, 401);
  assert.equal((await refresh(server, client, tokens.json.refresh_token as string)).status, 400);
  // The next request shows the consent page again.
  const page = await follow(server, authorizeUrl(server, client, { challenge: pkcePair().challenge }), { cookie });
  assert.match(page.text, /csrf_token/);
  // The CLI on the same data directory.
  await runToCode(server, client, { cookie, scope: 'openid' });
  const env = { KEYWARD_DATA_DIR: server.dataDir };
  const list = await runKeyward(['consents', 'list', 'user-2', '--json'], { env });
  assert.equal(list.code, 0, list.stderr);
  assert.equal((JSON.parse(list.stdout) as { client_id: string }[])[0]?.client_id, client.clientId);
  const cliRevoke = await runKeyward(['consents', 'revoke', 'user-2', client.clientId], { env });
  assert.equal(cliRevoke.code, 0, cliRevoke.stderr);
  assert.match(cliRevoke.stdout, /revoked the consent of user-2/);
  const again = await runKeyward(['consents', 'revoke', 'user-2', client.clientId], { env });
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /has no consent/);
});

test('consents: a code issued before its consent was revoked is refused after it (consent_revoked), also once the user consents again', async () => {
  signIn.addUser({ sub: 'user-3', preferred_username: 'carol' });
  const cookie = signIn.signIn('user-3');
  const before = await runToCode(server, client, { cookie, scope: 'openid profile' });
  // A second code under the same consent (no page this time): both are bound to it.
  const second = await runToCode(server, client, { cookie, scope: 'openid' });
  const kept = await exchangeCode(server, client, second.code!, second.verifier);
  assert.equal(kept.status, 200, kept.text);
  await revokeConsent(createRegistryContext(server.context.store), { sub: 'user-3', clientId: client.clientId, actor: 'test' });
  assert.equal((await refresh(server, client, kept.json.refresh_token as string)).status, 400, 'the refresh tokens of the user at the client are revoked');
  // The end user consents again: a new consent, and the code of the revoked one stays refused.
  const fresh = await runToCode(server, client, { cookie, scope: 'openid' });
  const refused = await exchangeCode(server, client, before.code!, before.verifier);
  assert.equal(refused.status, 400, refused.text);
  assert.equal(refused.json.error, 'invalid_grant');
  assert.match(String(refused.json.error_description), /revoked the consent/);
  await flushAudit(server);
  const [event] = await server.context.store.audit.queryAudit({ type: 'token.refused', reason: 'consent_revoked' });
  assert.ok(event, 'audited with its reason');
  assert.equal((await exchangeCode(server, client, fresh.code!, fresh.verifier)).status, 200, 'a code of the new consent is good');
});

test('consents: revoking one also revokes the access tokens a client without refresh tokens got straight from codes', async () => {
  const noRefresh = await addCodeClient(server, { refresh: false, slot: 7 });
  signIn.addUser({ sub: 'user-9', preferred_username: 'ida' });
  const cookie = signIn.signIn('user-9');
  const flow = await runToCode(server, noRefresh, { cookie, scope: 'openid read' });
  const tokens = await exchangeCode(server, noRefresh, flow.code!, flow.verifier);
  assert.equal(tokens.status, 200, tokens.text);
  assert.equal(tokens.json.refresh_token, undefined);
  const jti = JSON.parse(Buffer.from((tokens.json.access_token as string).split('.')[1]!, 'base64url').toString()).jti as string;
  assert.equal((await server.context.store.tokens.getToken(jti))?.revoked, false);
  const result = await revokeConsent(createRegistryContext(server.context.store), { sub: 'user-9', clientId: noRefresh.clientId, actor: 'test' });
  assert.equal(result.accessTokens, 1);
  assert.equal((await server.context.store.tokens.getToken(jti))?.revoked, true, 'the access token from the code is revoked');
});

/**
 * Runs `request` while a revocation of the consent of `sub` to `client` lands between the token
 * endpoint's store calls: right after the refresh token of the response is stored (the access token
 * is stored before it). Returns the answer and the access token's jti the endpoint recorded.
 */
async function withRevocationInFlight(sub: string, clientId: string, request: () => Promise<Awaited<ReturnType<typeof refresh>>>) {
  const authorizations = server.context.store.authorizations;
  const tokens = server.context.store.tokens;
  const [putRefreshToken, recordToken] = [authorizations.putRefreshToken, tokens.recordToken];
  let jti: string | undefined;
  let grantId: string | undefined;
  tokens.recordToken = async (token) => { jti = token.jti; return recordToken.call(tokens, token); };
  authorizations.putRefreshToken = async (token) => {
    await putRefreshToken.call(authorizations, token);
    grantId = token.grantId;
    await revokeConsent(createRegistryContext(server.context.store), { sub, clientId, actor: 'test' });
  };
  try {
    return { answer: await request(), jti: jti!, grantId: grantId! };
  } finally {
    Object.assign(authorizations, { putRefreshToken });
    Object.assign(tokens, { recordToken });
  }
}

test('consents: a revocation that lands while the token endpoint answers a code or a refresh leaves none of its tokens alive (consent_revoked)', async () => {
  signIn.addUser({ sub: 'user-11', preferred_username: 'kim' });
  const cookie = signIn.signIn('user-11');
  const flow = await runToCode(server, client, { cookie, scope: 'openid offline_access' });
  const code = await withRevocationInFlight('user-11', client.clientId, () => exchangeCode(server, client, flow.code!, flow.verifier));
  assert.equal(code.answer.status, 400, code.answer.text);
  assert.equal(code.answer.json.error, 'invalid_grant');
  assert.match(String(code.answer.json.error_description), /revoked the consent/);
  assert.equal((await server.context.store.tokens.getToken(code.jti))?.revoked, true, 'the access token stored before the revocation is revoked');
  assert.equal(await server.context.store.authorizations.revokeRefreshTokens(code.grantId), 0, 'no refresh token of the grant is left to revoke');

  // The same for a refresh: the family was issued under a consent, which is revoked mid-request.
  const again = await runToCode(server, client, { cookie, scope: 'openid offline_access' });
  const tokens = await exchangeCode(server, client, again.code!, again.verifier);
  assert.equal(tokens.status, 200, tokens.text);
  const refreshed = await withRevocationInFlight('user-11', client.clientId, () => refresh(server, client, tokens.json.refresh_token as string));
  assert.equal(refreshed.answer.status, 400, refreshed.answer.text);
  assert.match(String(refreshed.answer.json.error_description), /revoked the consent/);
  assert.equal((await server.context.store.tokens.getToken(refreshed.jti))?.revoked, true);
  assert.equal(await server.context.store.authorizations.revokeRefreshTokens(refreshed.grantId), 0);
});

test('RFC 7009: a client revokes its refresh token at /revoke, which revokes the grant; another client cannot', async () => {
  const cookie = signIn.signIn('user-1');
  const { code, verifier } = await runToCode(server, client, { cookie, scope: 'openid' });
  const tokens = await exchangeCode(server, client, code!, verifier);
  const revoke = async (who: CodeClient) => postForm(`${server.url}/revoke`, {
    token: tokens.json.refresh_token as string, token_type_hint: 'refresh_token',
    client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, who),
  });
  const stranger = await addCodeClient(server, { slot: 7 });
  const refused = await revoke(stranger);
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error, 'unauthorized_client');
  assert.equal((await revoke(client)).status, 200);
  assert.equal((await refresh(server, client, tokens.json.refresh_token as string)).status, 400);
  assert.equal((await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.json.access_token as string}` } })).status, 401, 'the access tokens of the grant too (RFC 7009 §2.1)');
});

test('metrics: the authorization endpoints have route labels of their own', async () => {
  await follow(server, '/authorize/resume?id=nothing');
  await fetch(`${server.url}/userinfo`);
  await fetch(`${server.url}/par`, { method: 'POST' });
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /keyward_http_request_duration_seconds_count\{[^}]*route="\/authorize"/);
  assert.match(metrics, /keyward_http_request_duration_seconds_count\{[^}]*route="\/userinfo"/);
  assert.match(metrics, /keyward_http_request_duration_seconds_count\{[^}]*route="\/par"/);
});
