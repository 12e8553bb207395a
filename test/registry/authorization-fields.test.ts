/**
 * The client fields of the authorization-code flow through every way in (the registry's rule, the
 * admin API, RFC 7591 /register and `keyward clients add`): redirect URIs are absolute https with no
 * fragment or wildcard, `javascript:` and `data:` are refused with a reason, loopback http only with
 * clients.allowLoopbackRedirectUris; grant types and response types stay consistent.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { exportPublicJwk, exportPublicPem } from '../../packages/core/src/keys/export-key.ts';
import { checkRedirectUri } from '../../packages/keyward/src/server/services/registry/authorization-fields.ts';
import { RegistryError } from '../../packages/keyward/src/server/services/registry/registry-error.ts';
import { runKeyward } from '../cli/run-cli.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addTestClient, keyPairFor, readAnswer, requestToken, startTestServer, type Answer, type TestClient } from '../server/helpers.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
let admin: TestClient;

before(async () => {
  server = await startTestServer();
  admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'admin-client' });
});
after(async () => { await server.stop(); });

async function adminCall(method: string, path: string, body?: unknown): Promise<Answer> {
  const token = (await requestToken(server, admin, { scope: 'keyward:admin' })).json.access_token as string;
  return readAnswer(await fetch(`${server.url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }));
}

function refusal(uri: string, policy = {}): string {
  try {
    checkRedirectUri(uri, 'redirect_uris', policy);
  } catch (error) {
    assert.ok(error instanceof RegistryError && error.code === 'invalid');
    return error.message;
  }
  assert.fail(`${uri} was accepted`);
}

test('the redirect URI rule: https, exact, no fragment, no wildcard, no script schemes, loopback http only when allowed', () => {
  assert.equal(checkRedirectUri('https://rp.example/cb?x=1', 'redirect_uris'), 'https://rp.example/cb?x=1');
  assert.equal(checkRedirectUri('https://RP.example:8443/Cb/', 'redirect_uris'), 'https://RP.example:8443/Cb/', 'kept character for character');
  assert.match(refusal('javascript:alert(1)'), /javascript: scheme is refused/);
  assert.match(refusal('JavaScript://rp.example/%0aalert(1)'), /javascript: scheme is refused/);
  assert.match(refusal('data:text/html,<script>alert(1)</script>'), /data: scheme is refused/);
  assert.match(refusal('https://rp.example/cb#frag'), /fragment/);
  assert.match(refusal('https://rp.example/cb#'), /fragment/);
  assert.match(refusal('https://*.rp.example/cb'), /wildcard|absolute/);
  assert.match(refusal('https://rp.example/*'), /wildcard/);
  assert.match(refusal('/cb'), /absolute/);
  assert.match(refusal('http://rp.example/cb'), /https/);
  assert.match(refusal('https://user:pw@rp.example/cb'), /credentials/);
  assert.match(refusal('https://rp.example/c b'), /whitespace/);
  assert.match(refusal('http://127.0.0.1:8080/cb'), /clients\.allowLoopbackRedirectUris/);
  assert.match(refusal('http://localhost/cb'), /clients\.allowLoopbackRedirectUris/);
  assert.equal(checkRedirectUri('http://127.0.0.1:8080/cb', 'redirect_uris', { allowLoopbackRedirectUris: true }), 'http://127.0.0.1:8080/cb');
  assert.equal(checkRedirectUri('http://localhost/cb', 'redirect_uris', { allowLoopbackRedirectUris: true }), 'http://localhost/cb');
  assert.match(refusal('http://10.0.0.1/cb', { allowLoopbackRedirectUris: true }), /https/);
  assert.match(refusal('http://localhost.evil.example/cb', { allowLoopbackRedirectUris: true }), /https/);
});

test('admin API: a code-flow client gets response_types ["code"]; the fields round-trip; inconsistent metadata is refused', async () => {
  const keys = exportPublicPem(keyPairFor('ES256', 41).publicKey);
  const created = await adminCall('POST', '/admin/v1/clients', {
    client_name: 'web app', keys, scope: 'openid profile', grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: ['https://rp.example/cb'], post_logout_redirect_uris: ['https://rp.example/bye'],
    id_token_signed_response_alg: 'ES256', require_pushed_authorization_requests: true, consent: 'implicit',
  });
  assert.equal(created.status, 201, created.text);
  const id = created.json.client_id as string;
  const read = await adminCall('GET', `/admin/v1/clients/${id}`);
  assert.deepEqual(read.json.redirect_uris, ['https://rp.example/cb']);
  assert.deepEqual(read.json.post_logout_redirect_uris, ['https://rp.example/bye']);
  assert.deepEqual(read.json.response_types, ['code']);
  assert.equal(read.json.id_token_signed_response_alg, 'ES256');
  assert.equal(read.json.require_pushed_authorization_requests, true);
  assert.equal(read.json.consent, 'implicit');

  const noRedirect = await adminCall('POST', '/admin/v1/clients', { client_name: 'x', keys, grant_types: ['authorization_code'] });
  assert.equal(noRedirect.status, 400);
  assert.match(noRedirect.text, /at least one redirect URI/);
  const script = await adminCall('POST', '/admin/v1/clients', { client_name: 'x', keys, grant_types: ['authorization_code'], redirect_uris: ['javascript:alert(1)'] });
  assert.equal(script.status, 400);
  assert.match(script.text, /javascript: scheme is refused/);
  const refreshOnly = await adminCall('POST', '/admin/v1/clients', { client_name: 'x', keys, grant_types: ['refresh_token'] });
  assert.equal(refreshOnly.status, 400);
  const wrongAlg = await adminCall('POST', '/admin/v1/clients', { client_name: 'x', keys, grant_types: ['authorization_code'], redirect_uris: ['https://rp.example/cb'], id_token_signed_response_alg: 'RS256' });
  assert.equal(wrongAlg.status, 400);
  assert.match(wrongAlg.text, /signs ID tokens with ES256/);

  // Dropping the grant drops the response type; removing the last redirect URI of a code client is refused.
  const cleared = await adminCall('PATCH', `/admin/v1/clients/${id}`, { redirect_uris: [] });
  assert.equal(cleared.status, 400);
  const narrowed = await adminCall('PATCH', `/admin/v1/clients/${id}`, { grant_types: ['client_credentials'] });
  assert.equal(narrowed.status, 200, narrowed.text);
  assert.deepEqual(narrowed.json.response_types, []);
});

test('RFC 7591 /register: javascript: and data: redirect URIs are invalid_redirect_uri; a code client registers; consent cannot be skipped', async () => {
  const iat = (await adminCall('POST', '/admin/v1/initial-access-tokens', {})).json.initial_access_token as string;
  const register = async (metadata: Record<string, unknown>) => readAnswer(await fetch(`${server.url}/register`, {
    method: 'POST', headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' }, body: JSON.stringify(metadata),
  }));
  const jwks = { keys: [exportPublicJwk(keyPairFor('ES256', 42).publicKey)] };
  for (const uri of ['javascript:alert(document.cookie)', 'data:text/html;base64,PHNjcmlwdD4=', 'https://rp.example/cb#x', 'http://rp.example/cb']) {
    const answer = await register({ jwks, grant_types: ['authorization_code'], redirect_uris: [uri] });
    assert.equal(answer.status, 400, uri);
    assert.equal(answer.json.error, 'invalid_redirect_uri', uri);
    assert.ok(String(answer.json.error_description).length > 10);
  }
  const ok = await register({ jwks, grant_types: ['authorization_code'], redirect_uris: ['https://rp.example/cb'], scope: 'openid', consent: 'implicit' });
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual(ok.json.redirect_uris, ['https://rp.example/cb']);
  assert.deepEqual(ok.json.response_types, ['code']);
  const stored = await adminCall('GET', `/admin/v1/clients/${ok.json.client_id as string}`);
  assert.equal(stored.json.consent, 'required', 'a self-registered client never skips consent');
  // RFC 7592 §2.2: the client replaces its metadata with the same rules.
  const manage = async (metadata: Record<string, unknown>) => readAnswer(await fetch(ok.json.registration_client_uri as string, {
    method: 'PUT', headers: { authorization: `Bearer ${ok.json.registration_access_token as string}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: ok.json.client_id, jwks, grant_types: ['authorization_code'], scope: 'openid', ...metadata }),
  }));
  const moved = await manage({ redirect_uris: ['https://rp.example/new'], require_pushed_authorization_requests: true });
  assert.equal(moved.status, 200, moved.text);
  assert.deepEqual(moved.json.redirect_uris, ['https://rp.example/new']);
  assert.equal(moved.json.require_pushed_authorization_requests, true);
  const script = await manage({ redirect_uris: ['javascript:alert(1)'] });
  assert.equal(script.status, 400);
  assert.equal(script.json.error, 'invalid_redirect_uri');
  const none = await manage({});
  assert.equal(none.status, 400, 'a code client without redirect URIs is refused');
});

test('keyward clients add --redirect-uri ... --grant-type authorization_code (both repeatable)', async () => {
  const keyFile = join(server.dataDir, 'rp-public.pem');
  writeFileSync(keyFile, exportPublicPem(keyPairFor('ES256', 43).publicKey));
  const env = { KEYWARD_DATA_DIR: server.dataDir };
  const added = await runKeyward(['clients', 'add', '--name', 'rp', '--public-key', keyFile, '--scope', 'openid',
    '--grant-type', 'authorization_code', '--grant-type', 'refresh_token',
    '--redirect-uri', 'https://rp.example/a', '--redirect-uri', 'https://rp.example/b', '--json'], { env });
  assert.equal(added.code, 0, added.stderr);
  const view = JSON.parse(added.stdout) as Record<string, unknown>;
  assert.deepEqual(view.redirect_uris, ['https://rp.example/a', 'https://rp.example/b']);
  assert.deepEqual(view.grant_types, ['authorization_code', 'refresh_token']);
  const refused = await runKeyward(['clients', 'add', '--name', 'rp2', '--public-key', keyFile, '--grant-type', 'authorization_code', '--redirect-uri', 'data:text/html,hi'], { env });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /data: scheme is refused/);
});
