// The one cache of fetched key sets (core createKeySetCache), used by the server for clients'
// jwks_uri and by @keyward/verify for the issuer's /jwks; and the one Cache-Control reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKeySetCache, readCacheControl, type LoadedKeySet } from '../../../packages/core/src/keys/key-set-cache.ts';

type Key = { kid: string };

function harness(first: readonly Key[], options: { maxAgeSeconds?: number; noStore?: boolean } = {}) {
  const state = { keys: [...first], fails: false, loads: 0, clock: 1_000_000, gate: undefined as Promise<void> | undefined };
  const cache = createKeySetCache<Key>({
    async load(): Promise<LoadedKeySet<Key>> {
      state.loads += 1;
      if (state.gate !== undefined) await state.gate;
      if (state.fails) throw new Error('the key server is down');
      return { keys: [...state.keys], maxAgeSeconds: options.maxAgeSeconds, noStore: options.noStore };
    },
    kidsOf: (key) => [key.kid],
    minCacheSeconds: 60, maxCacheSeconds: 3600, defaultCacheSeconds: 300, refetchIntervalSeconds: 1, failureRetrySeconds: 30,
    now: () => state.clock,
  });
  return { state, cache };
}

const kids = (set: { keys: readonly Key[] }): string[] => set.keys.map((k) => k.kid);

test('RFC 9111 §5.2.2: max-age read, malformed ignored, no-store and no-cache win over max-age', () => {
  assert.deepEqual(readCacheControl('public, max-age=120'), { maxAgeSeconds: 120, noStore: false });
  assert.deepEqual(readCacheControl('max-age="90"'), { maxAgeSeconds: 90, noStore: false });
  assert.deepEqual(readCacheControl('max-age=soon'), { maxAgeSeconds: undefined, noStore: false });
  assert.deepEqual(readCacheControl('no-store, max-age=600'), { maxAgeSeconds: 600, noStore: true });
  assert.deepEqual(readCacheControl(null), { maxAgeSeconds: undefined, noStore: false });
});

test('a fresh set with a known kid is answered without waiting; the lifetime is max-age clamped, no-store the minimum', async () => {
  const { state, cache } = harness([{ kid: 'a' }], { maxAgeSeconds: 10 });
  assert.deepEqual(kids(await cache.get('a')), ['a']);
  const fast = cache.get('a');
  assert.ok(!(fast instanceof Promise), 'known kid, fresh set: no promise');
  state.clock += 59_000; // max-age 10 s is raised to the 60 s minimum
  assert.ok(!(cache.get('a') instanceof Promise));
  state.clock += 1_000;
  await cache.get('a');
  assert.equal(state.loads, 2);
  const noStore = harness([{ kid: 'a' }], { maxAgeSeconds: 3000, noStore: true });
  await noStore.cache.get();
  noStore.state.clock += 60_000;
  await noStore.cache.get();
  assert.equal(noStore.state.loads, 2, 'no-store: refetched after the minimum, not after max-age');
});

test('an unknown kid refetches at once, at most once per refetch interval; concurrent callers share one fetch', async () => {
  const { state, cache } = harness([{ kid: 'a' }]);
  await cache.get('a');
  state.keys.push({ kid: 'b' });
  state.clock += 1_000;
  let open!: () => void;
  state.gate = new Promise((resolve) => { open = resolve; });
  const waiting = Array.from({ length: 20 }, () => cache.get('b'));
  open();
  for (const answer of await Promise.all(waiting)) assert.deepEqual(kids(answer), ['a', 'b']);
  assert.equal(state.loads, 2, 'one fetch for twenty callers');
  state.gate = undefined;
  assert.deepEqual(kids(await cache.get('random')), ['a', 'b']);
  assert.equal(state.loads, 2, 'within the interval: no fetch for a random kid');
});

test('a failed fetch keeps the last good set with the error, and the next fetch waits the failure retry; with no set the error is thrown and retried after the interval', async () => {
  const { state, cache } = harness([{ kid: 'a' }]);
  await cache.get('a');
  state.fails = true;
  state.clock += 300_000;
  const stale = await cache.get('a');
  assert.deepEqual(kids(stale), ['a']);
  assert.match(String(stale.error), /down/);
  state.clock += 29_000;
  await cache.get('unknown');
  assert.equal(state.loads, 2, 'no fetch within 30 s of the failure, unknown kid or not');
  state.clock += 1_000;
  await cache.get('unknown');
  assert.equal(state.loads, 3);

  const empty = harness([{ kid: 'a' }]);
  empty.state.fails = true;
  await assert.rejects(async () => empty.cache.get('a'), /down/);
  await assert.rejects(async () => empty.cache.get('a'), /down/);
  assert.equal(empty.state.loads, 1, 'the error is answered again within the interval, without a fetch');
  empty.state.fails = false;
  empty.state.clock += 1_000;
  assert.deepEqual(kids(await empty.cache.get('a')), ['a']);
});

test('bad bounds are a TypeError', () => {
  assert.throws(() => createKeySetCache({ load: async () => ({ keys: [] }), kidsOf: () => [], minCacheSeconds: -1, maxCacheSeconds: 1, defaultCacheSeconds: 1, refetchIntervalSeconds: 1, failureRetrySeconds: 1, now: Date.now }), TypeError);
});
