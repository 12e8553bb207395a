/**
 * The client cache and the race an invalidation must win: a load that read the store before a
 * change, and finishes after the invalidation, must not cache the old state (before, a second
 * invalidation 200 ms later papered over it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createClientCache } from '../../packages/keyward/src/server/services/client-cache.ts';
import { createMemoryStore } from '../../packages/keyward/src/store/memory/create-memory-store.ts';
import type { ClientStore } from '../../packages/keyward/src/store/contract.ts';
import { makeClient } from '../store/contract-suite.ts';

/** A client store whose next getClient answers only when `release()` is called, with what it read then. */
function gatedStore(): { store: ClientStore; reads: () => number; hold: () => { release: () => void } } {
  const memory = createMemoryStore().clients;
  let reads = 0;
  let gate: Promise<void> | undefined;
  const store: ClientStore = {
    ...memory,
    async getClient(clientId) {
      reads += 1;
      const record = await memory.getClient(clientId); // read now, as a database would
      if (gate !== undefined) await gate;
      return record;
    },
  };
  return {
    store,
    reads: () => reads,
    hold: () => {
      let release!: () => void;
      gate = new Promise<void>((resolve) => { release = () => { gate = undefined; resolve(); }; });
      return { release };
    },
  };
}

test('a load that raced with a change is not cached: the next get reads the store again', async () => {
  const { store, reads, hold } = gatedStore();
  await store.createClient(makeClient('c1', { name: 'before' }));
  const cache = createClientCache(store, { ttlSeconds: 300, logger: pino({ level: 'silent' }) });
  const gate = hold();
  const racing = cache.get('c1'); // reads "before", then waits
  await new Promise((resolve) => setImmediate(resolve));
  await store.updateClient('c1', { name: 'after' }); // the change is committed...
  cache.invalidate('c1'); // ...and announced while the load is still in flight
  const joined = cache.get('c1'); // a caller after the invalidation does not join the old load
  gate.release();
  assert.equal((await racing)?.client.name, 'before', 'the caller that asked first gets what was read');
  assert.equal((await joined)?.client.name, 'after');
  const readsSoFar = reads();
  assert.equal((await cache.get('c1'))?.client.name, 'after', 'the stale read was not cached');
  assert.equal(reads(), readsSoFar, 'and the fresh one was');
});

test('without a change, a load is cached for the TTL', async () => {
  const { store, reads } = gatedStore();
  await store.createClient(makeClient('c2'));
  const cache = createClientCache(store, { ttlSeconds: 300, logger: pino({ level: 'silent' }) });
  await cache.get('c2');
  await cache.get('c2');
  assert.equal(reads(), 1);
});
