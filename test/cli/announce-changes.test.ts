/**
 * The CLI's announcement of its direct store changes to the running servers: over the real Redis
 * transport of the change feed when `storage.redisUrl` is set (a subscriber on the same prefix receives the
 * events), silence when no server listens on the data directory, and a warning (never a failure,
 * never the Redis password) when Redis does not answer. The end-to-end effects are in
 * test/cluster/cluster.test.ts (Redis), test/server/local-announcements.test.ts and
 * test/cluster/workers.test.ts (the data directory's socket).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { announceChanges } from '../../packages/keyward/src/cli/lib/announce-changes.ts';
import { createChangeFeed, openRedisTransport, type ChangeEvent } from '../../packages/keyward/src/server/services/change-feed/index.ts';
import { checkRedis, createTestPrefix, REDIS_URL, resolveSkip } from '../store/services.ts';

const skip = await resolveSkip(await checkRedis());

test('with storage.redisUrl, the events reach a node subscribed to the same prefix', { skip }, async () => {
  const prefix = createTestPrefix();
  const listener = createChangeFeed({ transport: await openRedisTransport(REDIS_URL, prefix.prefix), logger: { warn: () => undefined } });
  try {
    const received: ChangeEvent[] = [];
    listener.subscribe((event) => received.push(event));
    const config = resolveConfig({ overrides: { storage: { redisUrl: REDIS_URL, keyPrefix: prefix.prefix } } });
    const warning = await announceChanges(config, [{ type: 'client', clientId: 'c-1' }, { type: 'signing-keys' }]);
    assert.equal(warning, undefined);
    const deadline = Date.now() + 2000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(received, [{ type: 'client', clientId: 'c-1' }, { type: 'signing-keys' }]);
  } finally {
    await listener.close();
    await prefix.removeKeys();
  }
});

test('without storage.redisUrl and with no server on the data directory, nothing is said (nothing to tell)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-announce-'));
  try {
    assert.equal(await announceChanges(resolveConfig({ overrides: { storage: { dataDir: dir } } }), [{ type: 'client', clientId: 'c-1' }]), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Redis not answering: a warning that the change is stored and when servers see it, without the password', async () => {
  const config = resolveConfig({ overrides: { storage: { redisUrl: 'redis://:hunter2-secret@127.0.0.1:1', keyPrefix: 'keyward:' } } });
  const started = Date.now();
  const warning = await announceChanges(config, [{ type: 'client', clientId: 'c-1' }]);
  assert.ok(warning !== undefined);
  assert.match(warning, /the change is stored/);
  assert.match(warning, /clients\.cacheTtl/);
  assert.doesNotMatch(warning, /hunter2/);
  assert.ok(Date.now() - started < 15_000, 'does not hang');
});
