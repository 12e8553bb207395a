/**
 * Replay protection survives the loss of the replay cache: two `keyward serve` nodes on one
 * PostgreSQL database and a private Redis without persistence. Under a bounded token load, Redis
 * is killed with SIGKILL and started again, empty, on the same port. Afterwards every assertion
 * that was granted (before, during or after the restart) is sent again to both nodes: none may be
 * granted a second time (RFC 7523 §3 (7)), and fresh assertions are granted again once Redis is
 * back. Skipped with a message when PostgreSQL or redis-server is missing, failed when
 * KEYWARD_TEST_REQUIRE_SERVICES=1 (CI).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { checkPostgres, createTestDatabase, resolveSkip } from '../store/services.ts';
import { faultTestAssertion, registerFaultTestClient, postToken, runPool, startNode, stopNode, within, writeClusterConfig, type ClusterEnv, type Node, type FaultTestClient } from './nodes.ts';
import { redisServerMissing, startPrivateRedis, type PrivateRedis } from './private-redis.ts';

const skip = await resolveSkip(await checkPostgres(), redisServerMissing);
const ISSUER = 'https://keyward.redis-restart.test';

let database: { url: string; drop: () => Promise<void> };
let redis: PrivateRedis;
let config: { path: string; remove: () => void };
const nodes: Node[] = [];
let client: FaultTestClient;

const freshAssertion = (): Promise<string> => faultTestAssertion(client, ISSUER);

before(async () => {
  if (skip) return;
  database = await createTestDatabase();
  redis = await startPrivateRedis();
  const env: ClusterEnv = { databaseUrl: database.url, redisUrl: redis.url, keyPrefix: `keyward_restart_${randomBytes(4).toString('hex')}:`, issuer: ISSUER };
  config = writeClusterConfig(env);
  nodes.push(await startNode(env, config.path));
  nodes.push(await startNode(env, config.path));
  client = await registerFaultTestClient({ databaseUrl: database.url }, 'redis-restart-client');
});

after(async () => {
  if (skip) return;
  await Promise.all(nodes.map((node) => stopNode(node)));
  await redis?.kill();
  config?.remove();
  await database?.drop();
});

test('Redis killed and restarted empty under load on two nodes: 0 replays accepted, service resumes', { skip, timeout: 60_000 }, async () => {
  const granted: string[] = [];
  const statuses = new Map<number, number>();
  let phase: 'before' | 'down' | 'after' = 'before';
  const grantedAfterRestart = { count: 0 };
  let stopAt = Number.POSITIVE_INFINITY;
  // The load: 8 requests in flight, alternating nodes, a fresh assertion each, until 2.8 s after the
  // restart (at most 30 s in all).
  const started = performance.now();
  const load = runPool(100_000, 8, async (i) => {
    if (performance.now() > stopAt || performance.now() - started > 30_000) return;
    const assertion = await freshAssertion();
    const answer = await postToken(nodes[i % 2]!.url, assertion);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    if (answer.status === 200) {
      granted.push(assertion);
      if (phase === 'after') grantedAfterRestart.count += 1;
    }
  });
  // Redis goes away once the nodes have granted a good number of tokens (1.2 s, or longer on a busy machine).
  await new Promise((resolve) => setTimeout(resolve, 1200));
  for (const waitUntil = performance.now() + 10_000; granted.length <= 20 && performance.now() < waitUntil;) await new Promise((resolve) => setTimeout(resolve, 50));
  const beforeLoss = granted.length;
  phase = 'down';
  await redis.kill();
  await new Promise((resolve) => setTimeout(resolve, 400));
  await redis.restart();
  phase = 'after';
  stopAt = performance.now() + 2800;
  await load;

  assert.ok(beforeLoss > 20, `only ${beforeLoss} tokens granted before the loss`);
  for (const status of statuses.keys()) assert.ok(status === 200 || status === 503, `unexpected status ${status}: ${JSON.stringify([...statuses])}`);
  // Service resumes: fresh assertions are granted again by both nodes once Redis is back.
  for (const node of nodes) {
    assert.ok(await within(10_000, async () => (await postToken(node.url, await freshAssertion())).status === 200), `${node.url} grants again after the restart`);
  }

  // Every granted assertion, replayed to both nodes: none is granted again.
  const replays = await runPool(granted.length * 2, 8, async (i) => postToken(nodes[i % 2]!.url, granted[Math.floor(i / 2)]!));
  const accepted = replays.filter((r) => r.status === 200).length;
  assert.equal(accepted, 0, `${accepted} of ${replays.length} replays were granted (${granted.length} assertions, ${beforeLoss} granted before the loss)`);
  for (const replay of replays) {
    assert.equal(replay.status, 401, JSON.stringify(replay.body));
    assert.equal(replay.body.error, 'invalid_client');
  }
  assert.ok(granted.length > beforeLoss, 'tokens were also granted after the restart');
});
