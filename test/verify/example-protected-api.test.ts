// examples/protected-api over HTTP, against a started Keyward server: mode A with a real access
// token, mode B with keys from a directory and from the server's registry; call-api.ts as the client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsonwebtoken from 'jsonwebtoken';
import { startProtectedApi } from '../../examples/protected-api/server.mjs';
import { callApi } from '../../examples/protected-api/call-api.mjs';
import { addTestClient, startTestServer, type TestClient } from '../server/helpers.ts';

const AUDIENCE = 'http://127.0.0.1/example-api';
let server: Awaited<ReturnType<typeof startTestServer>>;
let partner: TestClient;
let apiClient: TestClient;
let keysDir: string;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  server = await startTestServer();
  partner = await addTestClient(server, { alg: 'RS256', scopes: ['read'] });
  apiClient = await addTestClient(server, { alg: 'ES256', slot: 2, scopes: ['keyward:keys.read'] });
  keysDir = mkdtempSync(join(tmpdir(), 'keyward-example-keys-'));
  writeFileSync(join(keysDir, `${partner.clientId}.pem`), partner.publicKey.export({ type: 'spki', format: 'pem' }));
});
after(async () => {
  for (const close of closers) await close();
  await server.stop();
  rmSync(keysDir, { recursive: true, force: true });
});

const pem = () => partner.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

test('example API, keys from a directory: call-api.ts gets 200 in mode A and in mode B', async () => {
  const api = await startProtectedApi({ issuer: server.issuer, audience: AUDIENCE, keysDir, port: 0 });
  closers.push(api.close);
  const result = await callApi({ issuer: server.issuer, apiUrl: api.url, audience: AUDIENCE, clientId: partner.clientId, privateKey: pem() });
  assert.equal(result.modeA.status, 200, JSON.stringify(result.modeA.body));
  assert.deepEqual(result.modeA.body, { message: 'hello from mode A', client_id: partner.clientId, scopes: ['read'] });
  assert.equal(result.modeB.status, 200, JSON.stringify(result.modeB.body));
  assert.deepEqual(result.modeB.body, { message: 'hello from mode B', client_id: partner.clientId });

  // The source document's Node snippet (jsonwebtoken, RS256, clientcode + iat + exp) works too.
  const seedToken = jsonwebtoken.sign({ clientcode: partner.clientId, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 }, pem(), { algorithm: 'RS256' });
  const seed = await fetch(`${api.url}/direct/resource`, { headers: { authorization: `Bearer ${seedToken}` } });
  assert.equal(seed.status, 200);

  // RFC 6750: no token → 401 with a challenge; a direct token on the mode A route → 401; open route open.
  const none = await fetch(`${api.url}/api/resource`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="protected-api", scope="read"');
  const wrongMode = await fetch(`${api.url}/api/resource`, { headers: { authorization: `Bearer ${seedToken}` } });
  assert.equal(wrongMode.status, 401);
  assert.equal((await fetch(`${api.url}/health`)).status, 200);
});

test('example API, keys from the Keyward registry: mode B works with no key file at the API', async () => {
  const api = await startProtectedApi({
    issuer: server.issuer,
    audience: AUDIENCE,
    registry: { clientId: apiClient.clientId, privateKey: apiClient.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), kid: apiClient.kid },
    port: 0,
  });
  closers.push(api.close);
  const result = await callApi({ issuer: server.issuer, apiUrl: api.url, audience: AUDIENCE, clientId: partner.clientId, privateKey: pem() });
  assert.equal(result.modeA.status, 200);
  assert.equal(result.modeB.status, 200, JSON.stringify(result.modeB.body));
});
