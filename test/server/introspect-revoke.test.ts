// RFC 7662 introspection and RFC 7009 revocation, both authenticated with private_key_jwt; revoking
// a client key (store.tokens.revokeTokensByKey) makes its tokens inactive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addTestClient, assertionFor, CLIENT_ASSERTION_TYPE, flushAudit, postForm, requestToken, startTestServer, type TestClient } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let owner: TestClient;
let resourceServer: TestClient;
before(async () => {
  server = await startTestServer();
  owner = await addTestClient(server, { scopes: ['read'] });
  resourceServer = await addTestClient(server, { alg: 'EdDSA', scopes: [] });
});
after(async () => { await server.stop(); });

async function introspect(token: string, as: TestClient = resourceServer, now?: number) {
  return postForm(`${server.url}/introspect`, { token, client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, as, now ? { now } : {}) });
}
async function revoke(token: string, as: TestClient = owner) {
  return postForm(`${server.url}/revoke`, { token, token_type_hint: 'access_token', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, as) });
}
async function newToken(): Promise<string> {
  return (await requestToken(server, owner)).json.access_token as string;
}

test('RFC 7662 §2.2: an active token is described (scope, client_id, exp, sub, aud, iss, jti)', async () => {
  const answer = await introspect(await newToken());
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  assert.equal(answer.json.active, true);
  assert.equal(answer.json.client_id, owner.clientId);
  assert.equal(answer.json.scope, 'read');
  assert.equal(answer.json.iss, server.issuer);
  assert.equal(answer.json.token_type, 'Bearer');
  assert.equal(typeof answer.json.exp, 'number');
});

test('RFC 7662 §2.2: garbage, foreign and unknown tokens are just active=false', async () => {
  for (const token of ['garbage', 'a.b.c', (await newToken()).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))]) {
    const answer = await introspect(token);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json, { active: false });
  }
});

test('RFC 7662 §2.1: introspection requires client authentication', async () => {
  const answer = await postForm(`${server.url}/introspect`, { token: await newToken() });
  assert.equal(answer.status, 401);
  assert.equal(answer.json.error, 'invalid_client');
  const missing = await postForm(`${server.url}/introspect`, { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, resourceServer) });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error, 'invalid_request');
});

test('RFC 7009: the owner revokes its token; introspection then says inactive; unknown tokens get 200 too', async () => {
  const token = await newToken();
  const answer = await revoke(token);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual((await introspect(token)).json, { active: false });
  assert.equal((await revoke('not-a-token')).status, 200);
});

test('RFC 7009 §2.1: another client cannot revoke a token it does not own (refused, nothing revoked)', async () => {
  const token = await newToken();
  const answer = await revoke(token, resourceServer);
  assert.equal(answer.status, 400);
  assert.equal(answer.json.error, 'unauthorized_client');
  assert.equal((await introspect(token)).json.active, true, 'still active');
  await flushAudit(server);
  const refused = await server.context.store.audit.queryAudit({ type: 'revocation.refused', reason: 'token_not_owned' });
  assert.ok(refused.length >= 1, 'audited with its reason');
});

test('revoking the client key revokes the tokens it authenticated', async () => {
  const token = await newToken();
  const count = await server.context.store.tokens.revokeTokensByKey(owner.clientId, owner.thumbprint);
  assert.ok(count >= 1);
  assert.equal((await introspect(token)).json.active, false);
});

test('expired tokens are inactive', async () => {
  const token = await newToken();
  const realClock = server.context.clock;
  (server.context as { clock: () => number }).clock = () => realClock() + 301_000;
  try {
    const answer = await introspect(token, resourceServer, Math.floor(realClock() / 1000) + 301);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.active, false);
  } finally {
    (server.context as { clock: () => number }).clock = realClock;
  }
});
