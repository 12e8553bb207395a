/**
 * One node of three killed under load: three `keyward serve` nodes on a fresh
 * PostgreSQL database and one Redis key prefix. Every fresh assertion of the load is sent to all
 * three nodes at once; node 3 is killed with SIGKILL in the middle. Checked: no request to the two
 * survivors fails (each answers 200 or 401 jti_replayed, never a connection error or a 5xx), they
 * keep granting after the kill, no assertion gets two tokens across the nodes, and no granted
 * assertion is accepted again afterwards (RFC 7523 §3 (7)). cluster.test.ts covers registrations
 * during a kill and the restart of the killed node.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkPostgres, checkRedis, createTestDatabase, createTestPrefix, REDIS_URL, resolveSkip } from '../store/services.ts';
import { faultTestAssertion, registerFaultTestClient, killNode, postToken, startNode, stopNode, writeClusterConfig, type ClusterEnv, type Node, type FaultTestClient } from './nodes.ts';

const skip = await resolveSkip(await checkPostgres(), await checkRedis());
const ISSUER = 'https://keyward.node-kill.test';

let database: { url: string; drop: () => Promise<void> } | undefined;
let prefix: { prefix: string; removeKeys: () => Promise<void> } | undefined;
let config: { path: string; remove: () => void } | undefined;
const nodes: Node[] = [];
let client: FaultTestClient;

before(async () => {
  if (skip) return;
  database = await createTestDatabase();
  prefix = createTestPrefix();
  const env: ClusterEnv = { databaseUrl: database.url, redisUrl: REDIS_URL, keyPrefix: prefix.prefix, issuer: ISSUER, settings: { rateLimit: { enabled: false } } };
  config = writeClusterConfig(env);
  nodes.push(await startNode(env, config.path));
  nodes.push(...(await Promise.all([startNode(env, config.path), startNode(env, config.path)])));
  client = await registerFaultTestClient({ databaseUrl: env.databaseUrl }, 'node-kill-client');
});

after(async () => {
  if (skip) return;
  await Promise.all(nodes.map((node) => stopNode(node)));
  config?.remove();
  await prefix?.removeKeys();
  await database?.drop();
});

test('kill -9 of one node of three under load: the survivors answer every request, keep granting, and no assertion is accepted twice', { skip, timeout: 50_000 }, async (t) => {
  const fresh = () => faultTestAssertion(client, ISSUER);
  const victim = nodes[2]!;
  const survivors = [nodes[0]!, nodes[1]!];
  const granted: string[] = [];
  const survivorFailures: string[] = [];
  let killedAt = Infinity;
  let grantedBySurvivorsAfterKill = 0;
  const loadEnd = performance.now() + 3000;
  const load = Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < loadEnd) {
      const assertion = await fresh();
      const sentAt = performance.now();
      const answers = await Promise.all(nodes.map((node) => postToken(node.url, assertion)));
      const grants = answers.filter((answer) => answer.status === 200).length;
      assert.ok(grants <= 1, `one assertion got ${grants} tokens across the nodes`);
      if (grants === 1) granted.push(assertion);
      for (const [index, answer] of answers.entries()) {
        if (nodes[index] === victim) continue;
        if (answer.status === 200 && sentAt > killedAt) grantedBySurvivorsAfterKill += 1;
        else if (answer.status !== 200 && !(answer.status === 401 && /already been used/.test(String(answer.body.error_description)))) {
          survivorFailures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
    }
  }));
  await new Promise((resolve) => setTimeout(resolve, 1200));
  killedAt = performance.now();
  await killNode(victim);
  await load;

  t.diagnostic(`${granted.length} assertions granted; ${grantedBySurvivorsAfterKill} by the survivors after the kill`);
  assert.deepEqual(survivorFailures, [], 'a request to a surviving node failed');
  assert.ok(grantedBySurvivorsAfterKill > 20, `the survivors kept granting after the kill (${grantedBySurvivorsAfterKill})`);
  // No granted assertion is accepted again by either survivor.
  const replays = await Promise.all(granted.flatMap((assertion) => survivors.map((node) => postToken(node.url, assertion))));
  assert.equal(replays.filter((answer) => answer.status === 200).length, 0, 'a replay was accepted');
  for (const answer of replays) assert.equal(answer.status, 401, JSON.stringify(answer.body));
});
