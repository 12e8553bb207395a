/**
 * Fail closed: when the replay store stops answering, the token endpoint answers 503
 * `temporarily_unavailable` (reason `store_unavailable`), counts it in keyward_store_errors_total,
 * and never issues a token. A private redis-server on a free loopback port is started for the test
 * and killed with SIGKILL while the node runs; PostgreSQL is a fresh database.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { startServer, type RunningServer } from '../../packages/keyward/src/server/main.ts';
import { addTestClient, assertionFor, requestToken } from '../server/helpers.ts';
import { checkPostgres, createTestDatabase, resolveSkip } from '../store/services.ts';
import { sumMetric } from './nodes.ts';
import { redisServerMissing, startPrivateRedis, type PrivateRedis } from './private-redis.ts';

const skip = await resolveSkip(await checkPostgres(), redisServerMissing);

let database: { url: string; drop: () => Promise<void> };
let redis: PrivateRedis | undefined;
let server: RunningServer | undefined;

before(async () => {
  if (skip) return;
  database = await createTestDatabase();
  redis = await startPrivateRedis();
  const config = resolveConfig({
    overrides: {
      server: { port: 0 },
      storage: { databaseUrl: database.url, redisUrl: redis.url, keyPrefix: 'keyward_failclosed:' },
      log: { level: 'silent' },
      clients: { cacheTtl: 0 },
    },
  });
  server = await startServer(config);
});

after(async () => {
  if (skip) return;
  await server?.close().catch(() => undefined);
  await redis?.kill();
  await database?.drop();
});

test('Redis down: the token endpoint answers 503 temporarily_unavailable, counts a store error, and issues no token', { skip, timeout: 30_000 }, async () => {
  const client = await addTestClient(server!);
  // With Redis up, tokens are issued.
  assert.equal((await requestToken(server!, client, {}, await assertionFor(server!, client))).status, 200);

  await redis!.kill();

  const answers = [];
  for (let i = 0; i < 3; i += 1) answers.push(await requestToken(server!, client, {}, await assertionFor(server!, client)));
  for (const answer of answers) {
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.json.error, 'temporarily_unavailable');
    assert.equal(answer.json.access_token, undefined);
    // The answer names no backend detail and no token.
    assert.doesNotMatch(answer.text, /redis|ECONNREFUSED|eyJ/i);
  }
  const metrics = await (await fetch(`${server!.url}/metrics`)).text();
  assert.equal(sumMetric(metrics, 'keyward_store_errors_total', 'operation="token"'), 3);
  assert.equal(sumMetric(metrics, 'keyward_token_requests_total', 'reason="store_unavailable"'), 3);
  assert.equal(sumMetric(metrics, 'keyward_token_requests_total', 'outcome="granted"'), 1);
});

test('PostgreSQL gone (no Redis: PostgreSQL serves the replay cache): 503 temporarily_unavailable, /ready 503, no token', { skip, timeout: 30_000 }, async () => {
  const own = await createTestDatabase();
  let node: RunningServer | undefined;
  try {
    node = await startServer(resolveConfig({
      overrides: { server: { port: 0 }, storage: { databaseUrl: own.url }, log: { level: 'silent' }, clients: { cacheTtl: 0 } },
    }));
    const client = await addTestClient(node);
    assert.equal((await requestToken(node, client, {}, await assertionFor(node, client))).status, 200);
    // The database disappears under the running node (its connections are terminated).
    await own.drop();
    const answer = await requestToken(node, client, {}, await assertionFor(node, client));
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.json.error, 'temporarily_unavailable');
    assert.equal(answer.json.access_token, undefined);
    assert.doesNotMatch(answer.text, /postgres|keyward_test_|eyJ/i);
    assert.equal((await fetch(`${node.url}/ready`)).status, 503);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    assert.equal(sumMetric(metrics, 'keyward_store_errors_total', 'operation="token"'), 1);
  } finally {
    await node?.close().catch(() => undefined);
    await own.drop().catch(() => undefined);
  }
});
