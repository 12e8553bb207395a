// The verifier's caches are bounded whatever an attacker sends, and keep the entries in use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache } from '../../packages/verify/src/bounded-cache.ts';

test('never holds more than maxEntries', () => {
  const cache = new BoundedCache<number, number>(100);
  for (let i = 0; i < 10_000; i++) {
    cache.set(i, i);
    assert.ok(cache.size <= 100);
  }
});

test('an entry read regularly survives a flood of new keys; an unread one is evicted', () => {
  const cache = new BoundedCache<string, number>(100);
  cache.set('hot', 1);
  cache.set('cold', 2);
  for (let i = 0; i < 10_000; i++) {
    cache.set(`flood-${i}`, i);
    if (i % 10 === 0) assert.equal(cache.get('hot'), 1);
  }
  assert.equal(cache.get('hot'), 1);
  assert.equal(cache.get('cold'), undefined);
});

test('set replaces, delete removes, peek does not promote', () => {
  const cache = new BoundedCache<string, number>(4);
  cache.set('a', 1);
  cache.set('a', 2);
  assert.equal(cache.get('a'), 2);
  cache.delete('a');
  assert.equal(cache.get('a'), undefined);
  cache.set('b', 1);
  cache.set('c', 1);
  cache.set('d', 1); // b, c now old
  assert.equal(cache.peek('b'), 1);
  cache.set('e', 1);
  cache.set('f', 1); // generation turns: b (only peeked) is dropped
  assert.equal(cache.peek('b'), undefined);
});
