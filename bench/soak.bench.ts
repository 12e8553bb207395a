/**
 * Soak benchmark: mixed traffic at a steady rate against one real `keyward serve` process
 * on SQLite, for a long time, to see whether memory grows or latency drifts after warm-up.
 *
 *   npm run bench -- soak [--duration 1800] [--warmup 60] [--interval 30] [--rate 300] [--max-in-flight 64]
 *
 * The traffic, by share of requests: client_credentials grants with fresh ES256 assertions (70 %);
 * refusals: a bad signature (8 %) and a wrong `aud` (8 %); replays of an assertion already granted
 * (8 %); admin changes through the admin API with an admin token (3 %: the description of a client
 * changed, the client disabled, enabled again); registrations with an initial access token and
 * `POST /register` (3 %, each a new client with a new key). Each kind has its expected status; any
 * other answer is counted as unexpected.
 *
 * Every `--interval` seconds it prints a progress line: requests per second, p50 / p99 of that
 * window, unexpected answers, and the server's resident set and V8 heap in use, read from its own
 * /metrics (prom-client's process metrics: `process_resident_memory_bytes`,
 * `nodejs_heap_size_used_bytes`). At the end: memory at the start (after warm-up) and at the
 * end, the growth, and the p99 drift (the first measured window against the last).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { signClientAssertion } from '../packages/core/src/assertion/sign-client-assertion.ts';
import { exportPublicJwk } from '../packages/core/src/keys/export-key.ts';
import { importPublicKeys } from '../packages/core/src/keys/import-public-key.ts';
import { createClient, createRegistryContext } from '../packages/keyward/src/server/services/registry/index.ts';
import { openStore } from '../packages/keyward/src/store/open-store.ts';
import { startServe, stopNode, sumMetric, type Node } from '../test/cluster/nodes.ts';
import { readAnswer } from '../test/server/helpers.ts';

const ISSUER = 'https://keyward.soak.example';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
type Kind = 'grant' | 'bad_signature' | 'wrong_aud' | 'replay' | 'admin' | 'register';
const MIX: ReadonlyArray<readonly [Kind, number]> = [['grant', 70], ['bad_signature', 8], ['wrong_aud', 8], ['replay', 8], ['admin', 3], ['register', 3]];
const EXPECTED: Record<Kind, number> = { grant: 200, bad_signature: 401, wrong_aud: 401, replay: 401, admin: 200, register: 201 };

interface SoakClient { readonly clientId: string; readonly privateKey: KeyObject }
interface Sample { readonly elapsed: number; readonly rss: number; readonly heap: number; readonly requests: number; readonly p50: number; readonly p99: number; readonly unexpected: number }

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The server's resident set and heap in use, from its /metrics. */
async function memoryOf(node: Node): Promise<{ rss: number; heap: number }> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return { rss: sumMetric(text, 'process_resident_memory_bytes'), heap: sumMetric(text, 'nodejs_heap_size_used_bytes') };
}

/** POSTs `body`; a connection that fails or does not answer within 10 s is status 0. */
async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  try {
    return await readAnswer(await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) }));
  } catch {
    return { status: 0, json: {} };
  }
}

/** Runs the soak with command-line style arguments. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== 'soak' && !arg.endsWith('.bench.ts')),
    options: {
      duration: { type: 'string', default: '1800' },
      warmup: { type: 'string', default: '60' },
      interval: { type: 'string', default: '30' },
      rate: { type: 'string', default: '300' },
      'max-in-flight': { type: 'string', default: '64' },
    },
    strict: false,
  });
  const duration = Number(values.duration);
  const warmup = Math.min(Number(values.warmup), Math.max(5, Math.floor(duration / 5)));
  const interval = Number(values.interval);
  const rate = Number(values.rate);
  const maxInFlight = Number(values['max-in-flight']);

  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-soak-'));
  const makeClient = async (store: Awaited<ReturnType<typeof openStore>>, clientId: string, scopes: string[]): Promise<SoakClient> => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await createClient(createRegistryContext(store), { actor: 'test', name: clientId, clientId, keys: importPublicKeys(publicKey), scopes, accessTokenTtl: 300 });
    return { clientId, privateKey };
  };
  const store = await openStore({ dataDir });
  const client = await makeClient(store, 'soak-client', ['api']);
  const admin = await makeClient(store, 'soak-admin', ['keyward:admin']);
  await makeClient(store, 'soak-churn', ['api']);
  await store.close();
  const node = await startServe([], { KEYWARD_DATA_DIR: dataDir, KEYWARD_ISSUER: ISSUER });
  console.log(`keyward serve on ${node.url} (pid ${node.child.pid}, SQLite in ${dataDir}); ${duration} s at ${rate} req/s, warm-up ${warmup} s, a line every ${interval} s`);

  const sign = (who: SoakClient, audience = ISSUER) => signClientAssertion({ clientId: who.clientId, audience, privateKey: who.privateKey, alg: 'ES256' });
  const tokenForm = (assertion: string, extra = '') => `grant_type=client_credentials&client_assertion_type=${encodeURIComponent(ASSERTION_TYPE)}&client_assertion=${assertion}${extra}`;
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
  let adminToken = '';
  let adminTokenAt = 0;
  const adminHeaders = async (): Promise<Record<string, string>> => {
    if (Date.now() - adminTokenAt > 120_000) {
      const answer = await post(`${node.url}/token`, tokenForm(await sign(admin), '&scope=keyward%3Aadmin'), formHeaders);
      adminToken = String(answer.json.access_token);
      adminTokenAt = Date.now();
    }
    return { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  };
  const created = await post(`${node.url}/admin/v1/initial-access-tokens`, JSON.stringify({ uses: null }), await adminHeaders());
  const initialAccessToken = String(created.json.initial_access_token);
  if (created.status !== 201) throw new Error(`could not create an initial access token: ${created.status}`);

  const granted: string[] = [];
  let adminStep = 0;
  const actions: Record<Kind, () => Promise<number>> = {
    grant: async () => {
      const assertion = await sign(client);
      const { status } = await post(`${node.url}/token`, tokenForm(assertion), formHeaders);
      if (status === 200) {
        granted.push(assertion);
        if (granted.length > 1000) granted.shift();
      }
      return status;
    },
    bad_signature: async () => {
      const assertion = await sign(client);
      const flipped = assertion.slice(0, -4) + (assertion.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      return (await post(`${node.url}/token`, tokenForm(flipped), formHeaders)).status;
    },
    wrong_aud: async () => (await post(`${node.url}/token`, tokenForm(await sign(client, 'https://orders-api.example')), formHeaders)).status,
    replay: async () => {
      const assertion = granted[Math.floor(Math.random() * granted.length)] ?? (await sign(client, 'https://orders-api.example'));
      return (await post(`${node.url}/token`, tokenForm(assertion), formHeaders)).status;
    },
    admin: async () => {
      const step = adminStep++ % 3;
      const path = step === 0 ? '' : step === 1 ? '/disable' : '/enable';
      const response = await fetch(`${node.url}/admin/v1/clients/soak-churn${path}`, {
        method: step === 0 ? 'PATCH' : 'POST', headers: await adminHeaders(), body: step === 0 ? JSON.stringify({ description: `soak ${adminStep}` }) : '{}', signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined);
      await response?.arrayBuffer();
      return response?.status ?? 0;
    },
    register: async () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const body = JSON.stringify({ client_name: 'soak registration', jwks: { keys: [exportPublicJwk(publicKey)] }, token_endpoint_auth_method: 'private_key_jwt' });
      return (await post(`${node.url}/register`, body, { authorization: `Bearer ${initialAccessToken}`, 'content-type': 'application/json' })).status;
    },
  };
  const totalWeight = MIX.reduce((sum, [, w]) => sum + w, 0);
  const pick = (): Kind => {
    let r = Math.random() * totalWeight;
    for (const [kind, weight] of MIX) {
      r -= weight;
      if (r < 0) return kind;
    }
    return 'grant';
  };

  // Open-loop pacing: every 10 ms, start the requests due by then (at most maxInFlight at once).
  let latencies: number[] = [];
  let unexpected = 0;
  let unexpectedTotal = 0;
  const unexpectedByKind = new Map<string, number>();
  let skipped = 0;
  let inFlight = 0;
  let started = 0;
  const begin = performance.now();
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  let nextSample = warmup;
  let measuring = false;
  while (true) {
    const elapsed = (performance.now() - begin) / 1000;
    if (elapsed >= duration) break;
    const due = Math.floor(elapsed * rate);
    while (started < due) {
      started += 1;
      if (inFlight >= maxInFlight) {
        skipped += 1;
        continue;
      }
      const kind = pick();
      inFlight += 1;
      const t0 = performance.now();
      const task = actions[kind]().then((status) => {
        latencies.push(performance.now() - t0);
        if (status !== EXPECTED[kind]) {
          unexpected += 1;
          unexpectedTotal += 1;
          unexpectedByKind.set(`${kind}:${status}`, (unexpectedByKind.get(`${kind}:${status}`) ?? 0) + 1);
        }
      }).finally(() => {
        inFlight -= 1;
        pending.delete(task);
      });
      pending.add(task);
    }
    if (elapsed >= nextSample) {
      const sorted = Float64Array.from(latencies).sort();
      const memory = await memoryOf(node);
      const sample: Sample = { elapsed, ...memory, requests: latencies.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), unexpected };
      const label = measuring ? '' : ' (end of warm-up: the baseline)';
      if (measuring) samples.push(sample);
      else samples.push({ ...sample, requests: 0 });
      console.log(`t=${Math.round(elapsed)}s rss=${mb(sample.rss)} MB heap=${mb(sample.heap)} MB | ${measuring ? `${Math.round(sample.requests / interval)} req/s p50=${sample.p50.toFixed(1)} ms p99=${sample.p99.toFixed(1)} ms unexpected=${unexpected}` : 'warm-up done'}${label}`);
      latencies = [];
      unexpected = 0;
      measuring = true;
      nextSample += interval;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(pending);
  const final = await memoryOf(node);
  await stopNode(node);
  rmSync(dataDir, { recursive: true, force: true });

  const baseline = samples[0];
  const windows = samples.slice(1);
  if (baseline === undefined || windows.length === 0) {
    console.log('the run was too short for a baseline and one measured window: use a longer --duration');
    return;
  }
  const first = windows[0]!;
  const last = windows[windows.length - 1]!;
  const growth = (from: number, to: number) => `${mb(from)} → ${mb(to)} MB (${to >= from ? '+' : ''}${mb(to - from)} MB, ${(((to - from) / from) * 100).toFixed(1)} %)`;
  console.log('\nsoak summary');
  console.log(`  duration ${duration} s (warm-up ${warmup} s), target ${rate} req/s, ${started} requests started, ${skipped} skipped (over ${maxInFlight} in flight)`);
  console.log(`  unexpected answers: ${unexpectedTotal}${unexpectedByKind.size ? ` (${[...unexpectedByKind].map(([k, n]) => `${k} x${n}`).join(', ')})` : ''}`);
  console.log(`  RSS  ${growth(baseline.rss, final.rss)}; max ${mb(Math.max(...windows.map((s) => s.rss)))} MB`);
  console.log(`  heap ${growth(baseline.heap, final.heap)}; min ${mb(Math.min(...windows.map((s) => s.heap)))} / max ${mb(Math.max(...windows.map((s) => s.heap)))} MB`);
  console.log(`  p99 first window ${first.p99.toFixed(1)} ms (t=${Math.round(first.elapsed)} s), last window ${last.p99.toFixed(1)} ms (t=${Math.round(last.elapsed)} s): drift ${(last.p99 - first.p99 >= 0 ? '+' : '')}${(last.p99 - first.p99).toFixed(1)} ms`);
}
