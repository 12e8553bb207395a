/**
 * The registry operations over the memory store: ids, validation, keys, rotation with an injected
 * clock, revocation of keys and their tokens, initial access tokens, audit events and change
 * notifications.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair } from '../../packages/core/src/keys/generate-key-pair.ts';
import { exportPrivatePem, exportPublicPem } from '../../packages/core/src/keys/export-key.ts';
import { KeyError } from '../../packages/core/src/errors.ts';
import { createMemoryStore } from '../../packages/keyward/src/store/index.ts';
import {
  RegistryError, addKeys, consumeInitialAccessToken, createClient, createInitialAccessToken, createRegistryContext, deleteClient,
  hashSecret, issueClientId, issueSub, listKeys, revokeKey, rotateKey, setClientState, updateClient,
} from '../../packages/keyward/src/server/services/registry/index.ts';

async function ecPem(): Promise<{ pem: string; privatePem: string }> {
  const { publicKey, privateKey } = await generateKeyPair({ type: 'ec' });
  return { pem: exportPublicPem(publicKey), privatePem: exportPrivatePem(privateKey) };
}

function setup() {
  const store = createMemoryStore();
  let now = new Date('2026-01-01T00:00:00Z');
  const changes: string[] = [];
  const ctx = createRegistryContext(store, { clock: () => now.getTime() });
  ctx.changes.subscribe((event) => { if (event.type === 'client') changes.push(event.clientId); });
  return { store, ctx, changes, advance: (s: number) => { now = new Date(now.getTime() + s * 1000); } };
}

test('client ids and subs: issued ones are 128-bit base64url that never read as an option; chosen ids are validated and unique', async () => {
  const { ctx } = setup();
  const issued = await createClient(ctx, { actor: 'test', name: 'A', accessTokenTtl: 300 });
  assert.match(issued.client.clientId, /^[A-Za-z0-9_-]{22}$/);
  await createClient(ctx, { actor: 'test', name: 'B', accessTokenTtl: 300, clientId: 'billing-api' });
  await assert.rejects(createClient(ctx, { actor: 'test', name: 'B', accessTokenTtl: 300, clientId: 'billing-api' }), (e: unknown) => e instanceof RegistryError && e.code === 'conflict');
  for (let i = 0; i < 2000; i += 1) {
    assert.match(issueClientId(), /^[A-Za-z0-9][A-Za-z0-9_-]{21}$/, 'an issued id never reads as a command-line option');
    assert.match(issueSub(), /^[A-Za-z0-9][A-Za-z0-9_-]{21}$/, 'nor does an end user\'s sub (keyward users show <sub>)');
  }
  for (const bad of ['ab', 'has space', 'a/b', 'x'.repeat(129), 'é-client', '-abc', '_abc', '.abc']) {
    await assert.rejects(createClient(ctx, { actor: 'test', name: 'C', accessTokenTtl: 300, clientId: bad }), (e: unknown) => e instanceof RegistryError && e.code === 'invalid', bad);
  }
  await assert.rejects(createClient(ctx, { actor: 'test', name: 'D', accessTokenTtl: 300, grantTypes: ['password'] }), /password.*not supported/);
  await assert.rejects(createClient(ctx, { actor: 'test', name: 'E', accessTokenTtl: 300, keys: (await ecPem()).pem, jwksUri: 'https://example.com/jwks' }), /not both/);
  await assert.rejects(createClient(ctx, { actor: 'test', name: 'F', accessTokenTtl: 300, jwksUri: 'http://example.com/jwks' }), /https/);
});

test('keys: private and duplicate keys are refused; facts are kept', async () => {
  const { ctx } = setup();
  const key = await ecPem();
  const { client } = await createClient(ctx, { actor: 'test', name: 'A', accessTokenTtl: 300 });
  await assert.rejects(addKeys(ctx, { clientId: client.clientId, keys: key.privatePem, actor: 'test' }), (e: unknown) => e instanceof KeyError && e.code === 'key_is_private');
  const [added] = await addKeys(ctx, { clientId: client.clientId, keys: key.pem, actor: 'test' });
  assert.equal(added?.state, 'active');
  await assert.rejects(addKeys(ctx, { clientId: client.clientId, keys: key.pem, actor: 'test' }), (e: unknown) => e instanceof RegistryError && e.code === 'conflict');
  const listed = await listKeys(ctx, client.clientId);
  assert.equal(listed.length, 1);
  assert.equal(listed[0]?.thumbprint, added?.thumbprint);
});

test('rotation schedules the old key\'s retirement at now + overlap; revocation revokes the key\'s tokens; every change is audited and notified', async () => {
  const { store, ctx, changes, advance } = setup();
  const first = await ecPem();
  const { client, keys: [oldKey] } = await createClient(ctx, { actor: 'admin-1', name: 'A', accessTokenTtl: 300, keys: first.pem });
  assert.ok(oldKey);
  advance(10);
  const { added, retiring } = await rotateKey(ctx, { clientId: client.clientId, keys: (await ecPem()).pem, overlapSeconds: 3600, actor: 'admin-1' });
  assert.equal(retiring[0]?.state, 'retiring');
  assert.equal(retiring[0]?.retireAt?.toISOString(), '2026-01-01T01:00:10.000Z');
  assert.equal(added[0]?.state, 'active');

  await store.tokens.recordToken({ jti: 't1', clientId: client.clientId, keyThumbprint: added[0]!.thumbprint, scope: '', audience: [], issuedAt: 0, expiresAt: 9e9, revoked: false });
  await store.tokens.recordToken({ jti: 't2', clientId: client.clientId, keyThumbprint: oldKey.thumbprint, scope: '', audience: [], issuedAt: 0, expiresAt: 9e9, revoked: false });
  const revoked = await revokeKey(ctx, { clientId: client.clientId, key: added[0]!.kid, actor: 'admin-1' });
  assert.equal(revoked.key.state, 'revoked');
  assert.equal(revoked.tokensRevoked, 1);
  assert.equal((await store.tokens.getToken('t1'))?.revoked, true);
  assert.equal((await store.tokens.getToken('t2'))?.revoked, false);

  const disabled = await setClientState(ctx, client.clientId, 'disabled', 'admin-1');
  assert.equal(disabled.client.state, 'disabled');
  assert.equal((await store.tokens.getToken('t2'))?.revoked, true, 'disabling revokes outstanding tokens');
  await updateClient(ctx, client.clientId, { name: 'Renamed', contact: 'it@example.com' }, 'admin-1');

  const events = await store.audit.queryAudit({ clientId: client.clientId, limit: 100 });
  const types = events.map((e) => e.type).sort();
  assert.deepEqual(types, ['client.created', 'client.disabled', 'client.updated', 'key.added', 'key.retiring', 'key.revoked'].sort());
  const update = events.find((e) => e.type === 'client.updated');
  assert.equal(update?.actor, 'admin-1');
  assert.equal((update?.details?.before as { client_name: string }).client_name, 'A');
  assert.equal((update?.details?.after as { client_name: string }).client_name, 'Renamed');
  assert.ok(changes.length >= 6 && changes.every((id) => id === client.clientId));

  await deleteClient(ctx, client.clientId, 'admin-1');
  await assert.rejects(listKeys(ctx, client.clientId), (e: unknown) => e instanceof RegistryError && e.code === 'not_found');
});

test('a jwks_uri client takes no registered keys, and a client with active keys cannot switch to a jwks_uri', async () => {
  const { ctx } = setup();
  const { client } = await createClient(ctx, { actor: 't', name: 'U', accessTokenTtl: 300, jwksUri: 'https://client.example/jwks' });
  await assert.rejects(addKeys(ctx, { clientId: client.clientId, keys: (await ecPem()).pem, actor: 't' }), /jwks_uri/);
  const other = await createClient(ctx, { actor: 't', name: 'V', accessTokenTtl: 300, keys: (await ecPem()).pem });
  await assert.rejects(updateClient(ctx, other.client.clientId, { jwksUri: 'https://client.example/jwks' }, 't'), /revoke them first/);
});

test('initial access tokens: 256 bits, stored hashed, expiry and uses enforced', async () => {
  const { store, ctx, advance } = setup();
  const { token, record } = await createInitialAccessToken(ctx, { actor: 't', expiresInSeconds: 60, uses: 2 });
  assert.equal(Buffer.from(token, 'base64url').length, 32);
  assert.equal(record.tokenHash, hashSecret(token));
  const stored = await store.initialAccessTokens.listInitialAccessTokens();
  assert.ok(stored.every((t) => !JSON.stringify(t).includes(token)), 'the token itself is never stored');
  assert.ok(await consumeInitialAccessToken(ctx, token));
  assert.ok(await consumeInitialAccessToken(ctx, token));
  assert.equal(await consumeInitialAccessToken(ctx, token), undefined, 'used up');
  const second = await createInitialAccessToken(ctx, { actor: 't', expiresInSeconds: 60 });
  advance(61);
  assert.equal(await consumeInitialAccessToken(ctx, second.token), undefined, 'expired');
  assert.equal(await consumeInitialAccessToken(ctx, 'wrong'), undefined);
});

test('registration limits: self-service changes stay within them; a client registered before limits were recorded can only narrow', async () => {
  const { ctx } = setup();
  const { client } = await createClient(ctx, { actor: 'test', name: 'Dyn', accessTokenTtl: 300, scopes: ['read'], registrationTokenHash: 'h', registrationLimits: { scopes: ['read', 'write'], grantTypes: ['client_credentials'] } });
  await assert.rejects(createClient(ctx, { actor: 'test', name: 'Over', accessTokenTtl: 300, scopes: ['admin'], registrationLimits: { scopes: ['read'], grantTypes: ['client_credentials'] } }), /"admin" is beyond/);
  assert.deepEqual((await updateClient(ctx, client.clientId, { scopes: ['read', 'write'] }, 'self', { selfService: true })).scopes, ['read', 'write']);
  await assert.rejects(updateClient(ctx, client.clientId, { scopes: ['payments:admin'] }, 'self', { selfService: true }), /beyond/);
  await assert.rejects(updateClient(ctx, client.clientId, { grantTypes: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] }, 'self', { selfService: true }), /beyond/);
  // An admin change moves the ceiling.
  const widened = await updateClient(ctx, client.clientId, { scopes: ['read', 'payments:admin'] }, 'admin');
  assert.deepEqual(widened.registrationLimits, { scopes: ['read', 'payments:admin'], grantTypes: ['client_credentials'] });

  // A dynamic client without recorded limits (registered before migration 0002): its ceiling is what it holds.
  const { client: old } = await createClient(ctx, { actor: 'test', name: 'Old', accessTokenTtl: 300, scopes: ['read', 'write'], registrationTokenHash: 'h2' });
  assert.equal(old.registrationLimits, undefined);
  await assert.rejects(updateClient(ctx, old.clientId, { scopes: ['read', 'write', 'delete'] }, 'self', { selfService: true }), /"delete" is beyond what this client's registration allows: ask for a subset of "read write"/);
  assert.deepEqual((await updateClient(ctx, old.clientId, { scopes: ['read'] }, 'self', { selfService: true })).scopes, ['read']);
  await assert.rejects(updateClient(ctx, old.clientId, { scopes: ['read', 'write'] }, 'self', { selfService: true }), /beyond/, 'narrowed for good without recorded limits');
});

test('key_max_age_days: a client\'s own key rotation age, whole days from 1 to 36500; null returns to the server\'s keys.maxAge', async () => {
  const { ctx, store } = setup();
  const { client } = await createClient(ctx, { actor: 'test', name: 'A', accessTokenTtl: 300, keyMaxAgeDays: 90 });
  assert.equal((await store.clients.getClient(client.clientId))?.keyMaxAgeDays, 90);
  for (const bad of [0, -1, 1.5, 36_501, Number.NaN]) {
    await assert.rejects(updateClient(ctx, client.clientId, { keyMaxAgeDays: bad }, 'test'), /key_max_age_days must be a whole number of days/, String(bad));
    await assert.rejects(createClient(ctx, { actor: 'test', name: 'B', accessTokenTtl: 300, keyMaxAgeDays: bad }), /key_max_age_days/, String(bad));
  }
  assert.equal((await updateClient(ctx, client.clientId, { keyMaxAgeDays: 30 }, 'test')).keyMaxAgeDays, 30);
  assert.equal((await updateClient(ctx, client.clientId, { keyMaxAgeDays: null }, 'test')).keyMaxAgeDays, undefined);
});
