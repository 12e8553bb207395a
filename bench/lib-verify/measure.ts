/**
 * Measures one contender for a fixed time: sync contenders in a tight loop, async ones awaited one
 * call at a time (the x16 contender keeps 16 in flight inside its own call).
 */
import type { Contender } from './contenders.ts';

/** Throughput of one slice: per wall-clock second and per CPU second of this process. */
export interface Rate {
  readonly wall: number;
  /** Operations per CPU second (user + system, all threads of the process): stable when the box is shared. */
  readonly cpu: number;
}

/** Operations per second of `contender` over about `ms` milliseconds. */
export async function measure(contender: Contender, ms: number): Promise<Rate> {
  let ops = 0;
  let i = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  for (;;) {
    // Check the clock every 64 calls to keep its cost out of the figure.
    for (let k = 0; k < 64; k++) {
      const result = contender.run(i++);
      if (result instanceof Promise) await result;
      ops += contender.batch;
    }
    if (process.hrtime.bigint() >= deadline) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wall: ops / seconds, cpu: ops / Math.max(cpuSeconds, 1e-6) };
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
