// Direct-mode key sources: a local directory, a storage adapter, and the Keyward registry endpoint
// (here a node:http server serving the registry's contract on 127.0.0.1). Rotation and revocation
// reach a running verifier without restart, within the documented bound.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier } from '../../packages/verify/src/create-verifier.ts';
import { createDirectoryKeySource } from '../../packages/verify/src/key-sources/directory.ts';
import { createRegistryKeySource } from '../../packages/verify/src/key-sources/registry.ts';
import { createStoreKeySource } from '../../packages/verify/src/key-sources/store.ts';
import type { ClientKeyRecord, ClientRecord } from '../../packages/keyward/src/store/contract.ts';
import { createMemoryStore } from '../../packages/keyward/src/store/index.ts';
import { pair, bearer, nowSeconds, readBody, refused, signToken, startServer, publicJwk } from './fixtures.ts';

const alice = pair('alice');
const aliceNext = pair('alice-next');
const rs = pair('resource-server');

const directToken = (key = alice.privateKey, clientcode = 'client_12345', header?: Record<string, unknown>) =>
  signToken(key, { clientcode, iat: nowSeconds() }, header ?? { alg: 'RS256', typ: 'JWT' });

// --- directory ---------------------------------------------------------------------------------

test('directory: <client_id>.pem is the client\'s key; rotation and revocation by editing the file are seen within reloadSeconds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-keys-dir-'));
  let clock = Date.now();
  try {
    const pem = (k: typeof alice) => k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    writeFileSync(join(dir, 'client_12345.pem'), pem(alice));
    const verifier = createVerifier({ direct: { keys: createDirectoryKeySource({ dir, reloadSeconds: 5, now: () => clock }) } });
    assert.equal((await verifier.verify(bearer(await directToken()))).clientId, 'client_12345');
    assert.equal((await refused(verifier.verify(bearer(await directToken(alice.privateKey, 'other'))))).reason, 'client_unknown');
    // Rotation: the new key joins the file (no kid: the failed signature forces a re-read after 1 s).
    writeFileSync(join(dir, 'client_12345.pem'), pem(alice) + pem(aliceNext));
    clock += 1500;
    assert.ok(await verifier.verify(bearer(await directToken(aliceNext.privateKey))));
    // Revocation: the old key leaves the file; refused at most reloadSeconds later.
    writeFileSync(join(dir, 'client_12345.pem'), pem(aliceNext));
    assert.ok(await verifier.verify(bearer(await directToken())), 'still cached inside the bound');
    clock += 5001;
    assert.equal((await refused(verifier.verify(bearer(await directToken())))).reason, 'signature_invalid');
    // Removing the file removes the client.
    unlinkSync(join(dir, 'client_12345.pem'));
    clock += 5001;
    assert.equal((await refused(verifier.verify(bearer(await directToken(aliceNext.privateKey))))).reason, 'client_unknown');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('directory: a JWKS file works, and a client ID is never used as a path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-keys-dir-'));
  try {
    writeFileSync(join(dir, 'jwk-client.jwks'), JSON.stringify({ keys: [await publicJwk(alice.publicKey, 'a1', 'RS256')] }));
    writeFileSync(join(dir, 'secret.pem'), alice.publicKey.export({ type: 'spki', format: 'pem' }));
    const verifier = createVerifier({ direct: { keys: createDirectoryKeySource({ dir: join(dir, 'sub') }) } });
    const inDir = createVerifier({ direct: { keys: createDirectoryKeySource({ dir }) } });
    assert.ok(await inDir.verify(bearer(await directToken(alice.privateKey, 'jwk-client'))));
    for (const id of ['../secret', '..', '.hidden', 'a/b', 'a\\b']) {
      assert.equal((await refused(verifier.verify(bearer(await directToken(alice.privateKey, id))))).reason, 'client_unknown', id);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- store ---------------------------------------------------------------------------------------

async function keyRecord(clientId: string, publicKey: typeof alice.publicKey, kid: string, extra: Partial<ClientKeyRecord> = {}): Promise<ClientKeyRecord> {
  const { use: _use, ...jwk } = await publicJwk(publicKey, kid, 'RS256');
  return { clientId, kid, thumbprint: kid, jwk: jwk as never, state: 'active', createdAt: new Date(), ...extra };
}

test('store (the memory adapter of src/store): keys with their lifecycle; scopes and disabled state from the client record; changes seen within cacheSeconds', async () => {
  const store = createMemoryStore();
  const record: ClientRecord = { clientId: 'client_12345', name: 'c', grantTypes: [], scopes: ['read'], accessTokenTtl: 300, audiencePolicy: 'strict', state: 'enabled', createdAt: new Date(), updatedAt: new Date() };
  await store.clients.createClient(record);
  await store.clients.addKey(await keyRecord('client_12345', alice.publicKey, 'k1'));
  let clock = Date.now();
  const verifier = createVerifier({ direct: { keys: createStoreKeySource({ clients: store.clients, cacheSeconds: 30, now: () => clock }) } });
  const principal = await verifier.verify(bearer(await directToken()));
  assert.deepEqual(principal.scopes, ['read']);
  // Revoke the key at the store: refused after at most cacheSeconds.
  await store.clients.updateKey('client_12345', 'k1', { state: 'revoked', revokedAt: new Date() });
  assert.ok(await verifier.verify(bearer(await directToken())));
  clock += 30_001;
  assert.equal((await refused(verifier.verify(bearer(await directToken())))).reason, 'key_revoked');
  // A retiring key past retireAt.
  await store.clients.updateKey('client_12345', 'k1', { state: 'retiring', retireAt: new Date(Date.now() - 1000) });
  clock += 30_001;
  assert.equal((await refused(verifier.verify(bearer(await directToken())))).reason, 'key_retired');
  // Disabled client.
  await store.clients.updateKey('client_12345', 'k1', { state: 'active' });
  await store.clients.updateClient('client_12345', { state: 'disabled' });
  clock += 30_001;
  assert.equal((await refused(verifier.verify(bearer(await directToken())))).reason, 'client_disabled');
  await store.close();
});

test('replay cache from src/store (memory adapter): a jti is accepted once', async () => {
  const store = createMemoryStore();
  await store.clients.createClient({ clientId: 'client_12345', name: 'c', grantTypes: [], scopes: [], accessTokenTtl: 300, audiencePolicy: 'strict', state: 'enabled', createdAt: new Date(), updatedAt: new Date() });
  await store.clients.addKey(await keyRecord('client_12345', alice.publicKey, 'k1'));
  const verifier = createVerifier({ direct: { keys: createStoreKeySource({ clients: store.clients }), replay: store.replay } });
  const token = await signToken(alice.privateKey, { clientcode: 'client_12345', iat: nowSeconds(), jti: 'once' });
  assert.ok(await verifier.verify(bearer(token)));
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'jti_replayed');
  await store.close();
});

// --- registry ------------------------------------------------------------------------------------

interface RegistryState {
  clients: Map<string, { state: string; keys: Record<string, unknown>[] }>;
  maxAge: number;
  tokenRequests: number;
  keyRequests: number;
  down: boolean;
  expireTokens: boolean;
  issued: Set<string>;
  lastTokenForm?: URLSearchParams;
}
const registry: RegistryState = { clients: new Map(), maxAge: 60, tokenRequests: 0, keyRequests: 0, down: false, expireTokens: false, issued: new Set() };

const registryServer = await startServer(async (req, res) => {
  const base = `http://127.0.0.1:${req.socket.localPort as number}`;
  res.setHeader('content-type', 'application/json');
  if (req.url === '/.well-known/oauth-authorization-server') {
    res.end(JSON.stringify({ issuer: base, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks` }));
    return;
  }
  if (req.url === '/token' && req.method === 'POST') {
    registry.tokenRequests++;
    const form = new URLSearchParams(await readBody(req));
    registry.lastTokenForm = form;
    const token = `at-${registry.tokenRequests}`;
    registry.issued.add(token);
    res.end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 300, scope: form.get('scope') }));
    return;
  }
  const match = /^\/resource\/v1\/clients\/([^/]+)\/keys$/.exec(req.url ?? '');
  if (match !== null) {
    registry.keyRequests++;
    if (registry.down) {
      res.statusCode = 503;
      res.end('{}');
      return;
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !registry.issued.has(token)) {
      res.statusCode = 401;
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      res.end('{"error":"invalid_token"}');
      return;
    }
    if (registry.expireTokens) {
      registry.issued.clear();
      registry.expireTokens = false;
    }
    const clientId = decodeURIComponent(match[1] as string);
    const client = registry.clients.get(clientId);
    if (client === undefined) {
      res.statusCode = 404;
      res.setHeader('cache-control', 'no-store');
      res.end('{"error":"not_found"}');
      return;
    }
    res.setHeader('cache-control', `max-age=${registry.maxAge}`);
    res.end(JSON.stringify({ client_id: clientId, state: client.state, keys: client.keys }));
    return;
  }
  res.statusCode = 404;
  res.end('{}');
});
after(() => registryServer.close());

async function registryJwk(publicKey: typeof alice.publicKey, kid: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return { ...(await publicJwk(publicKey, kid, 'RS256')), keyward_state: 'active', ...extra };
}

test('registry: the API authenticates with private_key_jwt + client_credentials (scope keyward:keys.read) and reuses its access token', async () => {
  registry.clients.set('client_12345', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  const before = registry.tokenRequests;
  const verifier = createVerifier({ direct: { keys: createRegistryKeySource({ issuer: registryServer.url, clientId: 'api-1', privateKey: rs.privateKey }) } });
  assert.equal((await verifier.verify(bearer(await directToken()))).clientId, 'client_12345');
  registry.clients.set('other', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  assert.ok(await verifier.verify(bearer(await directToken(alice.privateKey, 'other'))));
  assert.equal(registry.tokenRequests, before + 1, 'one access token for both lookups');
  const form = registry.lastTokenForm as URLSearchParams;
  assert.equal(form.get('grant_type'), 'client_credentials');
  assert.equal(form.get('scope'), 'keyward:keys.read');
  assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  const assertion = JSON.parse(Buffer.from((form.get('client_assertion') as string).split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
  assert.equal(assertion.iss, 'api-1');
  assert.equal(assertion.aud, registryServer.url);
});

test('registry: 404 is an unknown client; disabled state and revoked / retired keys are refused', async () => {
  registry.clients.set('dis', { state: 'disabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  registry.clients.set('rev', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1', { keyward_state: 'revoked' })] });
  registry.clients.set('ret', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1', { keyward_state: 'retiring', keyward_retire_at: nowSeconds() - 10 })] });
  registry.clients.set('odd', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1', { keyward_state: 'something-new' })] });
  const verifier = createVerifier({ direct: { keys: createRegistryKeySource({ issuer: registryServer.url, clientId: 'api-1', privateKey: rs.privateKey }) } });
  assert.equal((await refused(verifier.verify(bearer(await directToken(alice.privateKey, 'nobody'))))).reason, 'client_unknown');
  assert.equal((await refused(verifier.verify(bearer(await directToken(alice.privateKey, 'dis'))))).reason, 'client_disabled');
  assert.equal((await refused(verifier.verify(bearer(await directToken(alice.privateKey, 'rev'))))).reason, 'key_revoked');
  assert.equal((await refused(verifier.verify(bearer(await directToken(alice.privateKey, 'ret'))))).reason, 'key_retired');
  assert.equal((await refused(verifier.verify(bearer(await directToken(alice.privateKey, 'odd'))))).reason, 'key_revoked', 'an unknown state never widens access');
});

test('registry: max-age bounds the cache; revocation at the server is refused within max-age; a new kid is fetched at once', async () => {
  registry.clients.set('rot', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  registry.maxAge = 60;
  let clock = Date.now();
  const verifier = createVerifier({ direct: { keys: createRegistryKeySource({ issuer: registryServer.url, clientId: 'api-1', privateKey: rs.privateKey, cooldownSeconds: 10, now: () => clock }) } });
  assert.ok(await verifier.verify(bearer(await directToken(alice.privateKey, 'rot'))));
  const requests = registry.keyRequests;
  // Rotation: the next key is registered; a token with its kid is accepted on the spot (one refetch).
  registry.clients.set('rot', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1'), await registryJwk(aliceNext.publicKey, 'k2')] });
  clock += 10_001;
  assert.ok(await verifier.verify(bearer(await directToken(aliceNext.privateKey, 'rot', { alg: 'RS256', kid: 'k2' }))));
  assert.equal(registry.keyRequests, requests + 1);
  // Revocation of k1 at the server: still cached for max-age, refused after it.
  registry.clients.set('rot', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1', { keyward_state: 'revoked' }), await registryJwk(aliceNext.publicKey, 'k2')] });
  assert.ok(await verifier.verify(bearer(await directToken(alice.privateKey, 'rot'))));
  clock += 60_001;
  assert.equal((await refused(verifier.verify(bearer(await directToken(alice.privateKey, 'rot'))))).reason, 'key_revoked');
  // A huge max-age is clamped to maxCacheSeconds (300 by default).
  registry.maxAge = 86_400;
  clock += 301_000;
  await verifier.verify(bearer(await directToken(aliceNext.privateKey, 'rot')));
  const n = registry.keyRequests;
  clock += 300_001;
  await verifier.verify(bearer(await directToken(aliceNext.privateKey, 'rot')));
  assert.equal(registry.keyRequests, n + 1, 'refetched after 300 s despite max-age=86400');
  registry.maxAge = 60;
});

test('registry: with the defaults a client\'s new kid is fetched within one second of the last lookup, and random kids cost at most one lookup per second', async () => {
  registry.clients.set('rot1s', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  let clock = Date.now();
  const verifier = createVerifier({ direct: { keys: createRegistryKeySource({ issuer: registryServer.url, clientId: 'api-1', privateKey: rs.privateKey, now: () => clock }) } });
  assert.ok(await verifier.verify(bearer(await directToken(alice.privateKey, 'rot1s'))));
  const requests = registry.keyRequests;
  registry.clients.set('rot1s', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1'), await registryJwk(aliceNext.publicKey, 'k2')] });
  clock += 1_001;
  assert.ok(await verifier.verify(bearer(await directToken(aliceNext.privateKey, 'rot1s', { alg: 'RS256', kid: 'k2' }))));
  assert.equal(registry.keyRequests, requests + 1);
  for (let i = 0; i < 10; i++) await refused(verifier.verify(bearer(await directToken(alice.privateKey, 'rot1s', { alg: 'RS256', kid: `random-${i}` }))));
  assert.equal(registry.keyRequests, requests + 1, 'no lookup within the second');
});

test('registry: a 401 (expired access token) gets a new token and retries once', async () => {
  registry.clients.set('c401', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  const verifier = createVerifier({ direct: { keys: createRegistryKeySource({ issuer: registryServer.url, clientId: 'api-1', privateKey: rs.privateKey }) } });
  assert.ok(await verifier.verify(bearer(await directToken(alice.privateKey, 'c401'))));
  registry.expireTokens = true;
  registry.clients.set('c401b', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  await verifier.verify(bearer(await directToken(alice.privateKey, 'c401b'))).catch(() => undefined);
  const tokens = registry.tokenRequests;
  registry.clients.set('c401c', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  assert.ok(await verifier.verify(bearer(await directToken(alice.privateKey, 'c401c'))));
  assert.equal(registry.tokenRequests, tokens + 1, 'a new access token after the 401');
});

test('registry down: the last good keys are kept; with none cached the answer is 503 (retry), not 401', async () => {
  registry.clients.set('down', { state: 'enabled', keys: [await registryJwk(alice.publicKey, 'k1')] });
  let clock = Date.now();
  const verifier = createVerifier({ direct: { keys: createRegistryKeySource({ issuer: registryServer.url, clientId: 'api-1', privateKey: rs.privateKey, now: () => clock }) } });
  assert.ok(await verifier.verify(bearer(await directToken(alice.privateKey, 'down'))));
  registry.down = true;
  try {
    clock += 61_000;
    assert.ok(await verifier.verify(bearer(await directToken(alice.privateKey, 'down'))), 'last good set');
    const result = await verifier.authenticate(bearer(await directToken(alice.privateKey, 'never-seen')));
    assert.ok(!result.ok);
    if (!result.ok) assert.equal(result.challenge.status, 503);
  } finally {
    registry.down = false;
  }
});
