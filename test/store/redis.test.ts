import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { isStoreError, openStore } from '../../packages/keyward/src/store/index.ts';
import { connectRedis, createRedisReplayStore, deriveReplayKey } from '../../packages/keyward/src/store/redis/index.ts';
import {
  createChangeFeed, decodeChangeMessage, openRedisTransport, toChangeEvent, type ChangeEvent,
} from '../../packages/keyward/src/server/services/change-feed/index.ts';
import { runStoreContract } from './contract-suite.ts';
import { checkPostgres, checkRedis, createTestPrefix, REDIS_URL, resolveSkip, shareTestDatabase } from './services.ts';
import { openPostgresStore } from '../../packages/keyward/src/store/postgres/index.ts';
import { openRedisReplay } from '../../packages/keyward/src/store/redis/index.ts';

const skip = await resolveSkip(await checkPostgres(), await checkRedis());
const shared = shareTestDatabase();
after(() => shared.drop());

// PostgreSQL for everything, Redis for the replay cache (the multi-node deployment).
runStoreContract('postgres + redis', async () => {
  const url = await shared.url();
  const { schema, dropSchema } = shared.newSchema();
  const { prefix, removeKeys } = createTestPrefix();
  const base = await openPostgresStore(url, { schema });
  const store = await openRedisReplay(base, REDIS_URL, prefix);
  return {
    store,
    // Its own PostgreSQL pool and its own Redis client: the race runs over separate connections.
    openPeer: async () => openRedisReplay(await openPostgresStore(url, { schema, maxConnections: 2 }), REDIS_URL, prefix),
    replayExpiresByItself: true,
    cleanup: async () => {
      await store.close();
      await dropSchema();
      await removeKeys();
    },
  };
}, { skip });

describe('redis replay cache and invalidation bus', { skip }, () => {
  test('openStore with databaseUrl and redisUrl keeps reservations in Redis under the prefix, with a TTL', async () => {
    const { prefix, removeKeys } = createTestPrefix();
    const store = await openStore({ databaseUrl: await shared.url(), redisUrl: REDIS_URL, keyPrefix: prefix });
    const check = new Redis(REDIS_URL);
    try {
      const exp = Math.floor(Date.now() / 1000) + 120;
      assert.equal(await store.replay.reserve('client-1', 'jti-1', exp), true);
      const key = deriveReplayKey(prefix, 'client-1', 'jti-1');
      assert.match(key, new RegExp(`^${prefix}replay:[A-Za-z0-9_-]{43}$`));
      assert.equal(await check.get(key), '1');
      const ttl = await check.pttl(key);
      assert.ok(ttl > 110_000 && ttl <= 120_000, `ttl ${ttl}`);
      assert.equal(await store.replay.purgeExpired(exp + 10), 1, 'the database row is purged; Redis expires keys by itself');
      assert.equal(await store.ping(), true);
    } finally {
      check.disconnect();
      await store.close();
      await removeKeys();
    }
  });

  test('a Redis that loses every key forgets no reservation: the database stays authoritative', async () => {
    const { prefix, removeKeys } = createTestPrefix();
    const store = await openStore({ databaseUrl: await shared.url(), redisUrl: REDIS_URL, keyPrefix: prefix });
    try {
      const exp = Math.floor(Date.now() / 1000) + 120;
      const jtis = Array.from({ length: 20 }, (_, i) => `lost-${i}`);
      for (const jti of jtis) assert.equal(await store.replay.reserve('client-1', jti, exp), true);
      await removeKeys(); // what a Redis restarted without persistence holds: nothing
      const again = await Promise.all(jtis.map((jti) => store.replay.reserve('client-1', jti, exp)));
      assert.deepEqual(again, jtis.map(() => false), 'every reservation made before the loss still refuses its jti');
      const racers = await Promise.all(Array.from({ length: 20 }, () => store.replay.reserve('client-1', 'fresh-after-loss', exp)));
      assert.equal(racers.filter(Boolean).length, 1, 'a new jti is reserved exactly once');
    } finally {
      await store.close();
      await removeKeys();
    }
  });

  test('the replay key hides the client_id and jti, keeps pairs apart, refuses a client_id with NUL', () => {
    const key = deriveReplayKey('p:', 'client-secret-name', 'jti-value');
    assert.doesNotMatch(key, /client-secret-name|jti-value/);
    assert.notEqual(deriveReplayKey('p:', 'ab', 'c'), deriveReplayKey('p:', 'a', 'bc'));
    assert.notEqual(deriveReplayKey('p:', 'a', 'b\0c'), deriveReplayKey('p:', 'a', 'b\0d'));
    assert.throws(() => deriveReplayKey('p:', 'a\0b', 'c'), TypeError);
  });

  test('THE RACE over 5 separate Redis clients: 50 reserves, exactly one wins', async () => {
    const { prefix, removeKeys } = createTestPrefix();
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectRedis(REDIS_URL)));
    try {
      const stores = clients.map((c) => createRedisReplayStore(c, prefix));
      const exp = Math.floor(Date.now() / 1000) + 60;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (stores[i % 5] as (typeof stores)[number]).reserve('racer', 'one-jti', exp)));
      assert.equal(results.filter(Boolean).length, 1);
    } finally {
      clients.forEach((c) => c.disconnect());
      await removeKeys();
    }
  });

  test('change feed over Redis: an event published by one node reaches every subscriber once; junk is ignored', async () => {
    const { prefix } = createTestPrefix();
    const quiet = { warn: () => undefined };
    const openNode = async (keyPrefix: string) => createChangeFeed({ transport: await openRedisTransport(REDIS_URL, keyPrefix), logger: quiet });
    const nodeA = await openNode(prefix);
    const nodeB = await openNode(prefix);
    const otherIssuer = await openNode(`${prefix}other:`);
    const raw = new Redis(REDIS_URL);
    try {
      const seenA: ChangeEvent[] = [];
      const seenB: ChangeEvent[] = [];
      const seenOther: ChangeEvent[] = [];
      nodeA.subscribe((e) => seenA.push(e));
      const stopB = nodeB.subscribe((e) => seenB.push(e));
      otherIssuer.subscribe((e) => seenOther.push(e));
      await raw.publish(`${prefix}invalidate`, 'not json');
      await raw.publish(`${prefix}invalidate`, JSON.stringify({ type: 'client' }));
      const deadline = Date.now() + 5000;
      nodeA.publish({ type: 'client', clientId: 'c1' });
      // The publisher's own subscribers have it at once; node B's once Redis has passed it on.
      while (seenB.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      nodeB.publish({ type: 'signing-keys' });
      while ((seenA.length < 2 || seenB.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(seenA, [{ type: 'client', clientId: 'c1' }, { type: 'signing-keys' }]);
      assert.deepEqual(seenB, seenA);
      assert.deepEqual(seenOther, [], 'another prefix is another channel');
      stopB();
      nodeA.publish({ type: 'client', clientId: 'c2' });
      while (seenA.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(seenA.length, 3);
      assert.equal(seenB.length, 2, 'unsubscribed handler gets nothing more');
    } finally {
      raw.disconnect();
      await Promise.all([nodeA.close(), nodeB.close(), otherIssuer.close()]);
    }
  });
});

test('a change message is one of the two event shapes only', () => {
  const parseInvalidationEvent = (text: string) => toChangeEvent(decodeChangeMessage(text));
  assert.deepEqual(parseInvalidationEvent('{"type":"client","clientId":"c","extra":1}'), { type: 'client', clientId: 'c' });
  assert.deepEqual(parseInvalidationEvent('{"type":"signing-keys"}'), { type: 'signing-keys' });
  assert.equal(parseInvalidationEvent('{"type":"keys","clientId":"c"}'), undefined, 'never published: client covers the keys');
  assert.equal(parseInvalidationEvent('{"type":"token","jti":"j"}'), undefined, 'never published');
  assert.equal(parseInvalidationEvent('{"type":"client","clientId":5}'), undefined);
  assert.equal(parseInvalidationEvent('null'), undefined);
  assert.equal(parseInvalidationEvent('{"type":"drop-all"}'), undefined);
});

test('redis: a server that does not answer gives StoreError unavailable quickly, without the password', async () => {
  const started = Date.now();
  await assert.rejects(connectRedis('redis://:hunter2-pass@127.0.0.1:1', 1000), (error) => {
    assert.ok(isStoreError(error, 'unavailable'), String(error));
    assert.match(error.message, /KEYWARD_REDIS_URL/);
    assert.doesNotMatch(error.message, /hunter2-pass/);
    return true;
  });
  assert.ok(Date.now() - started < 5000);
});
