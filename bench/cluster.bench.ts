/**
 * Scale-out benchmark: the token endpoint of `keyward serve` on SQLite (one node) beside
 * PostgreSQL + Redis (one node, then two nodes behind no proxy: the load generator splits its
 * connections between them). Each cell gets a fresh database / key prefix and unique pre-signed
 * RS256 assertions (bench/lib-token/sign-worker.mjs), so every request is a real grant: signature
 * check, jti reservation, token record, ES256 access token. Prints ok req/s, p50 and p99.
 *
 * On the 2-core development box the nodes, PostgreSQL, Redis and the load generator share the same
 * two cores: a second node cannot add CPU, it only shows what the coordination costs.
 *
 *   npm run bench -- cluster [--seconds 5] [--connections 16]
 *
 * Needs PostgreSQL (127.0.0.1:5432, trust) and Redis (127.0.0.1:6379); skips those cells otherwise.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cpuSecondsOf, signAssertions } from './lib-token/load-tools.ts';
import { importPublicKeys } from '../packages/core/src/keys/import-public-key.ts';
import { createClient, createRegistryContext } from '../packages/keyward/src/server/services/registry/index.ts';
import { openStore } from '../packages/keyward/src/store/open-store.ts';
import { startNode, stopNode, writeClusterConfig, type ClusterEnv, type Node } from '../test/cluster/nodes.ts';
import { checkPostgres, checkRedis, createTestDatabase, createTestPrefix, POSTGRES_ADMIN_URL, REDIS_URL } from '../test/store/services.ts';

const ISSUER = 'https://keyward.bench.example';
const CLIENT_ID = 'bench-cluster-client';
const KID = 'bench-rs256';
const FORM_PREFIX = `grant_type=client_credentials&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=`;

interface AutocannonResult { '2xx': number; non2xx: number; errors: number; timeouts: number; duration: number }
type AutocannonInstance = Promise<AutocannonResult> & { on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void };
// autocannon ships no types: the little of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => AutocannonInstance;

/** One measured cell. */
export interface ClusterCell {
  readonly name: string;
  readonly okPerSecond: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly errors: number;
  /** CPU time of the Keyward node processes per successful request (µs), PostgreSQL and Redis not included. */
  readonly nodeCpuMicros: number | null;
}

/** User + system CPU seconds of a process, from /proc (null where /proc is missing). */

function nodesCpu(nodes: readonly Node[]): number | null {
  let total = 0;
  for (const node of nodes) {
    const seconds = cpuSecondsOf(node.child.pid);
    if (seconds === null) return null;
    total += seconds;
  }
  return total;
}


function percentile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2));
}

/** Drives every node at once (connections split evenly) for `seconds`; sums the answers. */
async function drive(nodes: readonly Node[], connections: number, seconds: number, next: () => string | undefined): Promise<{ ok: number; errors: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const instances = nodes.map((node, index) => {
    const share = Math.floor(connections / nodes.length) + (index < connections % nodes.length ? 1 : 0);
    const instance = autocannon({
      url: node.url,
      connections: share,
      duration: seconds,
      pipelining: 1,
      timeout: 10,
      requests: [{ method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (request: object) => ({ ...request, body: FORM_PREFIX + (next() ?? 'exhausted') }) }],
    });
    instance.on('response', (_client, status, _bytes, ms) => { if (status < 300) latencies.push(ms); });
    return instance;
  });
  const results = await Promise.all(instances);
  return {
    ok: results.reduce((sum, r) => sum + r['2xx'], 0),
    errors: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
    seconds: Math.max(...results.map((r) => r.duration)),
    latencies,
  };
}

/** Starts `count` nodes on `env`, registers the benchmark client, runs the load, stops everything. */
async function measure(name: string, env: Omit<ClusterEnv, 'issuer' | 'settings'> & { dataDir?: string; rateLimit?: boolean }, count: number, options: { connections: number; seconds: number; publicJwk: Record<string, unknown>; next: () => string | undefined }): Promise<ClusterCell> {
  const clusterEnv: ClusterEnv = { ...env, issuer: ISSUER, settings: { assertions: { maxLifetime: 3600 }, ...(env.rateLimit === false ? { rateLimit: { enabled: false } } : {}), ...(env.dataDir ? { storage: { keyPrefix: env.keyPrefix, dataDir: env.dataDir } } : {}) } };
  const config = writeClusterConfig(clusterEnv);
  const nodes: Node[] = [];
  try {
    nodes.push(await startNode(clusterEnv, config.path));
    for (let i = 1; i < count; i += 1) nodes.push(await startNode(clusterEnv, config.path));
    const store = await openStore(env.databaseUrl ? { databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, keyPrefix: env.keyPrefix } : { dataDir: env.dataDir! });
    try {
      await createClient(createRegistryContext(store), { actor: 'test', name: 'bench', clientId: CLIENT_ID, keys: importPublicKeys(options.publicJwk), scopes: ['api'], accessTokenTtl: 300 });
    } finally {
      await store.close();
    }
    // Warm-up (JIT, connection pools, client cache), then the measured run.
    await drive(nodes, options.connections, 1, options.next);
    const cpuBefore = nodesCpu(nodes);
    const result = await drive(nodes, options.connections, options.seconds, options.next);
    const cpuAfter = nodesCpu(nodes);
    const sorted = Float64Array.from(result.latencies).sort();
    const nodeCpuMicros = cpuBefore === null || cpuAfter === null || result.ok === 0 ? null : Math.round(((cpuAfter - cpuBefore) / result.ok) * 1e6);
    return { name, okPerSecond: Math.round(result.ok / result.seconds), p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), errors: result.errors, nodeCpuMicros };
  } finally {
    await Promise.all(nodes.map((node) => stopNode(node)));
    config.remove();
  }
}

/** Runs the benchmark with command-line style arguments. */
export async function run(argv: string[]): Promise<ClusterCell[]> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== 'cluster' && !arg.endsWith('.bench.ts')),
    options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } },
    strict: false,
  });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = { ...(client.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: KID, alg: 'RS256', use: 'sig' };
  // Enough unique assertions for 4 cells at up to 2,500 req/s (warm-up included).
  const needed = 4 * (seconds + 1) * 2500;
  console.log(`signing ${needed} RS256 assertions...`);
  const assertions = await signAssertions(needed, client.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { clientId: CLIENT_ID, audience: ISSUER, kid: KID, lifetime: 3000 });
  let cursor = 0;
  const next = () => (cursor < assertions.length ? assertions[cursor++] : undefined);
  const common = { connections, seconds, publicJwk, next };
  const cells: ClusterCell[] = [];

  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-bench-sqlite-'));
  try {
    cells.push(await measure('1 node, SQLite', { databaseUrl: '', redisUrl: '', keyPrefix: 'keyward:', dataDir }, 1, common));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  const missing = [await checkPostgres(), await checkRedis()].filter(Boolean);
  if (missing.length > 0) {
    console.log(`skipping the PostgreSQL + Redis cells: ${missing.join('; ')}`);
  } else {
    // The last cell shows what the Redis rate-limit counters cost (two Redis calls per request).
    for (const [count, rateLimit] of [[1, true], [2, true], [1, false]] as const) {
      const database = await createTestDatabase();
      // The test helper turns synchronous_commit off for speed; a benchmark runs with the default (on).
      const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await admin.connect();
      await admin.query(`ALTER DATABASE ${new URL(database.url).pathname.slice(1)} RESET synchronous_commit`).finally(() => admin.end());
      const prefix = createTestPrefix();
      try {
        cells.push(await measure(`${count} node${count > 1 ? 's' : ''}, PostgreSQL + Redis${rateLimit ? '' : ', rate limits off'}`, { databaseUrl: database.url, redisUrl: REDIS_URL, keyPrefix: prefix.prefix, rateLimit }, count, common));
      } finally {
        await prefix.removeKeys();
        await database.drop();
      }
    }
  }
  if (cursor >= assertions.length) console.log('WARNING: the pre-signed assertions ran out; the last requests were refused (raise the count)');
  console.log(`\ntoken endpoint, ${connections} connections, ${seconds} s, unique RS256 assertions, ES256 tokens; nodes + databases + load generator on ${availableParallelism()} cores`);
  console.log('| setup | ok req/s | p50 ms | p99 ms | errors | node CPU µs/req |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const cell of cells) console.log(`| ${cell.name} | ${cell.okPerSecond} | ${cell.p50 ?? '-'} | ${cell.p99 ?? '-'} | ${cell.errors} | ${cell.nodeCpuMicros ?? '-'} |`);
  return cells;
}
