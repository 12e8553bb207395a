// GET /resource/v1/clients/{client_id}/keys ("mode B" key lookup for resource servers): Bearer
// access token of this server with scope keyward:keys.read; JWKs with the Keyward lifecycle members.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addTestClient, assertionFor, CLIENT_ASSERTION_TYPE, postForm, requestToken, startTestServer, type TestClient } from './helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let reader: TestClient;
let subject: TestClient;
before(async () => {
  server = await startTestServer({ overrides: { clientKeysEndpoint: { maxAge: 42 } } });
  reader = await addTestClient(server, { scopes: ['keyward:keys.read', 'read'] });
  subject = await addTestClient(server, { alg: 'RS256', kid: 'partner-key-1' });
});
after(async () => { await server.stop(); });

async function lookup(clientId: string, token?: string) {
  return fetch(`${server.url}/resource/v1/clients/${encodeURIComponent(clientId)}/keys`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

test('a token with keyward:keys.read gets the client keys with state, kid, alg, cache lifetime', async () => {
  const token = (await requestToken(server, reader, { scope: 'keyward:keys.read' })).json.access_token as string;
  await server.context.store.clients.updateKey(subject.clientId, subject.thumbprint, { retireAt: new Date(2_000_000_000_000), notAfter: new Date(2_100_000_000_000) });
  const response = await lookup(subject.clientId, token);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('cache-control'), 'max-age=42');
  const body = (await response.json()) as { client_id: string; state: string; keys: Record<string, unknown>[] };
  assert.equal(body.client_id, subject.clientId);
  assert.equal(body.state, 'enabled');
  assert.equal(body.keys.length, 1);
  const [key] = body.keys;
  assert.equal(key!.kid, 'partner-key-1');
  assert.equal(key!.kty, 'RSA');
  assert.equal(key!.alg, 'RS256');
  assert.equal(key!.keyward_state, 'active');
  assert.equal(key!.keyward_retire_at, 2_000_000_000);
  assert.equal(key!.exp, 2_100_000_000);
  assert.equal(key!.d, undefined);
});

test('unknown client: 404 not_found for an authenticated caller', async () => {
  const token = (await requestToken(server, reader, { scope: 'keyward:keys.read' })).json.access_token as string;
  const response = await lookup('no-such-client', token);
  assert.equal(response.status, 404);
  assert.equal(((await response.json()) as { error: string }).error, 'not_found');
});

test('RFC 6750 §3.1: no token 401, a bad token 401 invalid_token, a token without the scope 403 insufficient_scope', async () => {
  const none = await lookup(subject.clientId);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
  const bad = await lookup(subject.clientId, 'abc.def.ghi');
  assert.equal(bad.status, 401);
  assert.match(bad.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  const readOnly = (await requestToken(server, reader, { scope: 'read' })).json.access_token as string;
  const forbidden = await lookup(subject.clientId, readOnly);
  assert.equal(forbidden.status, 403);
  assert.equal(((await forbidden.json()) as { error: string }).error, 'insufficient_scope');
});

test('a revoked token is refused', async () => {
  const answer = await requestToken(server, reader, { scope: 'keyward:keys.read' });
  const token = answer.json.access_token as string;
  const jti = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti as string;
  await server.context.store.tokens.revokeToken(jti);
  assert.equal((await lookup(subject.clientId, token)).status, 401);
});

test('a keyward:keys.read token obtained for another resource is refused: only aud = this issuer works here', async () => {
  const tokenFor = async (resources: string[]) => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: await assertionFor(server, reader), scope: 'keyward:keys.read' });
    for (const resource of resources) form.append('resource', resource);
    return postForm(`${server.url}/token`, form);
  };
  for (const resource of [['https://orders-api.example'], [server.issuer, 'https://orders-api.example']]) {
    const answer = await tokenFor(resource);
    assert.equal(answer.status, 200, answer.text);
    const response = await lookup(subject.clientId, answer.json.access_token as string);
    assert.equal(response.status, 401, resource.join(' '));
    assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  }
  const own = await tokenFor([server.issuer]);
  assert.equal((await lookup(subject.clientId, own.json.access_token as string)).status, 200, 'resource = the issuer itself is this server');
});
