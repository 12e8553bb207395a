// Reading the issuer's JWKS (RFC 7517 §5): unusable entries are skipped, never fatal, never trusted.
// Refetching it against a real local JWKS server that counts fetches: an unknown kid refetches at
// once within a short per-key-set interval, single flight, last good set kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { OAuthError } from '../../packages/core/src/errors.ts';
import { createRemoteJwks, readJwksKeys } from '../../packages/verify/src/key-sources/remote-jwks.ts';
import { pair, publicJwk, startServer, type TestServer } from './fixtures.ts';

test('RFC 7517 §5: keys for encryption, symmetric, private or too small keys are skipped; the good ones stay', async () => {
  const good = await publicJwk(pair('jwks-good', 'p256').publicKey, 'good', 'ES256');
  const small = { ...(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })), kid: 'small' };
  const privateJwk = { ...(pair('jwks-priv', 'p256').privateKey.export({ format: 'jwk' })), kid: 'private' };
  const keys = readJwksKeys({
    keys: [
      { ...good, kid: 'enc', use: 'enc' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
      privateJwk,
      small,
      'not an object',
      good,
    ],
  });
  assert.deepEqual(keys.map((k) => k.kid), ['good']);
});

test('a document that is not a JWKS is refused as store_unavailable (503, retry), not as a bad token', () => {
  for (const document of [null, {}, { keys: 'x' }, []]) {
    assert.throws(() => readJwksKeys(document), (error: unknown) => error instanceof OAuthError && error.reason === 'store_unavailable');
  }
});

/** A JWKS server on 127.0.0.1 that counts fetches; `delayMs` holds each answer, `down` answers 503. */
async function jwksServer(initial: Record<string, unknown>[]): Promise<TestServer & { keys: Record<string, unknown>[]; fetches: number; delayMs: number; down: boolean }> {
  const state = { keys: initial, fetches: 0, delayMs: 0, down: false };
  const server = await startServer(async (_req, res) => {
    state.fetches += 1;
    if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.down) {
      res.statusCode = 503;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.setHeader('cache-control', 'max-age=600');
    res.end(JSON.stringify({ keys: state.keys }));
  });
  return Object.assign(state, { url: server.url, server: server.server, close: () => server.close() });
}

const kidsOf = (keys: readonly { kid?: string }[]): string[] => keys.map((k) => k.kid ?? '');

test('a key the server rotated to is seen by its first token once the 1 s refetch interval has passed, not after the 30 s cooldown', async () => {
  const server = await jwksServer([await publicJwk(pair('rot-1', 'p256').publicKey, 'k1', 'ES256')]);
  try {
    let clock = 1_000_000;
    const jwks = createRemoteJwks({ jwksUri: `${server.url}/jwks`, now: () => clock });
    assert.deepEqual(kidsOf(await jwks.getKeys()), ['k1']);
    server.keys = [...server.keys, await publicJwk(pair('rot-2', 'p256').publicKey, 'k2', 'ES256')];
    clock += 500;
    assert.deepEqual(kidsOf(await jwks.getKeys('k2')), ['k1'], 'within the interval: no refetch');
    assert.equal(server.fetches, 1);
    clock += 500;
    assert.deepEqual(kidsOf(await jwks.getKeys('k2')), ['k1', 'k2'], 'the interval passed: refetched at once');
    assert.equal(server.fetches, 2);
    assert.deepEqual(kidsOf(await jwks.getKeys('k2')), ['k1', 'k2']);
    assert.equal(server.fetches, 2, 'a known kid never refetches');
  } finally {
    await server.close();
  }
});

test('N concurrent requests with an unknown kid make one fetch, and every one of them sees the new key', async () => {
  const server = await jwksServer([await publicJwk(pair('conc-1', 'p256').publicKey, 'k1', 'ES256')]);
  try {
    let clock = 1_000_000;
    const jwks = createRemoteJwks({ jwksUri: `${server.url}/jwks`, now: () => clock });
    await jwks.getKeys();
    server.keys = [...server.keys, await publicJwk(pair('conc-2', 'p256').publicKey, 'k2', 'ES256')];
    server.delayMs = 50;
    clock += 2000;
    const results = await Promise.all(Array.from({ length: 50 }, () => jwks.getKeys('k2')));
    assert.equal(server.fetches, 2, 'one refetch for 50 concurrent requests');
    for (const keys of results) assert.deepEqual(kidsOf(keys), ['k1', 'k2']);
  } finally {
    await server.close();
  }
});

test('a flood of random kids for 2 s costs no more fetches than one per second (real clock)', async () => {
  const server = await jwksServer([await publicJwk(pair('flood-1', 'p256').publicKey, 'k1', 'ES256')]);
  try {
    const jwks = createRemoteJwks({ jwksUri: `${server.url}/jwks` });
    await jwks.getKeys();
    const started = Date.now();
    let requests = 0;
    while (Date.now() - started < 2000) {
      await Promise.all(Array.from({ length: 20 }, () => jwks.getKeys(`random-${Math.random()}`)));
      requests += 20;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const refetches = server.fetches - 1;
    assert.ok(requests > 1000, `flood of ${requests} requests`);
    assert.ok(refetches >= 1 && refetches <= 2, `refetches in 2 s: ${refetches} (at most one per second)`);
  } finally {
    await server.close();
  }
});

test('a failed refetch keeps the last good set; the next attempt waits the cooldown, not the interval', async () => {
  const server = await jwksServer([await publicJwk(pair('fail-1', 'p256').publicKey, 'k1', 'ES256')]);
  try {
    let clock = 1_000_000;
    const jwks = createRemoteJwks({ jwksUri: `${server.url}/jwks`, now: () => clock, cooldownSeconds: 30 });
    await jwks.getKeys();
    server.down = true;
    clock += 2000;
    assert.deepEqual(kidsOf(await jwks.getKeys('k2')), ['k1'], 'last good set kept');
    assert.equal(server.fetches, 2);
    clock += 2000;
    assert.deepEqual(kidsOf(await jwks.getKeys('k3')), ['k1']);
    assert.equal(server.fetches, 2, 'no retry within the cooldown after a failure');
    server.down = false;
    server.keys = [...server.keys, await publicJwk(pair('fail-2', 'p256').publicKey, 'k2', 'ES256')];
    clock += 30_000;
    assert.deepEqual(kidsOf(await jwks.getKeys('k2')), ['k1', 'k2']);
    assert.equal(server.fetches, 3);
    assert.throws(() => createRemoteJwks({ jwksUri: `${server.url}/jwks`, refetchIntervalSeconds: -1 }), TypeError);
  } finally {
    await server.close();
  }
});
