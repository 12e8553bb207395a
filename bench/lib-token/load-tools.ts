/**
 * Helpers shared by the token endpoint benchmarks (token.bench.ts, cluster.bench.ts): CPU time of a
 * process and unique pre-signed RS256 assertions made on worker threads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const here = dirname(fileURLToPath(import.meta.url));

/** The fields of /proc/PID/stat after the command name (field 3 onwards); undefined if unreadable. */
function statFields(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined; // not Linux, or the process ended meanwhile
  }
}

/** utime + stime of stat `fields`, in seconds. */
const cpuSeconds = (fields: string[]): number => (Number(fields[11]) + Number(fields[12])) / 100;

/** CPU seconds (user + system) of a process, from /proc (Linux); null elsewhere. */
export function cpuSecondsOf(pid: number | undefined): number | null {
  const fields = pid === undefined ? undefined : statFields(pid);
  return fields === undefined ? null : cpuSeconds(fields);
}

/**
 * CPU seconds of a process and its direct children (the workers of `serve --workers N`), from
 * /proc (Linux); null elsewhere.
 */
export function cpuSecondsOfTree(pid: number | undefined): number | null {
  const own = cpuSecondsOf(pid);
  if (own === null) return null;
  let total = own;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields !== undefined && Number(fields[1]) === pid) total += cpuSeconds(fields);
  }
  return total;
}

/** `count` unique RS256 client assertions (one jti each), signed on up to 4 worker threads. */
export async function signAssertions(count: number, pkcs8: string, claims: { clientId: string; audience: string; kid: string; lifetime: number }): Promise<string[]> {
  const workers = Math.max(1, Math.min(availableParallelism(), 4));
  const out: string[] = [];
  await Promise.all(Array.from({ length: workers }, (_, index) => new Promise<void>((resolve, reject) => {
    const share = Math.floor(count / workers) + (index < count % workers ? 1 : 0);
    const worker = new Worker(join(here, 'sign-worker.mjs'), { workerData: { pkcs8, ...claims, count: share } });
    worker.on('message', (chunk: string[]) => { out.push(...chunk); });
    worker.on('error', reject);
    worker.on('exit', () => resolve());
  })));
  return out;
}
