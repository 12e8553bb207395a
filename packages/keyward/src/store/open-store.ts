/**
 * Picks and opens the Store for a configuration (the same rules for the server and the CLI):
 *
 * 1. `databaseUrl` starting with `postgres://` or `postgresql://` → PostgreSQL for everything, and
 *    Redis for the replay cache when `redisUrl` is set.
 * 2. else `dataDir === ':memory:'` → the in-memory store (nothing survives the process).
 * 3. else SQLite, `<dataDir>/keyward.sqlite`; the directory is created with mode 0700 if missing,
 *    the database file (and so its WAL and SHM files) with mode 0600 (it holds the server's private
 *    signing keys); an existing directory or file readable by others is reported through
 *    `onWarning` with the chmod to run (sqlite/check-file-modes.ts).
 *
 * Migrations run on open. The PostgreSQL and Redis drivers are loaded only when used.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Store } from './contract.ts';
import { StoreError } from './errors.ts';
import { createMemoryStore } from './memory/create-memory-store.ts';
import { DATA_DIR_MODE, findReadableByOthers } from './sqlite/check-file-modes.ts';
import { openSqliteStore } from './sqlite/open-sqlite-store.ts';

export interface OpenStoreOptions {
  /** SQLite directory (KEYWARD_DATA_DIR), or `:memory:`. Default `./.keyward` (as in core/config/defaults.ts). */
  readonly dataDir?: string;
  /** PostgreSQL URL (KEYWARD_DATABASE_URL). */
  readonly databaseUrl?: string;
  /** Redis URL (KEYWARD_REDIS_URL): the replay cache when PostgreSQL is used. */
  readonly redisUrl?: string;
  /** Prefix of every Redis key (default `keyward:`). */
  readonly keyPrefix?: string;
  /** The store of a server under load: SQLite checkpoints the WAL in a worker thread (see sqlite/start-checkpointer.ts). */
  readonly serving?: boolean;
  /** Receives each warning line (a data directory or file readable by others); default: standard error. */
  readonly onWarning?: (message: string) => void;
}

/** The SQLite file name inside the data directory. */
export const SQLITE_FILE_NAME = 'keyward.sqlite';

/** Opens the Store the options describe (see the module comment). */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const { databaseUrl, redisUrl } = options;
  if (databaseUrl !== undefined && databaseUrl !== '') {
    if (!/^postgres(ql)?:\/\//i.test(databaseUrl)) {
      throw new StoreError('unavailable', 'KEYWARD_DATABASE_URL must start with postgres:// or postgresql://; leave it unset to use SQLite in KEYWARD_DATA_DIR');
    }
    const { openPostgresStore } = await import('./postgres/open-postgres-store.ts');
    const store = await openPostgresStore(databaseUrl);
    if (redisUrl === undefined || redisUrl === '') return store;
    const { openRedisReplay } = await import('./redis/open-redis-replay.ts');
    try {
      return await openRedisReplay(store, redisUrl, options.keyPrefix ?? 'keyward:');
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  const dataDir = options.dataDir ?? './.keyward';
  if (dataDir === ':memory:') return createMemoryStore();
  const dir = resolve(dataDir);
  const file = join(dir, SQLITE_FILE_NAME);
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`keyward: warning: ${message}\n`));
  for (const warning of findReadableByOthers([
    { path: dir, directory: true },
    ...[file, `${file}-wal`, `${file}-shm`].map((path) => ({ path, directory: false })),
  ])) warn(warning);
  try {
    mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE });
  } catch (error) {
    throw new StoreError('unavailable', `cannot create the data directory ${dir}: ${(error as Error).message}; set KEYWARD_DATA_DIR to a writable directory`, { cause: error });
  }
  return openSqliteStore(file, { checkpointInThread: options.serving === true });
}
