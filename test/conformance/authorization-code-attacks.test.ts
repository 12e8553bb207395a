/**
 * Attacks on the authorization code flow, each refused with its reason code (read back from the
 * audit log; redirected errors also carry the wire code, state and iss; error pages carry the reason
 * and never a Location): code replay (and the revocation of the tokens issued from it), a code used
 * by another client or with another redirect_uri, PKCE missing, wrong or `plain`, redirect URIs that
 * differ by one character, an open redirect through an unknown client, pushed requests used twice or
 * by another client, refresh-token reuse (the family is revoked), an expired code.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createSignInTestDouble } from '../server/sign-in-test-double.ts';
import { addCodeClient, authorizeUrl, exchangeCode, follow, pkcePair, pushRequest, refresh, runToCode, type CodeClient } from '../server/authorization-helpers.ts';
import { updateClient } from '../../packages/keyward/src/server/services/registry/index.ts';
import { assertionFor, CLIENT_ASSERTION_TYPE, flushAudit, postForm, startTestServer, type Answer } from '../server/helpers.ts';

let offset = 0;
const clock = (): number => Math.floor(Date.now() / 1000) + offset;
const signIn = createSignInTestDouble(clock);
let server: Awaited<ReturnType<typeof startTestServer>>;
let client: CodeClient;
let other: CodeClient;
let cookie: string;

before(async () => {
  server = await startTestServer({ signIn, clock: () => clock() * 1000 });
  signIn.addUser({ sub: 'victim', preferred_username: 'victim' });
  client = await addCodeClient(server, { consent: 'implicit', redirectUris: ['https://rp.example/cb', 'https://rp.example/other'] });
  other = await addCodeClient(server, { consent: 'implicit', slot: 1 });
  cookie = signIn.signIn('victim');
});
after(async () => { await server.stop(); });

async function lastReason(type: string): Promise<string | undefined> {
  await flushAudit(server);
  return (await server.context.store.audit.queryAudit({ type, limit: 1 }))[0]?.reason;
}

async function refusedAtToken(answer: Answer, reason: string, error = 'invalid_grant'): Promise<void> {
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.json.error, error);
  assert.equal(await lastReason('token.refused'), reason);
}

/** A redirected refusal: wire error, state and iss on the registered redirect URI, and the reason in the audit log. */
async function redirectedRefusal(answer: Answer, error: string, reason: string): Promise<void> {
  assert.equal(answer.status, 303, answer.text);
  const location = new URL(answer.headers.get('location')!);
  assert.equal(`${location.origin}${location.pathname}`, client.redirectUri);
  assert.equal(location.searchParams.get('error'), error);
  assert.equal(location.searchParams.get('iss'), server.issuer);
  assert.equal(location.searchParams.get('code'), null);
  assert.equal(await lastReason('authorization.refused'), reason);
}

/** An error page: no redirect at all, the reason shown. */
function errorPage(answer: Answer, reason: string): void {
  assert.ok(answer.status >= 400, `status ${answer.status}`);
  assert.equal(answer.headers.get('location'), null, 'never redirected');
  assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(answer.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.ok(answer.text.includes(`reason: ${reason}`), `reason ${reason} in ${answer.text.slice(0, 400)}`);
}

async function userinfoStatus(accessToken: string): Promise<number> {
  return (await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })).status;
}

test('RFC 6749 §4.1.2: a code used twice is refused (code_reused) AND the tokens issued from it are revoked', async () => {
  const { code, verifier } = await runToCode(server, client, { cookie, scope: 'openid offline_access' });
  const first = await exchangeCode(server, client, code!, verifier);
  assert.equal(first.status, 200, first.text);
  assert.equal(await userinfoStatus(first.json.access_token as string), 200);
  await refusedAtToken(await exchangeCode(server, client, code!, verifier), 'code_reused');
  assert.equal(await userinfoStatus(first.json.access_token as string), 401, 'the access token of the first use is revoked');
  await refusedAtToken(await refresh(server, client, first.json.refresh_token as string), 'refresh_token_reused');
});

test('RFC 6749 §4.1.3: a code presented by another client is refused (code_client_mismatch)', async () => {
  const { code, verifier } = await runToCode(server, client, { cookie });
  await refusedAtToken(await exchangeCode(server, { ...other, redirectUri: client.redirectUri }, code!, verifier), 'code_client_mismatch');
});

test('RFC 6749 §4.1.3: another or a missing redirect_uri at the token endpoint is refused (redirect_uri_mismatch)', async () => {
  const a = await runToCode(server, client, { cookie });
  await refusedAtToken(await exchangeCode(server, { ...client, redirectUri: 'https://rp.example/other' }, a.code!, a.verifier), 'redirect_uri_mismatch');
  const b = await runToCode(server, client, { cookie });
  await refusedAtToken(await exchangeCode(server, { ...client, redirectUri: '' }, b.code!, b.verifier), 'redirect_uri_mismatch');
});

test('RFC 7636 §4.6: a missing code_verifier (code_verifier_missing) and a wrong one (pkce_mismatch) are refused', async () => {
  const a = await runToCode(server, client, { cookie });
  await refusedAtToken(await exchangeCode(server, client, a.code!, undefined), 'code_verifier_missing');
  const b = await runToCode(server, client, { cookie });
  await refusedAtToken(await exchangeCode(server, client, b.code!, pkcePair().verifier), 'pkce_mismatch');
  const c = await runToCode(server, client, { cookie });
  await refusedAtToken(await exchangeCode(server, client, c.code!, 'short'), 'pkce_mismatch');
  // The challenge itself as the verifier (what a `plain` client would send).
  const d = pkcePair();
  const dRun = await follow(server, authorizeUrl(server, client, { challenge: d.challenge }), { cookie });
  const dCode = new URL(dRun.headers.get('location')!).searchParams.get('code')!;
  await refusedAtToken(await exchangeCode(server, client, dCode, d.challenge), 'pkce_mismatch');
});

test('RFC 7636 / FAPI 2.0: no code_challenge (pkce_required), plain or no method (pkce_method_unsupported) are refused at /authorize', async () => {
  const pkce = pkcePair();
  await redirectedRefusal(await follow(server, authorizeUrl(server, client, { state: 's' }), { cookie }), 'invalid_request', 'pkce_required');
  await redirectedRefusal(await follow(server, authorizeUrl(server, client, { challenge: pkce.verifier, method: 'plain' }), { cookie }), 'invalid_request', 'pkce_method_unsupported');
  const noMethod = authorizeUrl(server, client, { challenge: pkce.challenge }).replace('&code_challenge_method=S256', '');
  await redirectedRefusal(await follow(server, noMethod, { cookie }), 'invalid_request', 'pkce_method_unsupported');
  await redirectedRefusal(await follow(server, authorizeUrl(server, client, { challenge: pkce.challenge, extra: { response_type: 'token' } }), { cookie }), 'unsupported_response_type', 'response_type_unsupported');
  await redirectedRefusal(await follow(server, authorizeUrl(server, client, { challenge: pkce.challenge, extra: { response_mode: 'fragment' } }), { cookie }), 'invalid_request', 'authorization_request_invalid');
});

test('RFC 9700 §4.1.3: a redirect_uri differing by a trailing slash, case, port, path or query gets an error page, never a redirect', async () => {
  const pkce = pkcePair();
  for (const uri of ['https://rp.example/cb/', 'https://rp.example/CB', 'https://RP.example/cb', 'https://rp.example:443/cb', 'https://rp.example:8443/cb', 'https://rp.example/cb/x', 'https://rp.example/cb?a=1', 'https://rp.example/cb#', 'https://evil.example/cb']) {
    errorPage(await follow(server, authorizeUrl(server, client, { challenge: pkce.challenge, redirectUri: uri }), { cookie }), 'redirect_uri_unregistered');
  }
  errorPage(await follow(server, authorizeUrl(server, client, { challenge: pkce.challenge }).replace(/&redirect_uri=[^&]*/, ''), { cookie }), 'authorization_request_invalid');
});

test('RFC 6749 §4.1.2.1: an unknown client cannot be used as an open redirector (error page, no Location)', async () => {
  const unknown = { ...client, clientId: 'no-such-client' };
  errorPage(await follow(server, authorizeUrl(server, unknown, { challenge: pkcePair().challenge, redirectUri: 'https://evil.example/phish' }), { cookie }), 'client_unknown');
  errorPage(await follow(server, '/authorize?response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2F'), 'authorization_request_invalid');
  // A repeated redirect_uri cannot smuggle a second target either.
  errorPage(await follow(server, `${authorizeUrl(server, client, { challenge: pkcePair().challenge })}&redirect_uri=${encodeURIComponent('https://evil.example/')}`, { cookie }), 'authorization_request_invalid');
});

test('RFC 9126: a request_uri is used once, only by its own client; a PAR-only client cannot skip PAR', async () => {
  const pkce = pkcePair();
  const parameters = { response_type: 'code', redirect_uri: client.redirectUri, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256', state: 'par-state' };
  const pushed = await pushRequest(server, client, parameters);
  assert.equal(pushed.status, 201, pushed.text);
  assert.match(pushed.json.request_uri as string, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{22}$/);
  assert.equal(pushed.json.expires_in, 60);
  const used = await runToCode(server, client, { cookie, requestUri: pushed.json.request_uri as string });
  assert.equal(used.location.searchParams.get('state'), 'par-state');
  assert.equal((await exchangeCode(server, client, used.code!, pkce.verifier)).status, 200);
  // Twice: refused.
  errorPage(await follow(server, `/authorize?client_id=${client.clientId}&request_uri=${encodeURIComponent(pushed.json.request_uri as string)}`, { cookie }), 'request_uri_invalid');
  // By another client: refused, and the request is spent.
  const second = await pushRequest(server, client, parameters);
  errorPage(await follow(server, `/authorize?client_id=${other.clientId}&request_uri=${encodeURIComponent(second.json.request_uri as string)}`, { cookie }), 'request_uri_invalid');
  // Pushing in another client's name fails its authentication.
  const impostor = await pushRequest(server, client, parameters, other);
  assert.equal(impostor.status, 401);
  assert.equal(await lastReason('authorization.push_refused'), 'client_id_mismatch');
  // A pushed request is checked like a direct one.
  const badRedirect = await pushRequest(server, client, { ...parameters, redirect_uri: 'https://rp.example/cb/' });
  assert.equal(badRedirect.status, 400);
  assert.equal(await lastReason('authorization.push_refused'), 'redirect_uri_unregistered');
  const plain = await pushRequest(server, client, { ...parameters, code_challenge_method: 'plain' });
  assert.equal(plain.json.error, 'invalid_request');
  assert.equal(await lastReason('authorization.push_refused'), 'pkce_method_unsupported');
  // A client registered with require_pushed_authorization_requests.
  const parOnly = await addCodeClient(server, { consent: 'implicit', requirePar: true, slot: 3 });
  const direct = await follow(server, authorizeUrl(server, parOnly, { challenge: pkce.challenge }), { cookie });
  assert.equal(new URL(direct.headers.get('location')!).searchParams.get('error'), 'invalid_request');
  assert.equal(await lastReason('authorization.refused'), 'par_required');
});

test('RFC 9700 §4.14.2: reusing a rotated refresh token revokes the whole family (refresh_token_reused)', async () => {
  const { code, verifier } = await runToCode(server, client, { cookie, scope: 'openid' });
  const first = await exchangeCode(server, client, code!, verifier);
  const rotated = await refresh(server, client, first.json.refresh_token as string);
  assert.equal(rotated.status, 200, rotated.text);
  await refusedAtToken(await refresh(server, client, first.json.refresh_token as string), 'refresh_token_reused');
  assert.equal(await userinfoStatus(rotated.json.access_token as string), 401, 'the access token of the family is revoked');
  await refusedAtToken(await refresh(server, client, rotated.json.refresh_token as string), 'refresh_token_reused');
  // Bound to its client: another client cannot use it (and does not burn it).
  const again = await runToCode(server, client, { cookie, scope: 'openid' });
  const tokens = await exchangeCode(server, client, again.code!, again.verifier);
  await refusedAtToken(await refresh(server, other, tokens.json.refresh_token as string), 'refresh_token_invalid');
  await refusedAtToken(await refresh(server, client, 'not-a-refresh-token'), 'refresh_token_invalid');
});

test('RFC 6749 §4.1.2: a code older than 60 s is refused (code_invalid); an unknown code too', async () => {
  const { code, verifier } = await runToCode(server, client, { cookie });
  offset = 61;
  try {
    const answer = await postForm(`${server.url}/token`, {
      grant_type: 'authorization_code', code: code!, redirect_uri: client.redirectUri, code_verifier: verifier,
      client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, client, { now: clock() }),
    });
    await refusedAtToken(answer, 'code_invalid');
  } finally {
    offset = 0;
  }
  await refusedAtToken(await exchangeCode(server, client, 'x'.repeat(43), verifier), 'code_invalid');
});

test('a client without the authorization_code grant cannot use the authorization endpoint (grant_not_allowed, unauthorized_client)', async () => {
  const narrowed = await addCodeClient(server, { consent: 'implicit', slot: 4 });
  await updateClient(server.context.registry, narrowed.clientId, { grantTypes: ['client_credentials'] }, 'test');
  const answer = await follow(server, authorizeUrl(server, narrowed, { challenge: pkcePair().challenge }), { cookie });
  assert.equal(new URL(answer.headers.get('location')!).searchParams.get('error'), 'unauthorized_client');
  assert.equal(await lastReason('authorization.refused'), 'grant_not_allowed');
});

test('RFC 9126 §5: with authorization.requirePushedAuthorizationRequests, a direct request is refused (par_required) and discovery says so', async () => {
  const strict = await startTestServer({ signIn, overrides: { authorization: { requirePushedAuthorizationRequests: true } } });
  try {
    const rp = await addCodeClient(strict, { consent: 'implicit', slot: 5 });
    const pkce = pkcePair();
    const direct = await follow(strict, authorizeUrl(strict, rp, { challenge: pkce.challenge, state: 'd' }), { cookie });
    const location = new URL(direct.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('state'), 'd');
    await flushAudit(strict);
    assert.equal((await strict.context.store.audit.queryAudit({ type: 'authorization.refused', limit: 1 }))[0]?.reason, 'par_required');
    const metadata = await (await fetch(`${strict.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    assert.equal(metadata.require_pushed_authorization_requests, true);
    // Pushed, the same request goes through; the sign-in round trip keeps it.
    const pushed = await pushRequest(strict, rp, { response_type: 'code', redirect_uri: rp.redirectUri, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256' });
    const toSignIn = await follow(strict, `/authorize?client_id=${rp.clientId}&request_uri=${encodeURIComponent(pushed.json.request_uri as string)}`);
    const returnTo = new URL(toSignIn.headers.get('location')!, strict.url).searchParams.get('return_to')!;
    const done = await follow(strict, returnTo, { cookie });
    const code = new URL(done.headers.get('location')!).searchParams.get('code')!;
    assert.equal((await exchangeCode(strict, rp, code, pkce.verifier)).status, 200);
  } finally {
    await strict.stop();
  }
});

test('POST /par shares the token endpoint\'s per-source-address rate limit (rate_limited, 429 with Retry-After)', async () => {
  const limited = await startTestServer({ signIn, overrides: { rateLimit: { perSourceAddress: 2, window: 60 } } });
  try {
    const rp = await addCodeClient(limited, { consent: 'implicit', slot: 6 });
    const parameters = { response_type: 'code', redirect_uri: rp.redirectUri, scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' };
    assert.equal((await pushRequest(limited, rp, parameters)).status, 201);
    assert.equal((await pushRequest(limited, rp, parameters)).status, 201);
    const third = await pushRequest(limited, rp, parameters);
    assert.equal(third.status, 429);
    assert.ok(third.headers.get('retry-after'));
  } finally {
    await limited.stop();
  }
});

test('an end user disabled after the authorization gets no tokens from the code nor from a refresh (end_user_unavailable)', async () => {
  signIn.addUser({ sub: 'leaver', preferred_username: 'leaver' });
  const leaverCookie = signIn.signIn('leaver');
  const a = await runToCode(server, client, { cookie: leaverCookie, scope: 'openid' });
  const b = await runToCode(server, client, { cookie: leaverCookie, scope: 'openid' });
  const tokens = await exchangeCode(server, client, b.code!, b.verifier);
  assert.equal(tokens.status, 200, tokens.text);
  signIn.addUser({ sub: 'leaver', preferred_username: 'leaver', disabled: true });
  await refusedAtToken(await exchangeCode(server, client, a.code!, a.verifier), 'end_user_unavailable');
  await refusedAtToken(await refresh(server, client, tokens.json.refresh_token as string), 'end_user_unavailable');
  assert.equal(await userinfoStatus(tokens.json.access_token as string), 401);
});
