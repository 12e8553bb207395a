/**
 * The SQLite store while another connection writes all the time (the other workers of
 * `serve --workers N`, a CLI command): its read-then-write transactions (update a client, a key or
 * a signing key, delete a client) take the write lock first (BEGIN IMMEDIATE) and so never fail. A deferred
 * transaction that read before another connection committed cannot upgrade to a writer: SQLite
 * answers SQLITE_BUSY at once, without waiting (WAL snapshot rule), and the admin API answered 500.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../packages/keyward/src/store/index.ts';
import { importPublicKeys } from '../../packages/core/src/keys/import-public-key.ts';
import { createClient, createRegistryContext } from '../../packages/keyward/src/server/services/registry/index.ts';
import { loadSigningKeys } from '../../packages/keyward/src/server/services/signing-keys.ts';

/** A thread that commits a small write on its own connection, over and over, until told to stop. */
const NOISE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const insert = db.prepare('INSERT INTO noise (v) VALUES (?)');
let stop = false;
parentPort.on('message', () => { stop = true; });
let n = 0;
const tick = () => {
  const until = Date.now() + 20;
  while (Date.now() < until) insert.run(n++);
  if (stop) { db.close(); parentPort.postMessage(n); } else setImmediate(tick);
};
parentPort.postMessage('started');
tick();
`;

test('read-then-write changes never fail while another connection commits continuously', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-writers-'));
  const path = join(dir, 'keyward.sqlite');
  const store = await openSqliteStore(path);
  try {
    const setup = new Database(path);
    setup.exec('CREATE TABLE noise (v INTEGER)');
    setup.close();
    const { client, keys } = await createClient(createRegistryContext(store), { actor: 'test',
      name: 'busy', keys: importPublicKeys(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), scopes: ['read'], accessTokenTtl: 300,
    });
    const thumbprint = keys[0]!.thumbprint;
    const signingKid = (await loadSigningKeys(store.signingKeys, { alg: 'ES256', refreshSeconds: 30 })).active().kid;
    const noise = new Worker(NOISE, { eval: true, workerData: { path, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
    await new Promise((resolve) => noise.once('message', resolve));
    const failures: string[] = [];
    const deadline = Date.now() + 2000;
    let changes = 0;
    for (let i = 0; Date.now() < deadline; i += 1) {
      try {
        await store.clients.updateClient(client.clientId, { name: `busy-${i}` });
        await store.clients.updateKey(client.clientId, thumbprint, { notAfter: new Date(Date.now() + 86_400_000 + i) });
        await store.signingKeys.updateSigningKey(signingKid, { state: 'published', retireAt: new Date(Date.now() + 86_400_000 + i) });
        changes += 3;
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    noise.postMessage('stop');
    const written = await new Promise<number>((resolve) => noise.once('message', resolve));
    await noise.terminate();
    assert.ok(written > 100, `the other connection committed ${written} writes meanwhile`);
    assert.ok(changes > 50, `${changes} changes made`);
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of ${changes + failures.length} changes failed`);
    // Deleting a client (keys first, then the client) is a read-then-write transaction too.
    assert.equal(await store.clients.deleteClient(client.clientId), true);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
