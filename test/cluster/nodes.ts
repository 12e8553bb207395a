/**
 * Helpers of the cluster tests: `keyward serve` as real child processes (port 0 on 127.0.0.1)
 * sharing one PostgreSQL database and one Redis key prefix, and bounded concurrent HTTP loads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signClientAssertion } from '../../packages/core/src/assertion/sign-client-assertion.ts';
import { importPublicKeys } from '../../packages/core/src/keys/import-public-key.ts';
import { createClient, createRegistryContext } from '../../packages/keyward/src/server/services/registry/index.ts';
import { openStore, type OpenStoreOptions } from '../../packages/keyward/src/store/open-store.ts';

const BIN = fileURLToPath(new URL('../../bin/keyward.mjs', import.meta.url));

/** A running `keyward serve` child process. */
export interface Node {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote on standard error. */
  readonly stderr: () => string;
}

/** What every node of one test cluster shares. */
export interface ClusterEnv {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly issuer: string;
  /** Extra config file settings (clients.cacheTtl, ...). */
  readonly settings?: Record<string, unknown>;
}

/** Writes the config file of a cluster (the key prefix has no environment variable); returns its path and a cleanup. */
export function writeClusterConfig(env: ClusterEnv): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-cluster-'));
  const path = join(dir, 'keyward.json');
  writeFileSync(path, JSON.stringify({ storage: { keyPrefix: env.keyPrefix }, log: { level: 'warn' }, ...env.settings }));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `node bin/keyward.mjs serve --port 0` and waits (at most `timeoutMs`) until it listens. */
export async function startNode(env: ClusterEnv, configPath: string, timeoutMs = 30_000): Promise<Node> {
  return startServe([], {
    KEYWARD_CONFIG: configPath,
    KEYWARD_DATABASE_URL: env.databaseUrl,
    KEYWARD_REDIS_URL: env.redisUrl,
    KEYWARD_ISSUER: env.issuer,
  }, timeoutMs);
}

/**
 * Starts `node bin/keyward.mjs serve --port 0 --host 127.0.0.1 ...args` with only PATH, HOME and
 * `env` in its environment, and waits (at most `timeoutMs`) until it listens.
 */
export async function startServe(args: readonly string[], env: Record<string, string>, timeoutMs = 30_000): Promise<Node> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keyward serve did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    const onData = () => {
      const match = /Keyward is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`keyward serve exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  child.removeAllListeners('exit');
  return { url, child, stderr: () => stderr };
}

/** Stops a node: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopNode(node: Node, graceMs = 5000): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
  node.child.kill('SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills a node with SIGKILL (`kill -9`) and waits for it to be gone. */
export async function killNode(node: Node): Promise<void> {
  const exited = new Promise<void>((resolve) => node.child.once('exit', () => resolve()));
  node.child.kill('SIGKILL');
  await exited;
}

/** Runs `tasks` with at most `concurrency` in flight; returns the results in order. */
export async function runPool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** POSTs a client_credentials request; returns the status and the parsed body (or an error marker when the connection failed). */
export async function postToken(url: string, assertion: string, extra: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const response = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        ...extra,
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { raw: text };
    }
    return { status: response.status, body };
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, body: { connection_error: `${(error as Error).message} (${cause?.code ?? cause?.message ?? 'no cause'})` } };
  }
}

/** Sums the samples of `name` (optionally with a label filter like `reason="jti_replayed"`) in a /metrics text. */
export function sumMetric(text: string, name: string, filter = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (filter !== '' && !rest.includes(filter)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Polls until `check` is true, at most `ms`; the milliseconds it took, or undefined. */
export async function within(ms: number, check: () => Promise<boolean>): Promise<number | undefined> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (await check()) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return undefined;
}

/** An ES256 client registered for a fault test: its id, private key and key id. */
export interface FaultTestClient {
  readonly clientId: string;
  readonly privateKey: KeyObject;
  readonly kid: string;
}

/**
 * Registers an ES256 client with scope `read` through the registry service, on the store that
 * `options` open (the nodes' database or data directory), and closes that store again.
 */
export async function registerFaultTestClient(options: OpenStoreOptions, name: string): Promise<FaultTestClient> {
  const store = await openStore(options);
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { client, keys } = await createClient(createRegistryContext(store), { actor: 'test', name, keys: importPublicKeys(publicKey), scopes: ['read'], accessTokenTtl: 300 });
    return { clientId: client.clientId, privateKey, kid: keys[0]!.kid };
  } finally {
    await store.close();
  }
}

/** A fresh ES256 client assertion of `client` for `issuer` (a new jti each time). */
export function faultTestAssertion(client: FaultTestClient, issuer: string): Promise<string> {
  return signClientAssertion({ clientId: client.clientId, audience: issuer, privateKey: client.privateKey, alg: 'ES256', kid: client.kid });
}
