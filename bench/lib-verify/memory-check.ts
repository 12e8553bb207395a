/**
 * Memory check of mode B, run in a child process with --expose-gc: N verifications of direct tokens
 * cycled from a pool (signing a million RSA tokens would take minutes), no replay cache, heapUsed
 * sampled after forced GC at the start, middle and end. Prints one JSON line.
 */
import { makeFixture, makeKeywardVerifier } from './contenders.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const poolSize = Number(process.argv[3] ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const fixture = await makeFixture('RS256', poolSize);
// A fixed clock keeps the pool fresh (maxIatAge) for the whole run.
const verifier = makeKeywardVerifier(fixture, Date.now());
const headers = fixture.directTokens.map((t) => ({ authorization: `Bearer ${t}` }));

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

// Warm-up (JIT, caches) before the first sample.
for (let i = 0; i < 5000; i++) await verifier.verify(headers[i % poolSize]!);
const samples: Array<{ at: number; heapUsed: number }> = [{ at: 0, heapUsed: heap() }];
const started = Date.now();
for (let i = 1; i <= total; i++) {
  await verifier.verify(headers[i % poolSize]!);
  if (i === Math.floor(total / 2) || i === total) samples.push({ at: i, heapUsed: heap() });
}
const seconds = (Date.now() - started) / 1000;
await fixture.close();
console.log(JSON.stringify({ total, poolSize, seconds, samples, growthBytes: samples[samples.length - 1]!.heapUsed - samples[0]!.heapUsed }));
