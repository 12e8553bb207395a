// The verifier against a real, started Keyward server (src/server/main.ts) on 127.0.0.1:
// mode A accepts the access token it issues (and sees a revocation through introspection); mode B
// reads keys from its registry endpoint, and picks up a rotation and a revocation made at the
// server while the verifier keeps running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { importPublicKey } from '../../packages/core/src/keys/index.ts';
import { createVerifier, type Verifier } from '../../packages/verify/src/create-verifier.ts';
import { createRegistryKeySource } from '../../packages/verify/src/key-sources/registry.ts';
import { addTestClient, requestToken, startTestServer, type TestClient } from '../server/helpers.ts';
import { pair, nowSeconds, refused, signToken } from './fixtures.ts';

const RESOURCE = 'https://api.example.com/orders';
let server: Awaited<ReturnType<typeof startTestServer>>;
let partner: TestClient;
let resourceServer: TestClient;
let subject: TestClient;

before(async () => {
  server = await startTestServer({ overrides: { clientKeysEndpoint: { maxAge: 60 } } });
  partner = await addTestClient(server, { scopes: ['read'] });
  resourceServer = await addTestClient(server, { scopes: ['keyward:keys.read'], alg: 'ES256', slot: 1 });
  subject = await addTestClient(server, { alg: 'RS256', kid: 'partner-key-1', scopes: ['read'] });
});
after(async () => { await server.stop(); });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('mode A: an access token from a started Keyward server (client_credentials, resource, scope read) is accepted', async () => {
  const answer = await requestToken(server, partner, { scope: 'read', resource: RESOURCE });
  assert.equal(answer.status, 200, answer.text);
  const token = answer.json.access_token as string;
  const verifier = createVerifier({ accessToken: { issuer: server.issuer, audience: RESOURCE } });
  const principal = await verifier.verify(bearer(token), { scopes: ['read'] });
  assert.equal(principal.clientId, partner.clientId);
  assert.deepEqual(principal.scopes, ['read']);
  assert.equal(principal.mode, 'access_token');
  // Another API (another resource) refuses it.
  const other = createVerifier({ accessToken: { issuer: server.issuer, audience: 'https://api.example.com/billing' } });
  assert.equal((await refused(other.verify(bearer(token)))).reason, 'aud_mismatch');
});

test('mode A with introspection: a token revoked at the server is refused', async () => {
  const verifier = createVerifier({
    accessToken: {
      issuer: server.issuer,
      audience: RESOURCE,
      introspection: { clientId: resourceServer.clientId, privateKey: resourceServer.privateKey, kid: resourceServer.kid, cacheSeconds: 0 },
    },
  });
  const token = (await requestToken(server, partner, { scope: 'read', resource: RESOURCE })).json.access_token as string;
  assert.ok(await verifier.verify(bearer(token)));
  const jti = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).jti as string;
  await server.context.store.tokens.revokeToken(jti);
  assert.equal((await refused(verifier.verify(bearer(token)))).reason, 'token_revoked');
});

test('mode B with the registry key source: direct tokens verified with keys from the server; rotation and revocation reach the running verifier', async () => {
  let clock = Date.now();
  const verifier: Verifier = createVerifier({
    direct: {
      keys: createRegistryKeySource({
        issuer: server.issuer,
        clientId: resourceServer.clientId,
        privateKey: resourceServer.privateKey,
        kid: resourceServer.kid,
        cooldownSeconds: 1,
        now: () => clock,
      }),
    },
  });
  // Source document 000: { clientcode, iat } RS256, no kid.
  const first = await signToken(subject.privateKey, { clientcode: subject.clientId, iat: nowSeconds() });
  const principal = await verifier.verify(bearer(first));
  assert.equal(principal.clientId, subject.clientId);
  assert.equal(principal.mode, 'direct');
  assert.equal((await refused(verifier.verify(bearer(await signToken(subject.privateKey, { clientcode: 'not-registered', iat: nowSeconds() }))))).reason, 'client_unknown');

  // Rotation at the server: a second key is registered while the verifier runs.
  const next = pair('real-server-next');
  const info = importPublicKey(next.publicKey, { kid: 'partner-key-2', alg: 'RS256' });
  await server.context.store.clients.addKey({ clientId: subject.clientId, kid: 'partner-key-2', thumbprint: info.thumbprint, jwk: info.jwk, alg: 'RS256', state: 'active', createdAt: new Date() });
  clock += 1001;
  const rotated = await signToken(next.privateKey, { clientcode: subject.clientId, iat: nowSeconds() }, { alg: 'RS256', typ: 'JWT', kid: 'partner-key-2' });
  assert.equal((await verifier.verify(bearer(rotated))).clientId, subject.clientId, 'new key accepted without restart');

  // Revocation of the old key at the server: refused once the cached answer (max-age=60) expires.
  await server.context.store.clients.updateKey(subject.clientId, subject.thumbprint, { state: 'revoked', revokedAt: new Date() });
  const old = await signToken(subject.privateKey, { clientcode: subject.clientId, iat: nowSeconds() }, { alg: 'RS256', typ: 'JWT', kid: 'partner-key-1' });
  assert.ok(await verifier.verify(bearer(old)), 'still inside the documented bound (max-age 60 s)');
  clock += 60_001;
  assert.equal((await refused(verifier.verify(bearer(old)))).reason, 'key_revoked');
  assert.ok(await verifier.verify(bearer(rotated)));
});
