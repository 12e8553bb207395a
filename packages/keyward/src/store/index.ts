export type * from './contract.ts';
export { openStore, SQLITE_FILE_NAME, type OpenStoreOptions } from './open-store.ts';
export { createMemoryStore } from './memory/index.ts';
export { openSqliteStore, SQLITE_BUSY_TIMEOUT_MS } from './sqlite/index.ts';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.ts';
