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

  const runBatch = db.transaction((jobs: Job[]) => {
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
  });

  const flush = (): void => {
    scheduled = false;
    while (queue.length > 0) {
      const jobs = queue.slice(0, maxBatch);
      queue = queue.slice(jobs.length);
      try {
        if (!db.open) throw new TypeError('the SQLite store is closed');
        runBatch.immediate(jobs);
      } catch (error) {
        for (const job of jobs) job.reject(error);
        continue;
      }
      for (const job of jobs) {
        if (job.ok) job.resolve(job.value);
        else job.reject(job.error);
      }
    }
  };

  return {
    enqueue: <T>(run: () => T) => new Promise<T>((resolve, reject) => {
      queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    }),
    flush,
  };
}
