import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, isStoreError, type Store } from '../../packages/keyward/src/store/index.ts';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { startServer } from '../../packages/keyward/src/server/main.ts';
import { createWriteBatcher } from '../../packages/keyward/src/store/sqlite/create-write-batcher.ts';
import { startCheckpointer } from '../../packages/keyward/src/store/sqlite/start-checkpointer.ts';

function withFile(fn: (path: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-batch-'));
    try {
      await fn(join(dir, 'keyward.sqlite'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const token = (jti: string) => ({
  jti, clientId: 'c', keyThumbprint: 'k', scope: 'read', audience: ['a'], issuedAt: 1, expiresAt: 2, revoked: false,
});

test('group commit: writes queued together share one transaction; a failing one rejects only its caller', withFile(async (path) => {
  const store = await openSqliteStore(path);
  try {
    await store.tokens.recordToken(token('dup'));
    const results = await Promise.allSettled([
      store.tokens.recordToken(token('a')),
      store.tokens.recordToken(token('dup')),
      store.replay.reserve('c', 'j', Math.floor(Date.now() / 1000) + 60),
      store.audit.appendAudit({ time: new Date(), type: 'x' }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.ok(isStoreError((results[1] as PromiseRejectedResult).reason, 'conflict'));
    assert.ok(await store.tokens.getToken('a'), 'the neighbour of a failed statement is committed');
    assert.equal((await store.audit.queryAudit({})).length, 1);
  } finally {
    await store.close();
  }
}));

test('group commit: a write has committed when its promise resolves (another connection sees it)', withFile(async (path) => {
  const store = await openSqliteStore(path);
  const other = new Database(path, { readonly: true });
  try {
    const exp = Math.floor(Date.now() / 1000) + 60;
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.replay.reserve('c', `j${i}`, exp)));
    assert.equal((other.prepare('SELECT COUNT(*) AS n FROM replay').get() as { n: number }).n, 20);
  } finally {
    other.close();
    await store.close();
  }
}));

test('group commit: close() commits writes still queued', withFile(async (path) => {
  const store = await openSqliteStore(path);
  const pending = store.audit.appendAudit({ time: new Date(), type: 'queued.before.close' });
  await store.close();
  await pending;
  const reopened = await openSqliteStore(path);
  assert.equal((await reopened.audit.queryAudit({ type: 'queued.before.close' })).length, 1);
  await reopened.close();
}));

test('group commit: a commit that fails rejects the whole batch and stores none of it', withFile(async (path) => {
  const db = new Database(path);
  db.exec('CREATE TABLE t (v INTEGER)');
  db.pragma('busy_timeout = 50');
  const locker = new Database(path);
  locker.exec('BEGIN IMMEDIATE'); // holds the write lock
  const batcher = createWriteBatcher(db);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const results = await Promise.allSettled([batcher.enqueue(() => insert.run(1)), batcher.enqueue(() => insert.run(2))]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  locker.exec('ROLLBACK');
  locker.close();
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 0);
  db.close();
}));

test('group commit: when SQLite rolls the transaction back mid-batch, the rest does not run and every caller is rejected', withFile(async (path) => {
  const db = new Database(path);
  db.exec('CREATE TABLE t (v INTEGER)');
  const batcher = createWriteBatcher(db);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const results = await Promise.allSettled([
    batcher.enqueue(() => insert.run(1)),
    // Stands in for SQLITE_FULL / SQLITE_IOERR, after which SQLite has rolled the transaction back.
    batcher.enqueue(() => {
      db.exec('ROLLBACK');
      throw new Error('disk I/O error');
    }),
    batcher.enqueue(() => insert.run(3)),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 0, 'nothing of the batch is stored');
  // The batcher keeps working afterwards.
  await batcher.enqueue(() => insert.run(4));
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 1);
  db.close();
}));

test('group commit: waiting for another connection\'s write lock does not block the thread, and the batch commits once the lock is free', withFile(async (path) => {
  const db = new Database(path);
  db.exec('CREATE TABLE t (v INTEGER)');
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 2000');
  const locker = new Database(path);
  locker.exec('BEGIN IMMEDIATE'); // another connection holds the write lock
  const batcher = createWriteBatcher(db);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const started = Date.now();
  const write = batcher.enqueue(() => insert.run(1));
  // SQLite's own busy handler would sleep in this thread until busy_timeout: this timer could not
  // run, the lock would never be released, and the write would fail after 2 s.
  setTimeout(() => locker.exec('COMMIT'), 50);
  await write;
  assert.ok(Date.now() - started < 1000, `committed ${Date.now() - started} ms after the lock was taken`);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 1);
  locker.close();
  db.close();
}));

/** Writes 200 token records in one commit (fewer WAL pages than SQLite's automatic threshold of 1,000) and says whether the database file grew within `waitMs`. */
async function checkpointedWithin(store: Store, path: string, waitMs: number): Promise<boolean> {
  const mainFileBefore = statSync(path).size;
  // Queued together: one group commit, far below the 1,000 pages of SQLite's automatic checkpoint.
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.tokens.recordToken(token(`wal-${i}-${'x'.repeat(200)}`))));
  assert.ok(statSync(`${path}-wal`).size > 0, 'the writes went to the WAL');
  const deadline = Date.now() + waitMs;
  while (statSync(path).size === mainFileBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return statSync(path).size > mainFileBefore;
}

test('a server\'s SQLite store checkpoints the WAL in a worker thread; its own connection never does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-wal-'));
  const server = await startServer(resolveConfig({ overrides: { server: { port: 0 }, storage: { dataDir: dir }, log: { level: 'silent' } } }));
  try {
    assert.ok(await checkpointedWithin(server.context.store, join(dir, 'keyward.sqlite'), 5000), 'the checkpoint thread copied the WAL into the database file');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  // The connection of a checkpointed store has its automatic checkpoint off.
  await withFile(async (path) => {
    const db = new Database(path);
    const checkpointer = startCheckpointer(db, path);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    await checkpointer.close();
    db.close();
  })();
});

test('a short-lived SQLite store (CLI commands) starts no checkpoint thread: SQLite checkpoints as usual', withFile(async (path) => {
  const store = await openSqliteStore(path);
  try {
    assert.equal(await checkpointedWithin(store, path, 500), false);
  } finally {
    await store.close();
  }
}));
