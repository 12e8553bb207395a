/**
 * Verification middleware benchmark (`npm run bench -- verify`): verifications per second of
 * Keyward mode A and mode B beside raw crypto.verify on the same key, jose jwtVerify (1 and 16 in
 * flight) and fast-jwt, interleaved in one process, RSA 2048 and P-256; then a memory check of a
 * million mode-B verifications in a child process with --expose-gc.
 *
 * Options: --rounds=N (default 20), --ms=N per slice (default 100), --memory=N verifications
 * (default 1000000; 0 skips the memory check).
 *
 * On a shared box the load drifts by 2x within seconds, so every contender runs in short slices,
 * interleaved round after round. Two figures per contender: operations per CPU second of this process
 * (user + system, all threads: what the verification costs, whatever else runs on the box) and per
 * wall-clock second; "% of raw" is the median over rounds of (contender / raw in the same round).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { makeContenders, makeFixture, type Alg } from './lib-verify/contenders.ts';
import { measure, median } from './lib-verify/measure.ts';

function option(argv: readonly string[], name: string, fallback: number): number {
  const found = argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.slice(name.length + 3));
}

async function throughput(alg: Alg, rounds: number, ms: number): Promise<void> {
  const fixture = await makeFixture(alg, 400);
  try {
    const contenders = await makeContenders(fixture);
    const results = new Map<string, Array<{ wall: number; cpu: number }>>(contenders.map((c) => [c.name, []]));
    for (const c of contenders) await measure(c, 100); // warm-up
    for (let round = 0; round < rounds; round++) {
      // Interleaved: each round measures every contender once, so drift on a shared box hits all.
      for (const c of contenders) results.get(c.name)!.push(await measure(c, ms));
    }
    const raws = results.get('crypto.verify (raw)')!;
    console.log(`\n${alg === 'RS256' ? 'RS256 (RSA 2048)' : 'ES256 (P-256)'}: ${rounds} interleaved rounds of ${ms} ms slices (medians; p25-p75 of the ratio)`);
    console.log(`${'contender'.padEnd(22)} ${'ops/cpu-s'.padStart(10)} ${'% raw'.padStart(7)} ${'(p25-p75)'.padStart(11)}   ${'ops/wall-s'.padStart(10)} ${'% raw'.padStart(7)}`);
    for (const c of contenders) {
      const values = results.get(c.name)!;
      const ratio = (key: 'cpu' | 'wall') => values.map((v, i) => (v[key] / raws[i]![key]) * 100).sort((a, b) => a - b);
      const cpuRatios = ratio('cpu');
      const q = (f: number) => cpuRatios[Math.min(cpuRatios.length - 1, Math.floor(f * cpuRatios.length))]!;
      console.log(
        `${c.name.padEnd(22)} ${Math.round(median(values.map((v) => v.cpu))).toString().padStart(10)} ${median(cpuRatios).toFixed(1).padStart(6)}% ${`(${q(0.25).toFixed(0)}-${q(0.75).toFixed(0)}%)`.padStart(11)}   ` +
        `${Math.round(median(values.map((v) => v.wall))).toString().padStart(10)} ${median(ratio('wall')).toFixed(1).padStart(6)}%`,
      );
    }
  } finally {
    await fixture.close();
  }
}

async function memoryCheck(total: number): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  console.log(`\nMemory: ${total} mode-B verifications (RS256, pool of 2000 distinct tokens, no replay cache), heap after forced GC`);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', new URL('../scripts/register-sources.mjs', import.meta.url).href, join(here, 'lib-verify', 'memory-check.ts'), String(total), '2000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`memory check exited with ${code}`))));
  });
  const result = JSON.parse(output.trim().split('\n').pop()!) as { seconds: number; samples: Array<{ at: number; heapUsed: number }>; growthBytes: number };
  for (const s of result.samples) console.log(`  after ${String(s.at).padStart(8)}: heapUsed ${(s.heapUsed / 1048576).toFixed(2)} MiB`);
  console.log(`  growth start→end: ${(result.growthBytes / 1024).toFixed(1)} KiB over ${total} verifications (${Math.round(total / result.seconds)} verifications/s)`);
}

/** Entry point used by bench/run.ts. */
export async function run(argv: string[]): Promise<void> {
  const rounds = option(argv, 'rounds', 20);
  const ms = option(argv, 'ms', 100);
  const memory = option(argv, 'memory', 1_000_000);
  await throughput('RS256', rounds, ms);
  await throughput('ES256', rounds, ms);
  if (memory > 0) await memoryCheck(memory);
}
