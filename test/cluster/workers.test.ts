/**
 * `keyward serve --workers 2` on the embedded SQLite default: one port, two worker processes, one
 * data directory. Checked over real HTTP, each request on a connection of its own so that the main
 * process hands them to the workers in turn:
 * - one assertion sent 200 times concurrently yields exactly one token (the replay reservation is
 *   shared through the SQLite file);
 * - a key revoked through one worker is refused by both within 1 s, although clients are cached for
 *   300 s (the invalidation goes through the main process), and so is a client the local CLI
 *   disabled on the data directory (its announcement reaches the workers through the main process);
 * - GET /metrics counts the tokens of both workers;
 * - a worker killed with SIGKILL is replaced and tokens keep coming;
 * - SIGTERM stops every worker and loses no audit event;
 * - a store the workers cannot share (`:memory:`) is refused with a reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { signClientAssertion } from '../../packages/core/src/assertion/sign-client-assertion.ts';
import { importPublicKeys } from '../../packages/core/src/keys/import-public-key.ts';
import { createClient, createRegistryContext } from '../../packages/keyward/src/server/services/registry/index.ts';
import { openStore } from '../../packages/keyward/src/store/open-store.ts';
import type { Store } from '../../packages/keyward/src/store/contract.ts';
import { startServe, stopNode, sumMetric, within, type Node } from './nodes.ts';
import { runKeyward } from '../cli/run-cli.ts';

const ISSUER = 'https://keyward.workers.test';
const BIN = fileURLToPath(new URL('../../bin/keyward.mjs', import.meta.url));

interface Client { clientId: string; privateKey: KeyObject; kid: string }

let dir: string;
let dataDir: string;
let server: Node;
let store: Store;
let client: Client;
let admin: Client;

/** One HTTP exchange on a connection of its own (no keep-alive), so the workers take turns. */
function fresh(url: string, method: string, path: string, options: { form?: Record<string, string>; json?: unknown; token?: string } = {}): Promise<{ status: number; body: string }> {
  const body = options.form ? new URLSearchParams(options.form).toString() : options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = { connection: 'close' };
  if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

function assertionFor(who: Client): Promise<string> {
  return signClientAssertion({ clientId: who.clientId, audience: ISSUER, privateKey: who.privateKey, alg: 'ES256', kid: who.kid });
}

function postToken(assertion: string, extra: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return fresh(server.url, 'POST', '/token', {
    form: { grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, ...extra },
  });
}

async function addClient(name: string, scopes: string[]): Promise<Client> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { client: record, keys } = await createClient(createRegistryContext(store), { actor: 'test', name, keys: importPublicKeys(publicKey), scopes, accessTokenTtl: 300, audiencePolicy: 'strict' });
  return { clientId: record.clientId, privateKey, kid: keys[0]!.kid };
}

/** Process ids of the workers of the main process `pid` (Linux /proc). */
function workerPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const isChild = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      // Not the TypeScript loader's helper process: the workers run worker-process.ts.
      if (isChild && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('worker-process')) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The invalidation reaches the other worker through the main process (IPC, asynchronous): the first
 * refusal must come within 1 s (the client cache holds entries for 300 s), then every request on
 * either worker is refused.
 */
async function assertRefusedByEveryWorker(victim: Client, change: string): Promise<void> {
  const took = await within(1000, async () => (await postToken(await assertionFor(victim))).status === 401);
  assert.ok(took !== undefined, `still accepted 1 s after ${change}`);
  const after = [];
  for (let i = 0; i < 8; i += 1) after.push((await postToken(await assertionFor(victim))).status);
  assert.deepEqual(after, Array(8).fill(401), `answers after ${change}: ${after.join(', ')}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-workers-'));
  dataDir = join(dir, 'data');
  const configPath = join(dir, 'keyward.json');
  // Clients cached for 300 s: a revocation seen at once can only come from the invalidation.
  writeFileSync(configPath, JSON.stringify({ clients: { cacheTtl: 300 }, log: { level: 'warn' } }));
  server = await startServe(['--workers', '2'], { KEYWARD_CONFIG: configPath, KEYWARD_DATA_DIR: dataDir, KEYWARD_ISSUER: ISSUER }, 60_000);
  store = await openStore({ dataDir });
  client = await addClient('workers-client', ['read']);
  admin = await addClient('workers-admin', ['keyward:admin']);
});

after(async () => {
  if (server) await stopNode(server, 15_000);
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('serve --workers 2 starts two worker processes and says so', () => {
  assert.match(server.stderr(), /workers:\s+2 processes/);
  assert.equal(workerPids(server.child.pid!).length, 2);
});

test('RFC 7523 §3 (7) across workers: one assertion sent 200 times concurrently yields exactly one token', { timeout: 60_000 }, async () => {
  const assertion = await assertionFor(client);
  const answers = await Promise.all(Array.from({ length: 200 }, () => postToken(assertion)));
  assert.equal(answers.filter((a) => a.status === 200).length, 1);
  for (const answer of answers.filter((a) => a.status !== 200)) {
    assert.equal(answer.status, 401, answer.body);
    assert.equal(JSON.parse(answer.body).error, 'invalid_client');
  }
});

test('a key revoked through one worker is refused by every worker within 1 s (clients cached 300 s)', { timeout: 60_000 }, async () => {
  const victim = await addClient('workers-victim', ['read']);
  // Both workers cache the client and its key.
  for (let i = 0; i < 8; i += 1) assert.equal((await postToken(await assertionFor(victim))).status, 200);
  const adminAnswer = await postToken(await assertionFor(admin), { scope: 'keyward:admin' });
  assert.equal(adminAnswer.status, 200, adminAnswer.body);
  const token = JSON.parse(adminAnswer.body).access_token as string;
  const revoked = await fresh(server.url, 'POST', `/admin/v1/clients/${encodeURIComponent(victim.clientId)}/keys/${encodeURIComponent(victim.kid)}/revoke`, { token });
  assert.equal(revoked.status, 200, revoked.body);
  await assertRefusedByEveryWorker(victim, 'the revocation');
});

test('a client disabled with the local CLI on the data directory is refused by every worker within 1 s (the main process relays the CLI\'s announcement)', { timeout: 60_000 }, async () => {
  const victim = await addClient('workers-cli-victim', ['read']);
  for (let i = 0; i < 8; i += 1) assert.equal((await postToken(await assertionFor(victim))).status, 200);
  const cli = await runKeyward(['clients', 'disable', victim.clientId], { env: { KEYWARD_DATA_DIR: dataDir } });
  assert.equal(cli.code, 0, cli.stderr);
  assert.doesNotMatch(cli.stderr, /warning/);
  await assertRefusedByEveryWorker(victim, 'the CLI disabled the client');
});

test('GET /metrics on any worker counts the tokens of every worker', { timeout: 60_000 }, async () => {
  const granted = async () => sumMetric((await fresh(server.url, 'GET', '/metrics')).body, 'keyward_token_requests_total', 'outcome="granted"');
  const before = await granted();
  for (let i = 0; i < 10; i += 1) assert.equal((await postToken(await assertionFor(client))).status, 200);
  for (let i = 0; i < 2; i += 1) assert.equal(await granted(), before + 10, 'the scrape adds up both workers');
});

test('a worker killed with SIGKILL is replaced, and tokens keep coming', { timeout: 60_000 }, async () => {
  const [victim, survivor] = workerPids(server.child.pid!);
  process.kill(victim!, 'SIGKILL');
  await waitFor(() => {
    const now = workerPids(server.child.pid!);
    return now.length === 2 && !now.includes(victim!) && now.includes(survivor!);
  }, 30_000, 'no replacement worker');
  // The replacement listens once it has started; until then the survivor serves.
  for (let i = 0; i < 6; i += 1) assert.equal((await postToken(await assertionFor(client))).status, 200);
});

test('SIGTERM stops every worker and loses no audit event', { timeout: 60_000 }, async () => {
  const last = await addClient('workers-last', ['read']);
  const answers = await Promise.all(Array.from({ length: 20 }, async () => (await postToken(await assertionFor(last))).status));
  assert.deepEqual(answers, Array(20).fill(200));
  const workers = workerPids(server.child.pid!);
  const stopping = Date.now();
  await stopNode(server, 15_000);
  assert.equal(server.child.exitCode, 0, server.stderr());
  assert.ok(Date.now() - stopping < 8000, `stopped in ${Date.now() - stopping} ms: ${server.stderr()}`);
  for (const pid of workers) assert.throws(() => process.kill(pid, 0), 'every worker has exited');
  const granted = await store.audit.queryAudit({ type: 'token.granted', clientId: last.clientId, limit: 100 });
  assert.equal(granted.length, 20, 'every granted token has its audit event');
});

test('--workers 2 refuses a store the workers cannot share (:memory:) with a reason', () => {
  const result = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--workers', '2', '--data-dir', ':memory:'], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() } });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /:memory:/);
  assert.match(result.stderr, /KEYWARD_DATA_DIR|PostgreSQL/);
});

test('workers that keep dying stop the server with exit code 1 and a reason, instead of restarting forever', { timeout: 120_000 }, async () => {
  const crashDir = mkdtempSync(join(tmpdir(), 'keyward-workers-crash-'));
  const node = await startServe(['--workers', '2'], { KEYWARD_DATA_DIR: join(crashDir, 'data'), KEYWARD_LOG_LEVEL: 'silent' }, 60_000);
  try {
    const primary = node.child.pid!;
    const killed = new Set<number>();
    // SIGKILL a worker whenever one is up, until the main process gives up (6 deaths within 60 s).
    while (node.child.exitCode === null && killed.size < 20) {
      const victim = workerPids(primary).find((pid) => !killed.has(pid));
      if (victim === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      killed.add(victim);
      try {
        process.kill(victim, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await waitFor(() => node.child.exitCode !== null, 30_000, 'the main process did not stop');
    assert.equal(node.child.exitCode, 1, node.stderr());
    assert.match(node.stderr(), /workers kept stopping \(6 times within 60 s\)/);
    assert.ok(killed.size >= 6 && killed.size < 20, `${killed.size} workers killed`);
    assert.deepEqual(workerPids(primary), [], 'no worker is left running');
  } finally {
    await stopNode(node);
    rmSync(crashDir, { recursive: true, force: true });
  }
});
