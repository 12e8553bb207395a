/**
 * Fail closed (issue 7): when the replay store stops answering, the token endpoint answers 503
 * `temporarily_unavailable` (reason `store_unavailable`), counts it in keyward_store_errors_total,
 * and never issues a token. A private redis-server on a free loopback port is started for the test
 * and killed with SIGKILL while the node runs; PostgreSQL is a fresh database.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { startServer, type RunningServer } from '../../packages/keyward/src/server/main.ts';
import { addTestClient, assertionFor, requestToken } from '../server/helpers.ts';
import { checkPostgres, createTestDatabase, resolveSkip } from '../store/services.ts';
import { sumMetric } from './nodes.ts';

const redisMissing = await new Promise<string | undefined>((resolve) => {
  const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
  probe.once('error', () => resolve('redis-server is not installed (apt-get install redis-server)'));
  probe.once('exit', (code) => resolve(code === 0 ? undefined : 'redis-server --version failed'));
});
const skip = await resolveSkip(await checkPostgres(), redisMissing);

let database: { url: string; drop: () => Promise<void> };
let redis: ChildProcess | undefined;
let server: RunningServer | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startPrivateRedis(): Promise<string> {
  const port = await freePort();
  redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return url;
    } catch {
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`the private redis-server on port ${port} did not answer`);
}

before(async () => {
  if (skip) return;
  database = await createTestDatabase();
  const redisUrl = await startPrivateRedis();
  const config = resolveConfig({
    overrides: {
      server: { port: 0 },
      storage: { databaseUrl: database.url, redisUrl, keyPrefix: 'keyward_failclosed:' },
      log: { level: 'silent' },
      clients: { cacheTtl: 0 },
    },
  });
  server = await startServer(config);
});

after(async () => {
  if (skip) return;
  await server?.close().catch(() => undefined);
  redis?.kill('SIGKILL');
  await database?.drop();
});

test('Redis down: the token endpoint answers 503 temporarily_unavailable, counts a store error, and issues no token', { skip, timeout: 30_000 }, async () => {
  const client = await addTestClient(server!);
  // With Redis up, tokens are issued.
  assert.equal((await requestToken(server!, client, {}, await assertionFor(server!, client))).status, 200);

  const exited = new Promise((resolve) => redis!.once('exit', resolve));
  redis!.kill('SIGKILL');
  await exited;

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
