/**
 * Token endpoint benchmark: `POST /token` (client_credentials, private_key_jwt with unique pre-signed
 * RS256 assertions, ES256 JWT access tokens) against Keyward and oidc-provider configured the same
 * way, in the same run, at 1, 16 and 64 connections. Targets: `keyward` (one process, the default
 * of `keyward serve`), `keyward-workers` (`serve --workers 2`: two worker processes on one SQLite
 * file), `peer` (oidc-provider) and `ceiling`: a bare node:http endpoint with no storage, replay
 * check or audit (lib-token/ceiling-server.mjs), the most one process on this machine allows for
 * the same crypto, and `ceiling-workers`, the same in two worker processes. Each (target, connections) cell gets a FRESH server process
 * (empty replay store; Keyward on SQLite in a temporary directory), a warm-up, then a measured run
 * driven by autocannon from this process. Prints ok req/s, p50, p99 and errors, and each Keyward
 * target / oidc-provider ratio.
 *
 *   npm run bench -- token              2 s warm-up + 8 s per cell
 *   npm run bench -- token --quick      1 s warm-up + 3 s per cell
 *   options: --duration S  --warmup S  --conns 1,16,64  --targets keyward,keyward-workers,peer,ceiling,ceiling-workers  --json
 *
 * Both targets share one issuer identifier (the assertions' aud), one client id and one RS256 key,
 * so one set of assertions serves every cell (each server is fresh, so none is a replay there).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSecondsOfTree, signAssertions } from './lib-token/load-tools.ts';
import { createRequire } from 'node:module';

// autocannon ships no types: the little of its API used here.
interface AutocannonResult { '2xx': number; non2xx: number; errors: number; timeouts: number; duration: number }
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => AutocannonInstance;

const here = dirname(fileURLToPath(import.meta.url));
const ISSUER = 'https://as.bench.test';
const CLIENT_ID = 'bench-rs256';
const KID = 'bench-rs256';
const PREFIX = 'grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=';

type Target = 'keyward' | 'keyward-workers' | 'peer' | 'ceiling' | 'ceiling-workers';
const TARGET_NAMES: Record<Target, string> = {
  keyward: 'Keyward, 1 process', 'keyward-workers': 'Keyward, --workers 2', peer: 'oidc-provider',
  ceiling: 'ceiling (no storage), 1 process', 'ceiling-workers': 'ceiling (no storage), 2 workers',
};
const isCeiling = (target: Target): boolean => target === 'ceiling' || target === 'ceiling-workers';

/** One measured cell. */
export interface CellResult {
  readonly target: Target;
  readonly connections: number;
  readonly okPerSec: number;
  readonly p50ms: number | null;
  readonly p99ms: number | null;
  readonly errors: number;
  readonly seconds: number;
  /** Server CPU time per successful request (µs): less sensitive to a busy box than req/s. */
  readonly serverCpuUsPerOk: number | null;
  /** Cores used by the server and by the load generator (this process) during the measured run. */
  readonly serverCores: number | null;
  readonly loadgenCores: number;
  readonly assertionsWrapped: boolean;
}



async function startTarget(target: Target, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; dataDir?: string }> {
  const keyward = target === 'keyward' || target === 'keyward-workers';
  const dataDir = keyward ? mkdtempSync(join(tmpdir(), 'keyward-bench-')) : undefined;
  const args = keyward ? ['--import', new URL('../scripts/register-sources.mjs', import.meta.url).href, join(here, 'lib-token', 'keyward-server.ts')] : [join(here, 'lib-token', target === 'peer' ? 'peer-server.mjs' : 'ceiling-server.mjs')];
  const workers = target === 'keyward-workers' || target === 'ceiling-workers' ? '2' : '1';
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, NODE_ENV: 'production', NODE_NO_WARNINGS: '1', BENCH_WORKERS: workers, ...(dataDir ? { BENCH_DATA_DIR: dataDir } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${target} did not start: ${log}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{"url"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => reject(new Error(`${target} exited with ${code}: ${log}`)));
  });
  return { url, child, ...(dataDir ? { dataDir } : {}) };
}

async function stopTarget(running: { child: ChildProcess; dataDir?: string }): Promise<void> {
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  if (running.dataDir) rmSync(running.dataDir, { recursive: true, force: true });
}

async function drive(url: string, connections: number, seconds: number, next: () => string): Promise<{ ok: number; errors: number; seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    requests: [{ method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (request: object) => ({ ...request, body: PREFIX + next() }) }],
  });
  instance.on('response', (_client, status, _bytes, ms) => { if (status < 300) latencies.push(ms); });
  const result = await instance;
  return { ok: result['2xx'], errors: result.non2xx + result.errors + result.timeouts, seconds: result.duration, latencies };
}

function percentile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2));
}

/** Runs the benchmark with command-line style arguments. */
export async function run(argv: string[]): Promise<CellResult[]> {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== 'token' && !arg.endsWith('.bench.ts')),
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      conns: { type: 'string', default: '1,16,64' },
      targets: { type: 'string', default: 'keyward,keyward-workers,peer,ceiling,ceiling-workers' },
      json: { type: 'boolean', default: false },
      count: { type: 'string' },
    },
    strict: false,
  });
  const duration = Number(values.duration ?? (values.quick ? 3 : 8));
  const warmup = Number(values.warmup ?? (values.quick ? 1 : 2));
  const conns = String(values.conns).split(',').map(Number);
  const targets = String(values.targets).split(',') as Target[];
  for (const target of targets) if (!(target in TARGET_NAMES)) throw new Error(`unknown target ${target}: use ${Object.keys(TARGET_NAMES).join(', ')}`);

  const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = { ...(client.publicKey.export({ format: 'jwk' }) as object), kid: KID, alg: 'RS256', use: 'sig' };
  const serverJwk = { ...(server.privateKey.export({ format: 'jwk' }) as object), kid: 'bench-es256', alg: 'ES256', use: 'sig' };
  const env = { BENCH_PUBLIC_JWK: JSON.stringify(publicJwk), BENCH_SERVER_JWK: JSON.stringify(serverJwk), BENCH_CLIENT_ID: CLIENT_ID, BENCH_ISSUER: ISSUER };

  // Enough unique assertions for the busiest cell (about 5,000 req/s) with room to spare.
  const needed = values.count === undefined ? Math.ceil(6000 * (duration + warmup)) : Number(values.count);
  const started = Date.now();
  const assertions = await signAssertions(needed, client.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { clientId: CLIENT_ID, audience: ISSUER, kid: KID, lifetime: 3000 });
  console.error(`signed ${assertions.length} RS256 assertions in ${((Date.now() - started) / 1000).toFixed(1)} s; ${duration} s measured per cell after ${warmup} s warm-up`);

  const results: CellResult[] = [];
  for (const connections of conns) {
    for (const target of targets) {
      const running = await startTarget(target, env);
      try {
        let next = 0;
        let wrapped = false;
        const take = () => {
          if (next >= assertions.length) { wrapped = true; next = 0; }
          return assertions[next++]!;
        };
        if (warmup > 0) await drive(running.url, connections, warmup, take);
        const cpuBefore = cpuSecondsOfTree(running.child.pid);
        const ownBefore = process.cpuUsage();
        const measured = await drive(running.url, connections, duration, take);
        const own = process.cpuUsage(ownBefore);
        const cpuAfter = cpuSecondsOfTree(running.child.pid);
        const cell: CellResult = {
          target,
          connections,
          okPerSec: Math.round(measured.ok / measured.seconds),
          p50ms: percentile(measured.latencies, 0.5),
          p99ms: percentile(measured.latencies, 0.99),
          errors: measured.errors,
          seconds: Number(measured.seconds.toFixed(1)),
          serverCpuUsPerOk: cpuBefore !== null && cpuAfter !== null && measured.ok > 0 ? Math.round(((cpuAfter - cpuBefore) * 1e6) / measured.ok) : null,
          serverCores: cpuBefore !== null && cpuAfter !== null ? Number(((cpuAfter - cpuBefore) / measured.seconds).toFixed(2)) : null,
          loadgenCores: Number(((own.user + own.system) / 1e6 / measured.seconds).toFixed(2)),
          assertionsWrapped: wrapped,
        };
        results.push(cell);
        console.error(`${target.padEnd(15)} c=${String(connections).padStart(2)}: ${cell.okPerSec} ok/s, p50 ${cell.p50ms} ms, p99 ${cell.p99ms} ms, errors ${cell.errors}, server CPU ${cell.serverCpuUsPerOk} µs/req (${cell.serverCores} cores; load generator ${cell.loadgenCores} cores)${wrapped ? ' (assertions wrapped: replays counted as errors)' : ''}`);
      } finally {
        await stopTarget(running);
      }
    }
  }
  printTable(results, conns);
  if (values.json) console.log(JSON.stringify(results));
  return results;
}

function printTable(results: CellResult[], conns: number[]): void {
  const lines = ['', '| connections | target | ok req/s | p50 ms | p99 ms | errors | server CPU µs/req | server cores | ratio to oidc-provider | share of its ceiling |', '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const connections of conns) {
    const peer = results.find((result) => result.target === 'peer' && result.connections === connections);
    const ceilingOf = (target: Target) => results.find((result) => result.target === (target === 'keyward-workers' ? 'ceiling-workers' : 'ceiling') && result.connections === connections);
    for (const r of results.filter((result) => result.connections === connections)) {
      const ratio = !isCeiling(r.target) && r.target !== 'peer' && peer && peer.okPerSec > 0 ? `${(r.okPerSec / peer.okPerSec).toFixed(2)}x` : '-';
      // Each target against the ceiling with as many processes (the peer: one).
      const ceiling = ceilingOf(r.target);
      const share = !isCeiling(r.target) && ceiling && ceiling.okPerSec > 0 ? `${Math.round((100 * r.okPerSec) / ceiling.okPerSec)} %` : '-';
      lines.push(`| ${connections} | ${TARGET_NAMES[r.target]} | ${r.okPerSec} | ${r.p50ms ?? '-'} | ${r.p99ms ?? '-'} | ${r.errors} | ${r.serverCpuUsPerOk ?? '-'} | ${r.serverCores ?? '-'} | ${ratio} | ${share} |`);
    }
  }
  console.log(lines.join('\n'));
}
