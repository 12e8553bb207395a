// The synchronous inside of createVerifier: the mode given to onRefusal, the parse cache for every
// input shape, and scopes of fresh and reused tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OAuthError } from '../../packages/core/src/errors.ts';
import type { RegisteredKey } from '../../packages/core/src/keys/types.ts';
import { createVerifier } from '../../packages/verify/src/create-verifier.ts';
import type { VerifyMode } from '../../packages/verify/src/types.ts';
import { bearer, mapKeySource, nowSeconds, pair, refused, registered, signRaw } from './fixtures.ts';

const issuerKey = pair('hot-issuer');
const clientKey = pair('hot-client');
const ISSUER = 'https://as.example';
const RESOURCE = 'https://api.example';
const issuerKeys: readonly RegisteredKey[] = [registered(issuerKey.publicKey, { kid: 'as-1' })];

function accessToken(claims: Record<string, unknown> = {}): string {
  const now = nowSeconds();
  return signRaw(issuerKey.privateKey, { alg: 'RS256', typ: 'at+jwt', kid: 'as-1' }, { iss: ISSUER, aud: RESOURCE, sub: 'c1', client_id: 'c1', scope: 'read write', iat: now, exp: now + 600, ...claims });
}

function makeVerifier(parseCacheSize?: number) {
  const seen: Array<{ reason: string; mode: VerifyMode | undefined }> = [];
  const verifier = createVerifier({
    accessToken: { issuer: ISSUER, audience: RESOURCE, jwks: { getKeys: () => issuerKeys, reload: async () => issuerKeys } },
    direct: { keys: mapKeySource(new Map([['client_1', { state: 'enabled' as const, keys: [registered(clientKey.publicKey)] }]])) },
    ...(parseCacheSize === undefined ? {} : { parseCacheSize }),
    onRefusal: (refusal: OAuthError, context) => seen.push({ reason: refusal.reason, mode: context.mode }),
  });
  return { verifier, seen };
}

test('onRefusal gets the mode of the request it refuses, sync or async, never a previous request\'s', async () => {
  const { verifier, seen } = makeVerifier();
  // Direct token, keys not loaded yet: refused after an await (bad signature).
  const forged = signRaw(pair('hot-other').privateKey, { alg: 'RS256', typ: 'JWT' }, { clientcode: 'client_1', iat: nowSeconds() });
  await refused(verifier.verify(bearer(forged)));
  // Access token refused synchronously (wrong audience).
  await refused(verifier.verify(bearer(accessToken({ aud: 'https://elsewhere.example' }))));
  // No token at all: refused before any mode is known.
  await refused(verifier.verify({}));
  // Direct token, keys cached now: refused synchronously.
  await refused(verifier.verify(bearer(forged)));
  // Two concurrent requests: an async refusal keeps its own mode.
  const other = signRaw(clientKey.privateKey, { alg: 'RS256', typ: 'JWT' }, { clientcode: 'client_2', iat: nowSeconds() });
  await Promise.all([refused(verifier.verify(bearer(other))), refused(verifier.verify(bearer(accessToken({ iss: 'https://evil.example' }))))]);
  assert.deepEqual(seen, [
    { reason: 'signature_invalid', mode: 'direct' },
    { reason: 'aud_mismatch', mode: 'access_token' },
    { reason: 'token_missing', mode: undefined },
    { reason: 'signature_invalid', mode: 'direct' },
    { reason: 'iss_mismatch', mode: 'access_token' },
    { reason: 'client_unknown', mode: 'direct' },
  ]);
});

test('parse cache: plain header objects, Headers and Request inputs all reuse a verified token, and every rule still runs', async () => {
  let now = Date.now();
  const keys = mapKeySource(new Map([['client_1', { state: 'enabled' as const, keys: [registered(clientKey.publicKey)] }]]));
  const verifier = createVerifier({ direct: { keys, maxIatAge: 60 }, now: () => now });
  const token = signRaw(clientKey.privateKey, { alg: 'RS256', typ: 'JWT' }, { clientcode: 'client_1', iat: Math.floor(now / 1000) });
  const first = await verifier.verify(bearer(token));
  assert.ok(Object.isFrozen(first.claims), 'a remembered parse is frozen');
  const inputs = [bearer(token), { authorization: `Bearer ${token}`, host: 'x' }, new Headers({ authorization: `Bearer ${token}` }), new Request('http://x/api', { headers: { authorization: `bearer ${token}` } })];
  for (const input of inputs) assert.equal((await verifier.verify(input)).claims, first.claims, 'the cached claims object');
  // Reused, but the clock still counts: too old now, whatever the input shape.
  now += 120_000;
  for (const input of inputs) assert.equal((await refused(verifier.verify(input))).reason, 'iat_too_old');
});

test('scopes: the same list for a fresh and a reused access token; frozen only when shared through the cache', async () => {
  const token = accessToken();
  const fresh = makeVerifier(0).verifier;
  const a = await fresh.verify(bearer(token));
  const b = await fresh.verify(bearer(token));
  assert.deepEqual(a.scopes, ['read', 'write']);
  assert.notEqual(a.scopes, b.scopes, 'each request of an uncached token has its own list');
  const reusing = makeVerifier().verifier;
  await reusing.verify(bearer(token));
  const c = await reusing.verify(bearer(token));
  const d = await reusing.verify(bearer(token));
  assert.deepEqual(c.scopes, ['read', 'write']);
  assert.equal(c.scopes, d.scopes);
  assert.ok(Object.isFrozen(c.scopes));
  // One scope, no space: no split needed, same answer; several spaces: no empty scope.
  assert.deepEqual((await fresh.verify(bearer(accessToken({ scope: 'read' })))).scopes, ['read']);
  assert.deepEqual((await fresh.verify(bearer(accessToken({ scope: ' read  write ' })))).scopes, ['read', 'write']);
  assert.deepEqual((await fresh.verify(bearer(accessToken({ scope: '' })))).scopes, []);
});
