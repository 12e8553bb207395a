// On several nodes, one alert per (kind, client, window): three server nodes on one PostgreSQL
// database and one Redis see the same anomalies, and the store keeps (and one node counts,
// logs and delivers) a single alert of each. Skipped with a message when PostgreSQL or Redis is
// down, except with KEYWARD_TEST_REQUIRE_SERVICES=1, where that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setKeyValidity } from '../../../packages/keyward/src/server/services/registry/index.ts';
import { checkPostgres, checkRedis, createTestDatabase, createTestPrefix, REDIS_URL, resolveSkip } from '../../store/services.ts';
import { addTestClient, assertionFor, flushAudit, requestToken, startTestServer } from '../helpers.ts';

const skip = await resolveSkip(await checkPostgres(), await checkRedis());
const DAY = 86_400_000;

test('three nodes raise one alert per kind, client and window', { skip }, async () => {
  const database = await createTestDatabase();
  const redis = createTestPrefix();
  const time = { now: Math.floor(Date.now() / 60_000) * 60_000 + 1_000 };
  const overrides = { server: { issuer: 'https://as.three-nodes.test' }, storage: { databaseUrl: database.url, redisUrl: REDIS_URL, keyPrefix: redis.prefix } };
  const nodes: Awaited<ReturnType<typeof startTestServer>>[] = [];
  try {
    for (let i = 0; i < 3; i += 1) nodes.push(await startTestServer({ overrides, clock: () => time.now }));
    const [a] = nodes;
    const client = await addTestClient(a!);
    const settle = async () => {
      for (const node of nodes) {
        await flushAudit(node);
        await node.context.alerts.settle();
      }
    };

    // The key's first use, on all three nodes at once.
    const answers = await Promise.all(nodes.map(async (node) => requestToken(node, client, {}, await assertionFor(node, client, { now: Math.floor(time.now / 1000) }))));
    assert.deepEqual(answers.map((answer) => answer.status), [200, 200, 200]);

    // Five replays of one assertion on each node (the replay cache is shared in Redis).
    const replayed = await assertionFor(a!, client, { now: Math.floor(time.now / 1000) });
    assert.equal((await requestToken(a!, client, {}, replayed)).status, 200);
    for (const node of nodes) {
      for (let i = 0; i < 5; i += 1) assert.equal((await requestToken(node, client, {}, replayed)).status, 401);
    }

    // An expiring key, scanned by every node.
    await setKeyValidity(a!.context.registry, { clientId: client.clientId, key: client.kid, validity: { notAfter: new Date(time.now + 3 * DAY) }, actor: 'test' });
    await Promise.all(nodes.map((node) => node.context.alerts.scanKeys()));
    await settle();

    const alerts = await a!.context.store.alerts.listAlerts({});
    const byKind = (kind: string) => alerts.filter((alert) => alert.kind === kind && alert.clientId === client.clientId);
    assert.equal(byKind('new_key_first_use').length, 1, 'one first use, though three nodes saw it');
    assert.equal(byKind('replay_burst').length, 1, 'one replay burst, though each node counted five');
    assert.equal(byKind('key_expiring').length, 1, 'one expiring key, though three nodes scanned it');

    // Counted once in all: by the node that stored it.
    let counted = 0;
    for (const node of nodes) {
      const text = await node.context.metrics.render();
      for (const kind of ['new_key_first_use', 'key_expiring']) counted += Number(new RegExp(`keyward_alerts_total\\{kind="${kind}"\\} (\\d+)`).exec(text)?.[1] ?? 'NaN');
    }
    assert.equal(counted, 2);
  } finally {
    for (const node of nodes) await node.stop();
    await redis.removeKeys();
    await database.drop();
  }
});
