/**
 * Several nodes, one issuer: three `keyward serve` processes on loopback ports share one
 * fresh PostgreSQL database and one Redis key prefix. Checked over real HTTP:
 * - one assertion sent 1,000 times concurrently across the three nodes yields exactly one token
 *   (RFC 7523 §3 (7): the jti is reserved once, cluster-wide);
 * - a key revoked through node 1 is refused by node 3 within 1 s (Redis invalidation), although
 *   node 3 caches clients for 30 s;
 * - a client disabled and a signing key rotated by the local CLI on the shared database reach every
 *   node within 1 s (the CLI announces them on the same bus);
 * - `kill -9` of one node during a bounded load loses no acknowledged registration and lets no jti
 *   through twice; the node restarted with the same command serves tokens with no manual step.
 * Skipped with a message when PostgreSQL or Redis does not answer, failed when
 * KEYWARD_TEST_REQUIRE_SERVICES=1 (CI).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { after, before, test } from 'node:test';
import { signClientAssertion } from '../../packages/core/src/assertion/sign-client-assertion.ts';
import { exportPublicPem } from '../../packages/core/src/keys/export-key.ts';
import { importPublicKeys } from '../../packages/core/src/keys/import-public-key.ts';
import { createClient, createRegistryContext } from '../../packages/keyward/src/server/services/registry/index.ts';
import { openStore } from '../../packages/keyward/src/store/open-store.ts';
import type { Store } from '../../packages/keyward/src/store/contract.ts';
import { checkPostgres, checkRedis, createTestDatabase, createTestPrefix, REDIS_URL, resolveSkip } from '../store/services.ts';
import { killNode, postToken, runPool, startNode, stopNode, sumMetric, within, writeClusterConfig, type ClusterEnv, type Node } from './nodes.ts';
import { runKeyward } from '../cli/run-cli.ts';

const skip = await resolveSkip(await checkPostgres(), await checkRedis());
const ISSUER = 'https://keyward.cluster.test';

interface Client { clientId: string; privateKey: KeyObject; kid: string }

let env: ClusterEnv;
let config: { path: string; remove: () => void };
let database: { url: string; drop: () => Promise<void> };
let prefix: { prefix: string; removeKeys: () => Promise<void> };
let store: Store;
const nodes: Node[] = [];
let client: Client;
let admin: Client;

async function addClient(name: string, scopes: string[]): Promise<Client> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { client: record, keys } = await createClient(createRegistryContext(store), { actor: 'test', name, keys: importPublicKeys(publicKey), scopes, accessTokenTtl: 300, audiencePolicy: 'strict' });
  return { clientId: record.clientId, privateKey, kid: keys[0]!.kid };
}

function assertionFor(who: Client, jti?: string): Promise<string> {
  return signClientAssertion({ clientId: who.clientId, audience: ISSUER, privateKey: who.privateKey, alg: 'ES256', kid: who.kid, ...(jti ? { jti } : {}) });
}

async function adminToken(node: Node): Promise<string> {
  const answer = await postToken(node.url, await assertionFor(admin), { scope: 'keyward:admin' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.access_token as string;
}

async function adminCall(node: Node, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  try {
    const response = await fetch(`${node.url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  } catch (error) {
    return { status: 0, json: { connection_error: (error as Error).message } };
  }
}

before(async () => {
  if (skip) return;
  database = await createTestDatabase();
  prefix = createTestPrefix();
  // clients.cacheTtl 30 s: a change seen within 1 s can only come from the invalidation bus.
  env = { databaseUrl: database.url, redisUrl: REDIS_URL, keyPrefix: prefix.prefix, issuer: ISSUER, settings: { clients: { cacheTtl: 30 } } };
  config = writeClusterConfig(env);
  // The first node migrates the fresh database and creates the signing key; the others join it.
  nodes.push(await startNode(env, config.path));
  nodes.push(...(await Promise.all([startNode(env, config.path), startNode(env, config.path)])));
  store = await openStore({ databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, keyPrefix: env.keyPrefix });
  client = await addClient('cluster-client', ['read']);
  admin = await addClient('cluster-admin', ['keyward:admin']);
});

after(async () => {
  if (skip) return;
  await Promise.all(nodes.map((node) => stopNode(node)));
  await store?.close();
  config?.remove();
  await prefix?.removeKeys();
  await database?.drop();
});

test('RFC 7523 §3 (7): one assertion sent 1,000 times concurrently across three nodes yields exactly one token', { skip, timeout: 60_000 }, async () => {
  const assertion = await assertionFor(client);
  const answers = await runPool(1000, 48, (i) => postToken(nodes[i % 3]!.url, assertion));
  const granted = answers.filter((a) => a.status === 200);
  assert.equal(granted.length, 1, `exactly one token, got ${granted.length}`);
  const others = answers.filter((a) => a.status !== 200);
  assert.equal(others.length, 999);
  for (const answer of others) {
    assert.equal(answer.status, 401, JSON.stringify(answer.body));
    assert.equal(answer.body.error, 'invalid_client');
  }
  // Every refusal was a replay refusal (counted by the nodes' metrics), none a store error.
  const metrics = await Promise.all(nodes.map(async (node) => (await fetch(`${node.url}/metrics`)).text()));
  assert.equal(metrics.reduce((sum, text) => sum + sumMetric(text, 'keyward_replay_refusals_total'), 0), 999);
  assert.equal(metrics.reduce((sum, text) => sum + sumMetric(text, 'keyward_store_errors_total'), 0), 0);
});

test('a key revoked through node 1 is refused by node 3 within 1 s (Redis invalidation, cache TTL 30 s)', { skip, timeout: 30_000 }, async (t) => {
  const victim = await addClient('revoked-soon', ['read']);
  // Node 3 caches the client and its key.
  assert.equal((await postToken(nodes[2]!.url, await assertionFor(victim))).status, 200);
  const pending = await Promise.all(Array.from({ length: 40 }, () => assertionFor(victim)));
  const token = await adminToken(nodes[0]!);
  const revoked = await adminCall(nodes[0]!, token, 'POST', `/clients/${encodeURIComponent(victim.clientId)}/keys/${encodeURIComponent(victim.kid)}/revoke`);
  assert.equal(revoked.status, 200, JSON.stringify(revoked.json));
  const start = performance.now();
  let refusedAfter: number | undefined;
  for (const assertion of pending) {
    const answer = await postToken(nodes[2]!.url, assertion);
    if (answer.status === 401) {
      refusedAfter = performance.now() - start;
      break;
    }
    assert.equal(answer.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.ok(refusedAfter !== undefined, 'node 3 still accepts the revoked key after 40 tries');
  t.diagnostic(`node 3 refused the revoked key ${refusedAfter.toFixed(0)} ms after node 1 answered the revocation`);
  assert.ok(refusedAfter < 1000, `node 3 refused the revoked key after ${refusedAfter.toFixed(0)} ms (must be < 1000 ms)`);
  // And it stays refused.
  assert.equal((await postToken(nodes[2]!.url, pending.at(-1)!)).status, 401);
});

/** Runs `keyward <args>` as an operator would on the shared database (the nodes' environment). */
function cliOnSharedStore(args: readonly string[]) {
  return runKeyward(args, { env: { KEYWARD_CONFIG: config.path, KEYWARD_DATABASE_URL: env.databaseUrl, KEYWARD_REDIS_URL: env.redisUrl, KEYWARD_ISSUER: env.issuer } });
}

test('the local CLI on the shared database announces its changes on Redis: a client it disables is refused by every node within 1 s, a signing key it rotates with --now signs at once (cache TTL 30 s)', { skip, timeout: 60_000 }, async (t) => {
  const victim = await addClient('cli-disabled', ['read']);
  // Every node caches the client.
  for (const node of nodes) assert.equal((await postToken(node.url, await assertionFor(victim))).status, 200);
  const disabled = await cliOnSharedStore(['clients', 'disable', victim.clientId]);
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.doesNotMatch(disabled.stderr, /warning/);
  for (const [index, node] of nodes.entries()) {
    const took = await within(1000, async () => (await postToken(node.url, await assertionFor(victim))).status === 401);
    assert.ok(took !== undefined, `node ${index + 1} still accepts the client the CLI disabled`);
    t.diagnostic(`node ${index + 1} refused the disabled client after ${took.toFixed(0)} ms`);
  }

  // keys rotate --now: every node signs with the new key at once (tokens.signingKeyRefresh is 30 s).
  const rotated = await cliOnSharedStore(['keys', 'rotate', '--now', '--json']);
  assert.equal(rotated.code, 0, rotated.stderr);
  const { kid } = JSON.parse(rotated.stdout) as { kid: string };
  for (const [index, node] of nodes.entries()) {
    const took = await within(1000, async () => {
      const answer = await postToken(node.url, await assertionFor(client));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const header = JSON.parse(Buffer.from(String(answer.body.access_token).split('.')[0]!, 'base64url').toString()) as { kid: string };
      return header.kid === kid;
    });
    assert.ok(took !== undefined, `node ${index + 1} still signs with the old key`);
  }
});

test('kill -9 of one node during load loses no acknowledged registration and lets no jti through twice; the restarted node serves tokens', { skip, timeout: 60_000 }, async () => {
  const token = await adminToken(nodes[0]!);
  // Unique assertions, each sent twice (to two different nodes), so a double acceptance would show.
  const assertions = await Promise.all(Array.from({ length: 300 }, (_, i) => assertionFor(client, `load-${i}-${randomUUID()}`)));
  const acceptedJtis: string[] = [];
  const registered: string[] = [];
  let stop = false;
  const killed = nodes[1]!;
  const load = runPool(assertions.length * 2, 24, async (i) => {
    const index = i >> 1;
    const node = nodes[(index + (i & 1) + 1) % 3]!;
    const answer = await postToken(node.url, assertions[index]!);
    if (answer.status === 200) acceptedJtis.push(JSON.parse(Buffer.from(assertions[index]!.split('.')[1]!, 'base64url').toString()).jti as string);
    else if (answer.status !== 0) assert.equal(answer.status, 401, JSON.stringify(answer.body)); // replay refusals only
  });
  const registrations = (async () => {
    for (let i = 0; !stop && i < 200; i += 1) {
      const node = nodes[i % 3]!;
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const created = await adminCall(node, token, 'POST', '/clients', { client_name: `during-load-${i}`, scope: 'read', keys: exportPublicPem(publicKey) });
      if (created.status === 201 || created.status === 200) registered.push(created.json.client_id as string);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 800));
  await killNode(killed);
  await load;
  stop = true;
  await registrations;

  assert.ok(acceptedJtis.length > 0, 'the load got tokens');
  assert.equal(new Set(acceptedJtis).size, acceptedJtis.length, 'no jti was accepted twice');
  assert.ok(registered.length > 0, 'registrations were acknowledged');
  for (const clientId of registered) assert.ok(await store.clients.getClient(clientId), `registration ${clientId} is still there`);
  // Restarted with the same command, it joins and serves tokens with no manual step.
  const restarted = await startNode(env, config.path);
  nodes[1] = restarted;
  const answer = await postToken(restarted.url, await assertionFor(client));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  // A jti accepted before the crash is still refused by the restarted node.
  const replay = await postToken(restarted.url, assertions.find((a) => acceptedJtis.includes(JSON.parse(Buffer.from(a.split('.')[1]!, 'base64url').toString()).jti as string))!);
  assert.equal(replay.status, 401);
});
