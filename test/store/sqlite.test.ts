import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { openSqliteStore, openStore, isStoreError, SQLITE_FILE_NAME } from '../../packages/keyward/src/store/index.ts';
import { makeClient, makeKey, runStoreContract } from './contract-suite.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'keyward-store-'));
}

runStoreContract('sqlite', async () => {
  const dir = tempDir();
  const path = join(dir, 'keyward.sqlite');
  const store = await openSqliteStore(path);
  return {
    store,
    openPeer: () => openSqliteStore(path),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

test('sqlite: the replay race across 3 worker threads (own connections), exactly one of 50 wins', async () => {
  const dir = tempDir();
  const path = join(dir, 'keyward.sqlite');
  // The workers open the new file at the same moment: this also proves they take turns migrating it.
  let store: Awaited<ReturnType<typeof openSqliteStore>> | undefined;
  try {
    const jti = `race-${randomUUID()}`;
    const barrier = new SharedArrayBuffer(8);
    const flag = new Int32Array(barrier);
    const counts = [17, 17, 16];
    const workers = counts.map((count) => new Worker(new URL('./fixtures/sqlite-reserve-worker.mjs', import.meta.url), {
      workerData: { path, jti, count, barrier },
    }));
    let failure: unknown;
    const results = workers.map((w) => new Promise<number>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', (error) => {
        failure = error;
        reject(error);
      });
    }));
    results.forEach((p) => p.catch(() => {}));
    const deadline = Date.now() + 30_000;
    while (Atomics.load(flag, 1) < workers.length) {
      if (failure) throw failure;
      assert.ok(Date.now() < deadline, 'workers did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const wins = await Promise.all(results);
    assert.equal(wins.reduce((a, b) => a + b, 0), 1, `wins per worker: ${wins.join(', ')}`);
    store = await openSqliteStore(path);
    assert.equal(await store.replay.reserve('racer', jti, Math.floor(Date.now() / 1000) + 300), false);
  } finally {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: four Stores opening a new file at once migrate it once, all usable', async () => {
  const dir = tempDir();
  const path = join(dir, 'keyward.sqlite');
  try {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openSqliteStore(path)));
    await stores[0]?.clients.createClient(makeClient('seen-by-all'));
    for (const store of stores) assert.ok(await store.clients.getClient('seen-by-all'));
    await Promise.all(stores.map((s) => s.close()));
    const check = new Database(path, { readonly: true });
    assert.deepEqual(check.prepare('SELECT name FROM keyward_migration').all(), [{ name: '0001-initial-schema' }, { name: '0002-registration-limits' }, { name: '0003-signing-key-activation' }, { name: '0005-authorization-code-flow' }], 'each migration recorded once');
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: data survives close and reopen', async () => {
  const dir = tempDir();
  const path = join(dir, 'keyward.sqlite');
  try {
    const first = await openSqliteStore(path);
    await first.clients.createClient(makeClient('persist'));
    await first.clients.addKey(makeKey('persist', 1));
    await first.replay.reserve('persist', 'j1', Math.floor(Date.now() / 1000) + 300);
    await first.audit.appendAudit({ time: new Date(), type: 'client.created', clientId: 'persist' });
    await first.close();
    assert.equal(await first.ping(), false);

    const second = await openSqliteStore(path);
    assert.deepEqual(await second.clients.getClient('persist'), makeClient('persist'));
    assert.deepEqual(await second.clients.listKeys('persist'), [makeKey('persist', 1)]);
    assert.equal(await second.replay.reserve('persist', 'j1', Math.floor(Date.now() / 1000) + 300), false, 'a reservation survives a restart');
    assert.equal((await second.audit.queryAudit({ clientId: 'persist' })).length, 1);
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: settings are WAL, busy_timeout, synchronous NORMAL, foreign keys on', async () => {
  const dir = tempDir();
  const path = join(dir, 'keyward.sqlite');
  try {
    const store = await openSqliteStore(path);
    const other = new Database(path, { readonly: true });
    assert.equal(other.pragma('journal_mode', { simple: true }), 'wal');
    other.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a file that is not a database gives a clear StoreError, not a crash', async () => {
  const dir = tempDir();
  const path = join(dir, 'keyward.sqlite');
  try {
    writeFileSync(path, 'this is not a database at all, just text. '.repeat(200));
    await assert.rejects(openSqliteStore(path), (error) => {
      assert.ok(isStoreError(error, 'corrupt'), String(error));
      assert.match(error.message, /not a SQLite database or is damaged/);
      assert.match(error.message, /move the file away/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: another application\'s SQLite database is refused and left untouched', async () => {
  const dir = tempDir();
  const path = join(dir, 'keyward.sqlite');
  try {
    const foreign = new Database(path);
    foreign.exec("CREATE TABLE clients (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO clients (email) VALUES ('a@b')");
    foreign.close();
    await assert.rejects(openSqliteStore(path), (error) => {
      assert.ok(isStoreError(error, 'corrupt'), String(error));
      assert.match(error.message, /another application/);
      assert.match(error.message, /KEYWARD_DATA_DIR/);
      return true;
    });
    const check = new Database(path, { readonly: true });
    assert.deepEqual(check.prepare('SELECT email FROM clients').all(), [{ email: 'a@b' }]);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a database written by a newer Keyward (unknown migration) is refused with the fix', async () => {
  const dir = tempDir();
  const path = join(dir, 'keyward.sqlite');
  try {
    await (await openSqliteStore(path)).close();
    const db = new Database(path);
    db.prepare('INSERT INTO keyward_migration (name, timestamp) VALUES (?, ?)').run('9999-from-the-future', new Date().toISOString());
    db.close();
    await assert.rejects(openSqliteStore(path), (error) => {
      assert.ok(isStoreError(error, 'corrupt'), String(error));
      assert.match(error.message, /newer Keyward/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore: creates the data directory with mode 0700 and keyward.sqlite inside', async () => {
  const parent = tempDir();
  const dataDir = join(parent, 'nested', 'data');
  try {
    const store = await openStore({ dataDir });
    await store.clients.createClient(makeClient('x'));
    await store.close();
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.ok(statSync(join(dataDir, SQLITE_FILE_NAME)).isFile());
    const again = await openStore({ dataDir });
    assert.ok(await again.clients.getClient('x'));
    await again.close();
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('openStore: a database URL that is not PostgreSQL is refused with the fix', async () => {
  await assert.rejects(openStore({ databaseUrl: 'mysql://root@127.0.0.1/keyward' }), (error) => {
    assert.ok(isStoreError(error, 'unavailable'));
    assert.match(error.message, /postgres:\/\//);
    return true;
  });
});
