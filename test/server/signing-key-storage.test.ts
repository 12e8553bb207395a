/**
 * The server's signing keys at rest and in rotation (src/server/services/signing-keys.ts,
 * key-encryption/, `keyward keys rotate | rewrap`): stored AES-256-GCM wrapped under the configured
 * key-encryption key (no `d` in the stored form), a missing or wrong KEK stops the start with a
 * clear message, `keys rewrap` moves every key to a new KEK while a running server keeps issuing
 * tokens, and a rotated key is published before it signs, so a verifier that cached /jwks before
 * the rotation accepts the new tokens without refetching.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createVerifier } from '../../packages/verify/src/index.ts';
import { createMemoryStore } from '../../packages/keyward/src/store/memory/create-memory-store.ts';
import { loadSigningKeys } from '../../packages/keyward/src/server/services/signing-keys.ts';
import { keyEncryptionKeyId, unwrapPrivateJwk } from '../../packages/keyward/src/server/services/key-encryption/index.ts';
import { runKeyward } from '../cli/run-cli.ts';
import { addTestClient, makeDataDir, requestToken, startTestServer } from './helpers.ts';

const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const storedKeys = (dataDir: string) => {
  const db = new Database(join(dataDir, 'keyward.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT kid, private_jwk FROM signing_keys').all() as { kid: string; private_jwk: string }[]).map((row) => ({ kid: row.kid, privateJwk: JSON.parse(row.private_jwk) as Record<string, unknown> }));
  } finally {
    db.close();
  }
};

test('with a KEK the stored signing key holds no `d`, is wrapped A256GCM under the KEK id, and decrypts', async () => {
  const kek = randomBytes(32);
  const server = await startTestServer({ overrides: { keys: { encryptionKey: kek.toString('hex') } } });
  try {
    const [stored] = storedKeys(server.dataDir);
    assert.equal(stored!.privateJwk.d, undefined);
    assert.equal(stored!.privateJwk.keyward_wrapped, 'A256GCM');
    assert.equal(stored!.privateJwk.kek, keyEncryptionKeyId(kek));
    assert.equal(typeof unwrapPrivateJwk(stored!.privateJwk, stored!.kid, { current: { id: keyEncryptionKeyId(kek), key: kek } }).d, 'string');
    assert.throws(() => unwrapPrivateJwk(stored!.privateJwk, 'another-kid', { current: { id: keyEncryptionKeyId(kek), key: kek } }), /does not decrypt/, 'the kid is authenticated');
    const shortTag = { ...stored!.privateJwk, tag: Buffer.from(stored!.privateJwk.tag as string, 'base64url').subarray(0, 4).toString('base64url') };
    assert.throws(() => unwrapPrivateJwk(shortTag, stored!.kid, { current: { id: keyEncryptionKeyId(kek), key: kek } }), /does not decrypt/, 'a shortened tag is refused, not checked on 32 bits');
  } finally {
    await server.stop();
  }
});

test('plaintext keys are wrapped at start-up; a missing or wrong KEK stops the start with a clear message', async () => {
  const data = makeDataDir();
  try {
    const plain = await startTestServer({ dataDir: data.dir });
    await plain.close();
    assert.equal(typeof storedKeys(data.dir)[0]!.privateJwk.d, 'string');
    const kek = randomBytes(32).toString('base64url');
    const wrapped = await startTestServer({ dataDir: data.dir, overrides: { keys: { encryptionKey: kek } } });
    await wrapped.close();
    assert.equal(storedKeys(data.dir)[0]!.privateJwk.d, undefined, 'wrapped at start-up');
    await assert.rejects(startTestServer({ dataDir: data.dir }), /is encrypted with key-encryption key [0-9a-f]{16}, which is not configured \(no key-encryption key is set\); set keys\.encryptionKeyFile/);
    await assert.rejects(startTestServer({ dataDir: data.dir, overrides: { keys: { encryptionKey: randomBytes(32).toString('hex') } } }), /which is not configured \(configured: [0-9a-f]{16}\)/);
    await assert.rejects(startTestServer({ dataDir: data.dir, overrides: { keys: { encryptionKey: 'too-short' } } }), (error: Error) => /32 random bytes/.test(error.message) && !error.message.includes('too-short'));
  } finally {
    data.remove();
  }
});

test('without a KEK the start warns once that the signing keys are stored unencrypted', async () => {
  const warnings: string[] = [];
  await loadSigningKeys(createMemoryStore().signingKeys, { alg: 'ES256', refreshSeconds: 30, onWarning: (message) => warnings.push(message) });
  assert.deepEqual(warnings, ['the signing keys are stored unencrypted: set keys.encryptionKeyFile (KEYWARD_KEY_ENCRYPTION_KEY_FILE) to encrypt them at rest (docs/operations.md)']);
  const quiet: string[] = [];
  await loadSigningKeys(createMemoryStore().signingKeys, { alg: 'ES256', refreshSeconds: 30, encryption: { current: { id: 'k', key: randomBytes(32) } }, onWarning: (message) => quiet.push(message) });
  assert.deepEqual(quiet, []);
});

test('keys rewrap with the old KEK as previous moves every key to the new KEK while a running server keeps issuing tokens; then the new KEK alone works', async () => {
  const data = makeDataDir();
  const oldKek = randomBytes(32);
  const newKek = randomBytes(32);
  const oldFile = join(data.dir, '..', `old-${Date.now()}.kek`);
  const newFile = join(data.dir, '..', `new-${Date.now()}.kek`);
  writeFileSync(oldFile, oldKek, { mode: 0o600 });
  writeFileSync(newFile, `${newKek.toString('hex')}\n`, { mode: 0o600 });
  const server = await startTestServer({ dataDir: data.dir, overrides: { keys: { encryptionKeyFile: oldFile } } });
  try {
    const client = await addTestClient(server);
    assert.equal((await requestToken(server, client)).status, 200);
    const rewrap = await runKeyward(['keys', 'rewrap', '--json'], { env: { KEYWARD_DATA_DIR: data.dir, KEYWARD_KEY_ENCRYPTION_KEY_FILE: newFile, KEYWARD_KEY_ENCRYPTION_KEY_PREVIOUS_FILE: oldFile } });
    assert.equal(rewrap.code, 0, rewrap.stderr);
    const result = JSON.parse(rewrap.stdout) as { kek: string; rewrapped: string[] };
    assert.equal(result.kek, keyEncryptionKeyId(newKek));
    assert.equal(result.rewrapped.length, 1);
    assert.ok(storedKeys(data.dir).every((key) => key.privateJwk.kek === keyEncryptionKeyId(newKek)));
    // The running server (old KEK only) re-reads the keys and keeps signing with the one it holds.
    await server.context.signingKeys.refresh();
    for (let i = 0; i < 3; i += 1) assert.equal((await requestToken(server, client)).status, 200);
    await server.close();
    const again = await startTestServer({ dataDir: data.dir, overrides: { keys: { encryptionKeyFile: newFile } } });
    assert.equal((await requestToken(again, client)).status, 200, 'the new KEK alone starts the server');
    await again.close();
    const missing = await runKeyward(['keys', 'rewrap'], { env: { KEYWARD_DATA_DIR: data.dir } });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no key-encryption key is set/);
  } finally {
    await server.stop().catch(() => undefined);
    data.remove();
  }
});

test('keys rotate pre-publishes: /jwks lists the new kid while tokens are signed by the old one; after the activation time the new key signs, and a verifier that cached /jwks before accepts it without refetching', { timeout: 30_000 }, async () => {
  const data = makeDataDir();
  const configFile = join(data.dir, 'keyward.json');
  writeFileSync(configFile, JSON.stringify({ keys: { prepublishSeconds: 8 } }));
  const server = await startTestServer({ dataDir: data.dir, overrides: { keys: { prepublishSeconds: 8 } } });
  try {
    const resource = 'https://api.example.com/orders';
    const client = await addTestClient(server, { scopes: ['read'] });
    let jwksFetches = 0;
    const verifier = createVerifier({
      accessToken: {
        issuer: server.issuer, audience: resource,
        fetch: (input, init) => { if (input.endsWith('/jwks')) jwksFetches += 1; return fetch(input, init); },
      },
    });
    const oldKid = server.context.signingKeys.active().kid;

    const rotated = await runKeyward(['keys', 'rotate', '--config', configFile, '--json'], { env: { KEYWARD_DATA_DIR: data.dir } });
    assert.equal(rotated.code, 0, rotated.stderr);
    const { kid: newKid, activate_at: activateAt } = JSON.parse(rotated.stdout) as { kid: string; activate_at: number };
    assert.ok(activateAt >= Math.floor(Date.now() / 1000), 'activation in the future');
    await server.context.signingKeys.refresh();
    const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] };
    assert.deepEqual(new Set(jwks.keys.map((key) => key.kid)), new Set([oldKid, newKid]), 'the new key is published at once');
    const before = (await requestToken(server, client, { scope: 'read', resource })).json.access_token as string;
    assert.equal(kidOf(before), oldKid, 'the old key signs until the activation time');
    // The verifier fetches /jwks once, before the new key signs anything, and caches it (60 s).
    await verifier.verify({ authorization: `Bearer ${before}` });
    assert.equal(jwksFetches, 1, 'the verifier cached /jwks');
    const listed = JSON.parse((await runKeyward(['keys', 'list', '--json'], { env: { KEYWARD_DATA_DIR: data.dir } })).stdout) as { kid: string; state: string }[];
    assert.deepEqual(Object.fromEntries(listed.map((key) => [key.kid, key.state])), { [oldKid]: 'active', [newKid]: 'pending' });

    // The switch follows the stored time, without another read of the store by this node.
    await new Promise((resolve) => setTimeout(resolve, activateAt * 1000 + 1100 - Date.now()));
    const after = (await requestToken(server, client, { scope: 'read', resource })).json.access_token as string;
    assert.equal(kidOf(after), newKid, 'the new key signs after the activation time');
    // The verifier's cache, fetched before the new key signed, already holds it: no refetch.
    await verifier.verify({ authorization: `Bearer ${after}` });
    assert.equal(jwksFetches, 1, 'no refetch of /jwks');
  } finally {
    await server.stop();
    data.remove();
  }
});

test('the default pre-publication outlasts a /jwks cache taken just before the rotation on a node that has not re-read the keys yet (max-age + tokens.signingKeyRefresh)', async () => {
  const server = await startTestServer();
  try {
    const answer = await fetch(`${server.url}/jwks`);
    const maxAge = Number(/max-age=(\d+)/.exec(answer.headers.get('cache-control') ?? '')![1]);
    const { prepublishSeconds } = server.context.config.keys;
    assert.ok(prepublishSeconds >= maxAge + server.context.config.tokens.signingKeyRefresh, `${prepublishSeconds} >= ${maxAge} + ${server.context.config.tokens.signingKeyRefresh}`);
  } finally {
    await server.stop();
  }
});
