/**
 * `npm run bench -- cli`: the `keyward` command as whole processes (the published bin, compiled
 * JavaScript from packages/keyward/dist) against bare `node -e 0` in the same run: `--help`,
 * `assertion` (reads a key, signs) and `inspect` (decodes a token). The commands take turns, run by
 * run, so that a busy moment of a shared machine falls on all of them; medians of `--runs` (default
 * 15, at least 10). Target: each at most 1.5x `node -e 0`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/keyward/bin/keyward.js');

/** A user's environment: not the repository's loader. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

function runOnce(args: readonly string[]): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...args], { env: userEnv(), encoding: 'utf8', timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${String(result.status)}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function run(argv: string[]): Promise<void> {
  const runsArg = argv.find((a) => a.startsWith('--runs='));
  const runs = Math.max(10, runsArg === undefined ? 15 : Number(runsArg.slice('--runs='.length)));
  if (!existsSync(join(root, 'packages/keyward/dist/bin/main.js'))) {
    console.log('building (npm run build) first');
    const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', timeout: 300_000 });
    if (build.status !== 0) throw new Error('the build failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'keyward-bench-cli-'));
  try {
    const key = join(dir, 'bench');
    runOnce([bin, 'keygen', '--type', 'ec', '--out', key]);
    const assertionArgs = [bin, 'assertion', '--client-id', 'bench-client', '--key', `${key}-private.pem`, '--aud', 'https://as.example.com'];
    const token = runOnce(assertionArgs).stdout.trim();
    const cases: ReadonlyArray<{ name: string; args: readonly string[] }> = [
      { name: 'node -e 0', args: ['-e', '0'] },
      { name: 'keyward --help', args: [bin, '--help'] },
      { name: 'keyward assertion', args: assertionArgs },
      { name: 'keyward inspect', args: [bin, 'inspect', token] },
    ];
    const times = new Map(cases.map((c) => [c.name, [] as number[]]));
    for (const c of cases) runOnce(c.args); // warm the file system cache once
    for (let i = 0; i < runs; i++) {
      for (const c of cases) times.get(c.name)!.push(runOnce(c.args).ms);
    }
    const base = median(times.get('node -e 0')!);
    console.log(`${runs} runs each, taking turns; medians of wall time per process (Node ${process.version})`);
    console.log('| command | median ms | min ms | x node -e 0 |');
    console.log('|---|---|---|---|');
    for (const c of cases) {
      const values = times.get(c.name)!;
      console.log(`| \`${c.name}\` | ${median(values).toFixed(1)} | ${Math.min(...values).toFixed(1)} | ${(median(values) / base).toFixed(2)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
