export { openSqliteStore, SQLITE_BUSY_TIMEOUT_MS } from './open-sqlite-store.ts';
