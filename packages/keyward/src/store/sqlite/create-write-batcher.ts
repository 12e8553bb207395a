/**
 * Group commit for the SQLite hot path. Writes queued in the same turn of the event loop run in one
 * `BEGIN IMMEDIATE` transaction at the next `setImmediate`, and each caller's promise settles only
 * after that transaction has committed: a resolved write is as durable as an unbatched one.
 *
 * Why: each SQLite commit costs far more than the INSERT itself (WAL frame, lock, checkpoint
 * accounting). Under load the token endpoint has many requests in flight, so one commit carries the
 * replay reservations, token records and audit events of all of them.
 *
 * A failing statement (say a duplicate jti) rejects only its own caller: SQLite aborts that
 * statement, not the transaction, and the others still commit (unless the error made SQLite roll
 * the transaction back, in which case the whole batch is rejected). If the commit itself fails (the
 * write lock stayed busy past busy_timeout), every caller of the batch is rejected and nothing of it
 * is stored. Does NOT batch reads, and does NOT reorder writes: they run in the order queued.
 *
 * Waiting for another process's write lock (the workers of `keyward serve --workers N` share one
 * file) never blocks the thread: the batch takes the lock with `BEGIN IMMEDIATE` without SQLite's
 * busy handler (which sleeps in the thread, stalling every request of the process), and when the
 * lock is taken it tries again on a later turn of the event loop, meanwhile serving other requests
 * (whose writes join the batch). After the connection's `busy_timeout` without the lock, the batch
 * is rejected as before.
 */
import type BetterSqlite3 from 'better-sqlite3';

interface Job {
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  ok?: boolean;
  value?: unknown;
  error?: unknown;
}

export interface WriteBatcher {
  /** Queues a synchronous write; resolves with its result after the batch commits. */
  enqueue<T>(run: () => T): Promise<T>;
  /** Commits what is queued now (call before closing the connection). */
  flush(): void;
}

/** Creates the batcher of one connection. `maxBatch` caps the statements per transaction. */
export function createWriteBatcher(db: BetterSqlite3.Database, maxBatch = 512): WriteBatcher {
  let queue: Job[] = [];
  let scheduled = false;
  /** When the current batch first found the write lock taken (0: it did not). */
  let busySince = 0;
  const busyTimeoutMs = Number(db.pragma('busy_timeout', { simple: true })) || 0;
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');

  /** Takes the write lock without waiting; false when another connection holds it. */
  const tryBegin = (): boolean => {
    // Not a prepared statement: SQLite applies `PRAGMA busy_timeout` when the statement is compiled.
    db.pragma('busy_timeout = 0');
    try {
      begin.run();
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    } finally {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    }
  };

  const runJobs = (jobs: Job[]): void => {
    for (const job of jobs) {
      try {
        job.value = job.run();
        job.ok = true;
      } catch (error) {
        job.error = error;
        job.ok = false;
        // Some errors (disk full, I/O error) make SQLite roll the whole transaction back: stop here,
        // so that the rest of the batch does not run outside a transaction; every caller is rejected.
        if (!db.inTransaction) throw error;
      }
    }
  };

  /** Runs `jobs` in one transaction; false (nothing run) when the write lock is taken. */
  const runBatch = (jobs: Job[], mayWait: boolean): boolean => {
    if (!db.open) throw new TypeError('the SQLite store is closed');
    if (mayWait) begin.run(); // close(): wait for the lock in the thread, up to busy_timeout
    else if (!tryBegin()) return false;
    try {
      runJobs(jobs);
      commit.run();
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
    return true;
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    // Lock taken: retry in a millisecond (meanwhile this thread serves other requests, whose
    // writes join the batch), not on the next turn, which would spin on the lock.
    if (busySince !== 0) setTimeout(() => flush(false), 1);
    else setImmediate(() => flush(false));
  };

  const flush = (mayWait: boolean): void => {
    scheduled = false;
    while (queue.length > 0) {
      const jobs = queue.slice(0, maxBatch);
      try {
        if (!runBatch(jobs, mayWait)) {
          if (busySince === 0) busySince = Date.now();
          if (Date.now() - busySince < busyTimeoutMs) {
            schedule();
            return;
          }
          const error = Object.assign(new Error(`database is locked (another process held the write lock for more than ${busyTimeoutMs} ms)`), { code: 'SQLITE_BUSY' });
          throw error;
        }
      } catch (error) {
        queue = queue.slice(jobs.length);
        busySince = 0;
        for (const job of jobs) job.reject(error);
        continue;
      }
      queue = queue.slice(jobs.length);
      busySince = 0;
      for (const job of jobs) {
        if (job.ok) job.resolve(job.value);
        else job.reject(job.error);
      }
    }
  };

  return {
    enqueue: <T>(run: () => T) => new Promise<T>((resolve, reject) => {
      queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      schedule();
    }),
    flush: () => flush(true),
  };
}
