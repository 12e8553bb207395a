// The in-process replay cache: atomic within the process, bounded, expired entries purged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryReplayStore } from '../../packages/verify/src/memory-replay-store.ts';

test('RFC 7519 §4.1.7: of 50 concurrent reserves of one jti exactly one wins; per client', async () => {
  const store = createMemoryReplayStore();
  const now = Math.floor(Date.now() / 1000);
  const results = await Promise.all(Array.from({ length: 50 }, () => store.reserve('c1', 'j', now + 60)));
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal(await store.reserve('c2', 'j', now + 60), true, 'another client may use the same jti');
});

test('bounded: when full of live reservations, new ones are refused (never dropped to let a replay through); expired ones make room', async () => {
  let clock = Date.now();
  const store = createMemoryReplayStore({ maxEntries: 3, now: () => clock });
  const t = Math.floor(clock / 1000);
  for (const jti of ['a', 'b', 'c']) assert.equal(await store.reserve('c', jti, t + 10), true);
  assert.equal(await store.reserve('c', 'd', t + 10), false);
  assert.equal(await store.reserve('c', 'a', t + 10), false, 'a is still reserved');
  clock += 20_000;
  assert.equal(await store.reserve('c', 'd', t + 100), true, 'expired entries were purged');
  assert.ok(store.size <= 3);
  assert.equal(await store.reserve('c', 'a', t + 100), true, 'an expired reservation no longer blocks its jti');
});
