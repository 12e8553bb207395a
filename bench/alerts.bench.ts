/**
 * `npm run bench -- alerts`: the anomaly detector's memory with many clients. It feeds the rate
 * detector and the activity detector (over an in-memory stand-in for the store's
 * recordClientActivity, which keeps nothing, so only the detector's own memory is measured) with
 * grants of N distinct clients, each from its own source address, then with replays from N
 * distinct addresses, and reports the heap after a full GC against an empty detector, for N =
 * 10,000, 100,000 and 200,000 clients and the default `alerts.maxTrackedClients` (100,000).
 * Target: bounded: the figure at 200,000 clients is no larger than at 100,000.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_CONFIG } from '../packages/keyward/src/config/defaults.ts';
import { createActivityDetector } from '../packages/keyward/src/server/services/alerts/detect-activity-anomalies.ts';
import { createRateDetector } from '../packages/keyward/src/server/services/alerts/detect-rate-anomalies.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function measure(clients: number): Promise<{ mb: number; tracked: number }> {
  const settings = DEFAULT_CONFIG.alerts;
  const before = heapMb();
  const rates = createRateDetector(settings);
  const activity = createActivityDetector({ recordClientActivity: () => Promise.resolve({ keyFirstUse: false }) }, settings);
  const t0 = Date.UTC(2026, 11, 1);
  for (let i = 0; i < clients; i += 1) {
    const event = { time: new Date(t0 + i), type: 'token.granted', clientId: `client-${i}`, keyThumbprint: `thumbprint-${i}`, sourceAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
    rates.observe(event);
    await activity.observe(event);
    rates.observe({ time: new Date(t0 + i), type: 'token.refused', reason: 'jti_replayed', clientId: `client-${i}`, sourceAddress: `172.16.${(i >> 8) & 255}.${i & 255}:${i}` });
  }
  const mb = heapMb() - before;
  const tracked = rates.tracked().clients;
  // Keep both alive until measured.
  if (rates.tracked().clients < 0 || activity === undefined) throw new Error('unreachable');
  return { mb, tracked };
}

export async function run(): Promise<void> {
  const rows: string[] = [];
  for (const clients of [10_000, 100_000, 200_000]) {
    const { mb, tracked } = await measure(clients);
    rows.push(`| ${clients.toLocaleString('en')} | ${tracked.toLocaleString('en')} | ${mb.toFixed(1)} | ${((mb * 1024 * 1024) / Math.min(clients, tracked)).toFixed(0)} |`);
  }
  console.log('\n| clients seen | clients tracked | detector heap MB | bytes per tracked client |\n|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}
