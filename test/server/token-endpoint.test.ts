// POST /token over real HTTP: the flow of 001 (plain assertion, client_credentials), replay, the
// refused assertion that must not burn its jti, scopes, resource -> aud, the jwt-bearer grant, the
// same invalid_client for unknown clients and bad signatures, and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { jwtVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { signClientAssertion } from '../../packages/core/src/assertion/sign-client-assertion.ts';
import { sumMetric } from '../cluster/nodes.ts';
import { addTestClient, assertionFor, flushAudit, JWT_BEARER_GRANT, CLIENT_ASSERTION_TYPE, keyPairFor, postForm, requestToken, startTestServer } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => { server = await startTestServer(); });
after(async () => { await server.stop(); });

async function jwks() {
  return createLocalJWKSet(await (await fetch(`${server.url}/jwks`)).json() as never);
}

test('001: an assertion (iss = sub = client_id, aud, jti, exp) gets an RFC 9068 access token', async () => {
  const client = await addTestClient(server, { alg: 'RS256', scopes: ['read'] });
  const answer = await requestToken(server, client);
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  assert.equal(answer.json.token_type, 'Bearer');
  assert.equal(answer.json.expires_in, 300);
  assert.equal(answer.json.scope, 'read');
  const { payload, protectedHeader } = await jwtVerify(answer.json.access_token as string, await jwks(), { issuer: server.issuer, audience: server.issuer, typ: 'at+jwt' });
  assert.equal(protectedHeader.alg, 'ES256');
  assert.equal(payload.sub, client.clientId);
  assert.equal(payload.client_id, client.clientId);
  assert.equal(payload.scope, 'read');
  assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
  assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
  const record = await server.context.store.tokens.getToken(payload.jti!);
  assert.equal(record?.keyThumbprint, client.thumbprint, 'the token remembers the client key that authenticated it');
});

test('RFC 7523 §3 (7): a replayed assertion is refused with invalid_client', async () => {
  const client = await addTestClient(server);
  const assertion = await assertionFor(server, client);
  assert.equal((await requestToken(server, client, {}, assertion)).status, 200);
  const again = await requestToken(server, client, {}, assertion);
  assert.equal(again.status, 401);
  assert.equal(again.json.error, 'invalid_client');
  assert.match(String(again.json.error_description), /already been used/);
});

test('a refused request does not burn the jti: invalid_scope first, then the same assertion succeeds', async () => {
  const client = await addTestClient(server, { scopes: ['read'] });
  const assertion = await assertionFor(server, client);
  const refused = await requestToken(server, client, { scope: 'admin' }, assertion);
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error, 'invalid_scope');
  const ok = await requestToken(server, client, { scope: 'read' }, assertion);
  assert.equal(ok.status, 200, ok.text);
});

test('a refused assertion (wrong aud) does not burn its jti for the real one', async () => {
  const client = await addTestClient(server);
  const jti = randomUUID();
  const wrong = await assertionFor(server, client, { jti, audience: 'https://elsewhere.example' });
  assert.equal((await requestToken(server, client, {}, wrong)).status, 401);
  const right = await assertionFor(server, client, { jti });
  assert.equal((await requestToken(server, client, {}, right)).status, 200);
});

test('RFC 6749 §3.3: requested scopes must be a subset of the client\'s; none requested = all of them', async () => {
  const client = await addTestClient(server, { scopes: ['read', 'write'] });
  assert.equal((await requestToken(server, client)).json.scope, 'read write');
  assert.equal((await requestToken(server, client, { scope: 'write' })).json.scope, 'write');
  const refused = await requestToken(server, client, { scope: 'read delete' });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error, 'invalid_scope');
});

test('RFC 8707: resource sets the audience (repeatable); a fragment is invalid_target', async () => {
  const client = await addTestClient(server);
  const one = await requestToken(server, client, { resource: 'https://api.example.com/orders' });
  assert.equal(decodeJwt(one.json.access_token as string).aud, 'https://api.example.com/orders');
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, client) });
  body.append('resource', 'https://a.example');
  body.append('resource', 'https://b.example');
  const two = await postForm(`${server.url}/token`, body);
  assert.equal(two.status, 200, two.text);
  assert.deepEqual(decodeJwt(two.json.access_token as string).aud, ['https://a.example', 'https://b.example']);
  const bad = await requestToken(server, client, { resource: 'https://api.example.com/#x' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'invalid_target');
});

test('RFC 7523 §2.1: the jwt-bearer grant issues a token for the client that signed the grant JWT', async () => {
  const client = await addTestClient(server, { scopes: ['read'] });
  const grant = await assertionFor(server, client);
  const answer = await postForm(`${server.url}/token`, { grant_type: JWT_BEARER_GRANT, assertion: grant, scope: 'read' });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(decodeJwt(answer.json.access_token as string).client_id, client.clientId);
  const replaysBefore = sumMetric(await (await fetch(`${server.url}/metrics`)).text(), 'keyward_replay_refusals_total');
  const replay = await postForm(`${server.url}/token`, { grant_type: JWT_BEARER_GRANT, assertion: grant });
  assert.equal(replay.status, 400);
  assert.equal(replay.json.error, 'invalid_grant', 'a replayed grant JWT is refused');
  assert.equal(replay.json.error_description, 'the authorization grant JWT has already been used');
  const replaysAfter = sumMetric(await (await fetch(`${server.url}/metrics`)).text(), 'keyward_replay_refusals_total');
  assert.equal(replaysAfter - replaysBefore, 1, 'a replayed grant JWT counts as a replay');
  const expired = await signClientAssertion({ clientId: client.clientId, audience: server.issuer, privateKey: client.privateKey, alg: client.alg, now: Math.floor(Date.now() / 1000) - 600 });
  const refused = await postForm(`${server.url}/token`, { grant_type: JWT_BEARER_GRANT, assertion: expired });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error, 'invalid_grant');
  const missing = await postForm(`${server.url}/token`, { grant_type: JWT_BEARER_GRANT });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error, 'invalid_request');
});

test('unknown client, bad signature and disabled client all answer the same invalid_client', async () => {
  const client = await addTestClient(server);
  const unknown = { ...client, clientId: `nobody-${randomUUID()}` };
  const a = await requestToken(server, unknown);
  const other = keyPairFor('ES256', 7);
  const forged = await signClientAssertion({ clientId: client.clientId, audience: server.issuer, privateKey: other.privateKey, alg: 'ES256', kid: client.kid });
  const b = await requestToken(server, client, {}, forged);
  const disabled = await addTestClient(server);
  await server.context.store.clients.updateClient(disabled.clientId, { state: 'disabled' });
  const c = await requestToken(server, disabled);
  for (const answer of [a, b, c]) {
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.json, { error: 'invalid_client', error_description: 'client authentication failed' });
    assert.equal(answer.headers.get('cache-control'), 'no-store');
  }
  await flushAudit(server);
  const reasons = async (clientId: string) => (await server.context.store.audit.queryAudit({ clientId, type: 'token.refused' })).map((event) => event.reason);
  assert.deepEqual(await reasons(unknown.clientId), ['client_unknown']);
  assert.deepEqual(await reasons(client.clientId), ['signature_invalid']);
  assert.deepEqual(await reasons(disabled.clientId), ['client_disabled']);
});

test('legacy audience policy: the token endpoint as aud is accepted, counted and audited; strict refuses it', async () => {
  const legacy = await addTestClient(server, { audiencePolicy: 'legacy' });
  const before = server.context.counters.legacyAudience;
  const ok = await requestToken(server, legacy, {}, await assertionFor(server, legacy, { audience: `${server.issuer}/token` }));
  assert.equal(ok.status, 200, ok.text);
  assert.equal(server.context.counters.legacyAudience, before + 1);
  const strict = await addTestClient(server);
  const refused = await requestToken(server, strict, {}, await assertionFor(server, strict, { audience: `${server.issuer}/token` }));
  assert.equal(refused.status, 401);
  await flushAudit(server);
  const [granted] = await server.context.store.audit.queryAudit({ clientId: legacy.clientId, type: 'token.granted' });
  assert.equal(granted?.details?.legacy_audience, true);
  const [aud] = await server.context.store.audit.queryAudit({ clientId: strict.clientId, type: 'token.refused' });
  assert.equal(aud?.reason, 'aud_mismatch');
});

test('audit: granted and refused requests are recorded with client, key thumbprint, reason, source address and time, never the token', async () => {
  const client = await addTestClient(server);
  const granted = await requestToken(server, client);
  const assertion = await assertionFor(server, client);
  await requestToken(server, client, {}, assertion);
  await requestToken(server, client, {}, assertion);
  await flushAudit(server);
  const events = await server.context.store.audit.queryAudit({ clientId: client.clientId });
  const ok = events.filter((event) => event.type === 'token.granted');
  const refused = events.filter((event) => event.type === 'token.refused');
  assert.equal(ok.length, 2);
  assert.equal(refused.length, 1);
  assert.equal(refused[0]!.reason, 'jti_replayed');
  for (const event of [...ok, ...refused]) {
    assert.equal(event.keyThumbprint, client.thumbprint);
    assert.equal(event.sourceAddress?.replace('::ffff:', ''), '127.0.0.1');
    assert.ok(event.time instanceof Date && Math.abs(event.time.getTime() - Date.now()) < 60_000);
  }
  const serialized = JSON.stringify(events);
  assert.ok(!serialized.includes(granted.json.access_token as string), 'no access token in the audit log');
  assert.ok(!serialized.includes(assertion), 'no assertion in the audit log');
  assert.ok(!serialized.includes(assertion.split('.')[2]!), 'no signature in the audit log');
});

test('a client not registered for a grant type gets unauthorized_client, told which grant types it may use', async () => {
  const client = await addTestClient(server, { grantTypes: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] });
  const answer = await requestToken(server, client);
  assert.equal(answer.status, 400);
  assert.equal(answer.json.error, 'unauthorized_client');
  assert.equal(answer.json.error_description, 'the client may not use client_credentials; this client may use: urn:ietf:params:oauth:grant-type:jwt-bearer');
});
