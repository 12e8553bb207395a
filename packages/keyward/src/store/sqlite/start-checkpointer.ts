/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses 1,000 WAL pages: it copies those pages into the database file and fsyncs it, blocking
 * the thread for milliseconds, and better-sqlite3 runs it on the thread that serves requests. Under
 * load that is the largest pause of the token endpoint (a measured 50-60 µs of blocked time per
 * request on average, in bursts of several ms).
 *
 * So the store turns the automatic checkpoint off on its own connection and runs PASSIVE
 * checkpoints every `intervalMs` in a worker thread (checkpoint-thread.mjs) with a connection of
 * its own. PASSIVE never waits for other connections; once a checkpoint has copied every frame, the
 * next writer starts the log from the beginning, so the WAL file stays small.
 *
 * If the thread cannot start or dies, the connection's automatic checkpoint is switched back on:
 * the log is then checkpointed as before, only on the request thread.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { packageModule } from '../../package-files.ts';

/** SQLite's default automatic checkpoint threshold, in pages. */
const AUTOCHECKPOINT_PAGES = 1000;

/** The running checkpointer of one connection. */
export interface Checkpointer {
  /** Runs one PASSIVE checkpoint now; resolves with SQLite's [busy, log, checkpointed] row (tests). */
  checkpointNow(): Promise<{ busy: number; log: number; checkpointed: number } | null>;
  /** Stops the thread after a last checkpoint. */
  close(): Promise<void>;
}

/** Starts checkpointing the database file `path` of `db` in a worker thread. */
export function startCheckpointer(db: BetterSqlite3.Database, path: string, intervalMs = 100): Checkpointer {
  const worker = new Worker(packageModule('store/sqlite/checkpoint-thread', '.mjs'), { workerData: { path, intervalMs } });
  worker.unref();
  let alive = true;
  db.pragma('wal_autocheckpoint = 0');
  const fallBack = (): void => {
    if (!alive) return;
    alive = false;
    if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  worker.once('error', fallBack);
  worker.once('exit', fallBack);
  const waiters: Array<(row: { busy: number; log: number; checkpointed: number } | null) => void> = [];
  worker.on('message', (message: { checkpointed?: { busy: number; log: number; checkpointed: number } | null }) => {
    if ('checkpointed' in message) waiters.shift()?.(message.checkpointed ?? null);
  });

  return {
    checkpointNow() {
      if (!alive) return Promise.resolve(null);
      return new Promise((resolve) => {
        waiters.push((row) => {
          if (waiters.length === 0) worker.unref();
          resolve(row);
        });
        worker.ref();
        worker.postMessage('checkpoint');
      });
    },
    async close() {
      if (!alive) return;
      alive = false;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.ref(); // keep the process alive until the last checkpoint is done
      worker.postMessage('close');
      await exited;
    },
  };
}
