/**
 * Opens the store a configuration names: PostgreSQL (`storage.databaseUrl`, with Redis for replay
 * when `storage.redisUrl` is set), else SQLite in `storage.dataDir` (`:memory:` for memory). The
 * server and the local CLI commands use this, so they act on the same data.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeywardConfig } from '../config/defaults.ts';
import type { Store } from '../store/contract.ts';

/**
 * Opens (and migrates) the configured store; `serving` for a server node (see
 * OpenStoreOptions.serving); `onWarning` receives the file-mode warnings (default: standard error).
 */
export async function openConfiguredStore(config: KeywardConfig, options: { serving?: boolean; onWarning?: (message: string) => void } = {}): Promise<Store> {
  const { dataDir, databaseUrl, redisUrl, keyPrefix } = config.storage;
  // Loaded on first use, so commands that never open a store do not load the database drivers.
  const { openStore } = await import('../store/index.ts');
  return openStore({ dataDir, ...(databaseUrl ? { databaseUrl } : {}), ...(redisUrl ? { redisUrl } : {}), keyPrefix, serving: options.serving === true, ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
}

/** Options every local CLI command takes to find the same data as the server. */
export interface LocalStoreOptions {
  readonly config?: string;
  readonly dataDir?: string;
}

/**
 * Loads the configuration (KEYWARD_CONFIG / `--config`, KEYWARD_* variables, `--data-dir`), opens
 * the store, runs `work`, and closes the store whatever happens. When the SQLite data directory did
 * not exist, says on standard error that a new one was created, and where: a command run in the
 * wrong directory would otherwise act on an empty registry nobody serves.
 */
export async function withConfiguredStore<T>(options: LocalStoreOptions, work: (store: Store, config: KeywardConfig) => Promise<T>): Promise<T> {
  const { loadConfig } = await import('./load-config.ts');
  const config = loadConfig({
    ...(options.config ? { configFile: options.config } : {}),
    ...(options.dataDir ? { overrides: { storage: { dataDir: options.dataDir } } } : {}),
  });
  const { dataDir, databaseUrl } = config.storage;
  const creates = (databaseUrl === undefined || databaseUrl === '') && dataDir !== ':memory:' && !existsSync(dataDir);
  const store = await openConfiguredStore(config);
  if (creates) {
    process.stderr.write(`keyward: created a new, empty data directory at ${resolve(dataDir)}; if your server keeps its data elsewhere, run this command there or set KEYWARD_DATA_DIR (or --data-dir)\n`);
  }
  try {
    return await work(store, config);
  } finally {
    await store.close();
  }
}
