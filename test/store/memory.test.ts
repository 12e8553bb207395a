import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore, openStore } from '../../packages/keyward/src/store/index.ts';
import { runStoreContract } from './contract-suite.ts';

runStoreContract('memory', async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});

test('openStore with dataDir :memory: gives an empty in-memory store', async () => {
  const a = await openStore({ dataDir: ':memory:' });
  const b = await openStore({ dataDir: ':memory:' });
  await a.clients.createClient({ clientId: 'x', name: 'x', grantTypes: [], scopes: [], accessTokenTtl: 60, audiencePolicy: 'strict', state: 'enabled', createdAt: new Date(), updatedAt: new Date() });
  assert.equal(await b.clients.getClient('x'), undefined, 'each :memory: store is its own');
  await a.close();
  assert.equal(await a.ping(), false, 'ping is false after close');
  await b.close();
});
