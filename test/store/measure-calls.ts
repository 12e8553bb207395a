/**
 * Measures the per-call cost of the token endpoint's hot store calls on each adapter (a script, not
 * a test: `node --import ./scripts/register-sources.mjs test/store/measure-calls.ts [iterations]`). Calls run one at a time, as
 * the token endpoint awaits each; a "request" is the store work of one token request: getClient,
 * listKeys, one replay reservation, one issued-token insert, one audit insert (1 or 16 in flight). PostgreSQL and Redis are measured
 * when they answer on 127.0.0.1. docs/storage.md quotes the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../packages/keyward/src/store/contract.ts';
import { createMemoryStore, openSqliteStore } from '../../packages/keyward/src/store/index.ts';
import { openPostgresStore } from '../../packages/keyward/src/store/postgres/index.ts';
import { openRedisReplay } from '../../packages/keyward/src/store/redis/index.ts';
import { makeClient, makeKey } from './contract-suite.ts';
import { checkPostgres, checkRedis, createTestPrefix, REDIS_URL, shareTestDatabase } from './services.ts';

const iterations = Number(process.argv[2] ?? 5000);

async function time(label: string, n: number, fn: (i: number) => Promise<unknown>, callsPerIteration = 1): Promise<void> {
  for (let i = 0; i < Math.min(200, n); i += 1) await fn(-1 - i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) await fn(i);
  const perCallUs = Number(process.hrtime.bigint() - start) / 1000 / (n * callsPerIteration);
  console.log(`  ${label.padEnd(34)} ${perCallUs.toFixed(1).padStart(8)} µs/call ${Math.round(1e6 / perCallUs).toString().padStart(9)} calls/s`);
}

async function measure(name: string, store: Store, n: number): Promise<void> {
  console.log(`${name} (${n} calls each)`);
  await store.clients.createClient(makeClient('bench'));
  await store.clients.addKey(makeKey('bench', 1));
  await store.clients.addKey(makeKey('bench', 2));
  const exp = Math.floor(Date.now() / 1000) + 300;
  const run = `${Date.now()}`;
  await time('replay.reserve', n, (i) => store.replay.reserve('bench', `r-${run}-${i}`, exp));
  await time('tokens.recordToken', n, (i) => store.tokens.recordToken({
    jti: `t-${run}-${i}`, clientId: 'bench', keyThumbprint: 'k', scope: 'read', audience: ['https://api.example'], issuedAt: exp - 300, expiresAt: exp, revoked: false,
  }));
  await time('audit.appendAudit', n, (i) => store.audit.appendAudit({
    time: new Date(), type: 'token.granted', clientId: 'bench', keyThumbprint: 'k', sourceAddress: '127.0.0.1', details: { i },
  }));
  await time('clients.getClient', n, () => store.clients.getClient('bench'));
  await time('clients.listKeys (2 keys)', n, () => store.clients.listKeys('bench'));
  const request = async (id: string) => {
    await store.clients.getClient('bench');
    await store.clients.listKeys('bench');
    await store.replay.reserve('bench', `q-${id}`, exp);
    await store.tokens.recordToken({ jti: `u-${id}`, clientId: 'bench', keyThumbprint: 'k', scope: 'read', audience: ['a'], issuedAt: exp - 300, expiresAt: exp, revoked: false });
    await store.audit.appendAudit({ time: new Date(), type: 'token.granted', clientId: 'bench' });
  };
  await time('request, 1 in flight', n, (i) => request(`${run}-${i}`));
  // 16 requests in flight, as under the token endpoint benchmark (16 connections).
  await time('request, 16 in flight (per request)', Math.ceil(n / 16), (i) =>
    Promise.all(Array.from({ length: 16 }, (_, k) => request(`${run}-c${i}-${k}`))), 16);
}

const memory = createMemoryStore();
await measure('memory', memory, iterations);
await memory.close();

const dir = mkdtempSync(join(tmpdir(), 'keyward-measure-'));
const sqlite = await openSqliteStore(join(dir, 'keyward.sqlite'));
await measure('sqlite (WAL, synchronous=NORMAL, prepared statements)', sqlite, iterations);
await sqlite.close();
rmSync(dir, { recursive: true, force: true });

if ((await checkPostgres()) === undefined) {
  const shared = shareTestDatabase();
  const { schema } = shared.newSchema();
  const pg = await openPostgresStore(await shared.url(), { schema });
  await measure('postgres (one node, pool of 10, default synchronous_commit)', pg, Math.ceil(iterations / 5));
  await pg.close();
  if ((await checkRedis()) === undefined) {
    const { prefix, removeKeys } = createTestPrefix();
    const combined = await openRedisReplay(await openPostgresStore(await shared.url(), { schema }), REDIS_URL, prefix);
    console.log('redis replay (postgres for the rest)');
    const exp = Math.floor(Date.now() / 1000) + 300;
    await time('replay.reserve', iterations, (i) => combined.replay.reserve('bench', `redis-${i}`, exp));
    await combined.close();
    await removeKeys();
  }
  await shared.drop();
} else {
  console.log('postgres: not answering on 127.0.0.1:5432, skipped');
}
