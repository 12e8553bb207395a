/**
 * RFC 7591 dynamic registration and RFC 7592 management over real HTTP: the endpoint advertised in
 * discovery, the initial access token gate, each bad registration refused as invalid_client_metadata
 * with a description that says what to fix, and read / update / delete with the registration access
 * token.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { exportPrivateJwk, exportPublicJwk } from '../../packages/core/src/keys/export-key.ts';
import { calculateThumbprint } from '../../packages/core/src/keys/thumbprint.ts';
import { addTestClient, assertionFor, JWT_BEARER_GRANT as JWT_BEARER, keyPairFor, readAnswer, requestToken, startTestServer, type Answer, type TestClient } from '../server/helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let admin: TestClient;

before(async () => {
  server = await startTestServer();
  admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'admin-client' });
});
after(async () => { await server.stop(); });

async function adminToken(): Promise<string> {
  const answer = await requestToken(server, admin, { scope: 'keyward:admin' });
  assert.equal(answer.status, 200, answer.text);
  return answer.json.access_token as string;
}

async function initialAccessToken(body: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${server.url}/admin/v1/initial-access-tokens`, {
    method: 'POST', headers: { authorization: `Bearer ${await adminToken()}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const answer = await readAnswer(response);
  assert.equal(answer.status, 201, answer.text);
  return answer.json.initial_access_token as string;
}

async function send(method: string, path: string, token: string | undefined, body?: unknown): Promise<Answer> {
  return readAnswer(await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }));
}

test('discovery advertises the registration endpoint', async () => {
  const metadata = await readAnswer(await fetch(`${server.url}/.well-known/oauth-authorization-server`));
  assert.equal(metadata.json.registration_endpoint, `${server.issuer}/register`);
});

test('registration needs a valid initial access token; a single-use token works once', async () => {
  const jwks = { keys: [exportPublicJwk(keyPairFor('ES256', 31).publicKey)] };
  const missing = await send('POST', '/register', undefined, { jwks, token_endpoint_auth_method: 'private_key_jwt' });
  assert.equal(missing.status, 401);
  assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
  assert.equal((await send('POST', '/register', 'made-up-token', { jwks })).status, 401);
  const iat = await initialAccessToken({ uses: 1 });
  assert.equal((await send('POST', '/register', iat, { jwks, client_name: 'one' })).status, 201);
  const again = await send('POST', '/register', iat, { jwks: { keys: [exportPublicJwk(keyPairFor('ES256', 32).publicKey)] } });
  assert.equal(again.status, 401);
  assert.equal(again.json.error, 'invalid_token');
});

test('each bad registration is invalid_client_metadata with a description that says what to fix', async () => {
  const iat = await initialAccessToken({ uses: null });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['private key in jwks', { jwks: { keys: [exportPrivateJwk(ec.privateKey)] } }, /private key: register the public key only/],
    ['RSA under 2048 bits', { jwks: { keys: [small.publicKey.export({ format: 'jwk' })] } }, /at least 2048 bits; this one has 1024/],
    ['a symmetric key', { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ' }] } }, /symmetric/],
    ['both jwks and jwks_uri', { jwks: { keys: [exportPublicJwk(ec.publicKey)] }, jwks_uri: 'https://client.example/jwks' }, /either jwks or jwks_uri, not both/],
    ['an unknown grant', { jwks: { keys: [exportPublicJwk(ec.publicKey)] }, grant_types: ['password'] }, /"password" is not supported/],
    ['another auth method', { jwks: { keys: [exportPublicJwk(ec.publicKey)] }, token_endpoint_auth_method: 'client_secret_basic' }, /must be "private_key_jwt"/],
    ['no keys at all', { client_name: 'nokeys' }, /send jwks .* or jwks_uri/],
    ['an empty jwks_uri (no key either)', { client_name: 'nokeys', jwks_uri: '' }, /jwks_uri must be an https URL of the client's JWK Set/],
    ['a reserved admin scope', { jwks: { keys: [exportPublicJwk(ec.publicKey)] }, scope: 'read keyward:admin' }, /"keyward:admin" is beyond what this client's registration allows: ask for scopes outside the reserved keyward: namespace/],
    ['jwks_uri over http', { jwks_uri: 'http://client.example/jwks' }, /must use https \(got http\); plain http is only accepted for hosts allow-listed in clients\.jwksUriAllowHosts/],
  ];
  for (const [name, body, description] of cases) {
    const answer = await send('POST', '/register', iat, body);
    assert.equal(answer.status, 400, `${name}: ${answer.text}`);
    assert.equal(answer.json.error, 'invalid_client_metadata', name);
    assert.match(answer.json.error_description as string, description, name);
  }
});

test('RFC 7592: read, update and delete with the registration access token; the registered client gets tokens', async () => {
  const pair = keyPairFor('ES256', 33);
  const iat = await initialAccessToken();
  const registered = await send('POST', '/register', iat, {
    client_name: 'Partner', token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], scope: 'read',
    jwks: { keys: [exportPublicJwk(pair.publicKey, { kid: 'p1' })] }, token_endpoint_auth_signing_alg: 'ES256',
  });
  assert.equal(registered.status, 201, registered.text);
  const clientId = registered.json.client_id as string;
  const rat = registered.json.registration_access_token as string;
  assert.equal(registered.json.registration_client_uri, `${server.issuer}/register/${clientId}`);
  const client: TestClient = { clientId, privateKey: pair.privateKey, publicKey: pair.publicKey, kid: 'p1', thumbprint: calculateThumbprint(pair.publicKey), alg: 'ES256' };
  const token = await requestToken(server, client, {}, await assertionFor(server, client));
  assert.equal(token.status, 200, token.text);
  assert.equal(token.json.scope, 'read');

  const read = await send('GET', `/register/${clientId}`, rat);
  assert.equal(read.status, 200);
  assert.equal(read.json.client_name, 'Partner');
  assert.equal(read.json.registration_access_token, undefined, 'the token is shown only once');
  assert.equal((await send('GET', `/register/${clientId}`, `${rat.slice(0, -2)}xx`)).status, 401);
  assert.equal((await send('GET', `/register/${clientId}`, await initialAccessToken())).status, 401);
  assert.equal((await send('GET', '/register/no-such-client', rat)).status, 401, 'unknown client answers like a wrong token');

  // Update: new key set replaces the old one (the old key is revoked).
  const next = keyPairFor('ES256', 34);
  const updated = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, client_name: 'Partner v2', jwks: { keys: [exportPublicJwk(next.publicKey, { kid: 'p2' })] } });
  assert.equal(updated.status, 200, updated.text);
  assert.equal(updated.json.client_name, 'Partner v2');
  assert.deepEqual((updated.json.jwks as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid), ['p2']);
  assert.equal((await requestToken(server, client)).status, 401, 'the replaced key is revoked');
  const mismatch = await send('PUT', `/register/${clientId}`, rat, { client_id: 'other', jwks: { keys: [exportPublicJwk(next.publicKey)] } });
  assert.equal(mismatch.json.error, 'invalid_client_metadata');

  assert.equal((await send('DELETE', `/register/${clientId}`, rat)).status, 204);
  assert.equal((await send('GET', `/register/${clientId}`, rat)).status, 401);
});

/** Registers a client through an initial access token made with `iatBody`; returns its handles. */
async function registerPartner(iatBody: Record<string, unknown>, metadata: Record<string, unknown>, slot: number) {
  const pair = keyPairFor('ES256', slot);
  const jwks = { keys: [exportPublicJwk(pair.publicKey, { kid: `k${slot}` })] };
  const registered = await send('POST', '/register', await initialAccessToken(iatBody), { jwks, ...metadata });
  assert.equal(registered.status, 201, registered.text);
  const clientId = registered.json.client_id as string;
  const client: TestClient = { clientId, privateKey: pair.privateKey, publicKey: pair.publicKey, kid: `k${slot}`, thumbprint: calculateThumbprint(pair.publicKey), alg: 'ES256' };
  return { clientId, rat: registered.json.registration_access_token as string, jwks, client };
}

async function adminPatch(clientId: string, body: Record<string, unknown>): Promise<Answer> {
  return readAnswer(await fetch(`${server.url}/admin/v1/clients/${clientId}`, {
    method: 'PATCH', headers: { authorization: `Bearer ${await adminToken()}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  }));
}

test('RFC 7592: a client cannot widen its scopes beyond what its initial access token allowed', async () => {
  const { clientId, rat, jwks, client } = await registerPartner({ scope: 'read' }, { scope: 'read' }, 40);
  const wider = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope: 'read write delete payments:admin' });
  assert.equal(wider.status, 400, wider.text);
  assert.equal(wider.json.error, 'invalid_client_metadata');
  assert.match(wider.json.error_description as string, /"write" is beyond what this client's registration allows: ask for a subset of "read"/);
  assert.equal((await send('GET', `/register/${clientId}`, rat)).json.scope, 'read', 'nothing changed');
  const refused = await requestToken(server, client, { scope: 'payments:admin' });
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error, 'invalid_scope');

  // A refused update changes nothing, keys included.
  const other = keyPairFor('ES256', 41);
  const rekeyWider = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks: { keys: [exportPublicJwk(other.publicKey)] }, scope: 'payments:admin' });
  assert.equal(rekeyWider.status, 400);
  assert.equal((await requestToken(server, client, { scope: 'read' })).status, 200, 'the registered key still works');

  // Narrowing and coming back within the ceiling are both allowed.
  assert.equal((await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks })).status, 200);
  const back = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope: 'read' });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.scope, 'read');
});

test('RFC 7592: without scopes on the initial access token, the reserved keyward: scopes stay out of reach', async () => {
  const { clientId, rat, jwks } = await registerPartner({}, { scope: 'orders:read' }, 42);
  const ok = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope: 'orders:read orders:write' });
  assert.equal(ok.status, 200, ok.text);
  for (const scope of ['keyward:admin', 'keyward:keys.read']) {
    const answer = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope });
    assert.equal(answer.status, 400, `${scope}: ${answer.text}`);
    assert.match(answer.json.error_description as string, /reserved keyward: namespace/);
  }
});

test('RFC 7592: grant types stay within the ceiling, and members the metadata cannot carry change nothing', async () => {
  const { clientId, rat, jwks } = await registerPartner({ scope: 'read' }, { scope: 'read', grant_types: ['client_credentials'] }, 43);
  // The registration allowed both grant types, so the client may take the second one...
  const both = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope: 'read', grant_types: ['client_credentials', JWT_BEARER] });
  assert.equal(both.status, 200, both.text);
  // ...until an admin narrows them: then the admin's choice is the ceiling.
  assert.equal((await adminPatch(clientId, { grant_types: ['client_credentials'] })).status, 200);
  const again = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope: 'read', grant_types: ['client_credentials', JWT_BEARER] });
  assert.equal(again.status, 400, again.text);
  assert.match(again.json.error_description as string, /grant type .*jwt-bearer.* is beyond what this client's registration allows/);

  const sneaky = await send('PUT', `/register/${clientId}`, rat, {
    client_id: clientId, jwks, scope: 'read', audience_policy: 'legacy', access_token_ttl: 86400, state: 'enabled', registration_limits: { scopes: ['keyward:admin'] },
  });
  assert.equal(sneaky.status, 200, sneaky.text);
  const view = await readAnswer(await fetch(`${server.url}/admin/v1/clients/${clientId}`, { headers: { authorization: `Bearer ${await adminToken()}` } }));
  assert.equal(view.json.audience_policy, 'strict');
  assert.notEqual(view.json.access_token_ttl, 86400);
  assert.equal((await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope: 'keyward:admin' })).status, 400);
});

test('RFC 7592: only the admin API widens a client; what it sets becomes the new ceiling', async () => {
  const { clientId, rat, jwks, client } = await registerPartner({ scope: 'read' }, { scope: 'read' }, 44);
  const widened = await adminPatch(clientId, { scope: 'read payments:admin' });
  assert.equal(widened.status, 200, widened.text);
  const keep = await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope: 'read payments:admin' });
  assert.equal(keep.status, 200, keep.text);
  assert.equal((await requestToken(server, client, { scope: 'payments:admin' })).status, 200);
  assert.equal((await adminPatch(clientId, { scope: 'read' })).status, 200);
  assert.equal((await send('PUT', `/register/${clientId}`, rat, { client_id: clientId, jwks, scope: 'read payments:admin' })).status, 400);
});

test('a registration refused for its metadata leaves the initial access token unused', async () => {
  const iat = await initialAccessToken({ uses: 1, scope: 'read' });
  const jwks = { keys: [exportPublicJwk(keyPairFor('ES256', 45).publicKey)] };
  const beyond = await send('POST', '/register', iat, { jwks, scope: 'read write' });
  assert.equal(beyond.status, 400, beyond.text);
  const plainHttp = await send('POST', '/register', iat, { jwks_uri: 'http://client.example/jwks', scope: 'read' });
  assert.equal(plainHttp.status, 400, plainHttp.text);
  assert.equal((await send('POST', '/register', iat, { jwks, scope: 'read' })).status, 201, 'the one use is still there');
  assert.equal((await send('POST', '/register', iat, { jwks: { keys: [exportPublicJwk(keyPairFor('ES256', 46).publicKey)] }, scope: 'read' })).status, 401, 'and now it is spent');
});
