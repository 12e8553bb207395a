export { openPostgresStore, redactUrl, type PostgresStoreOptions } from './open-postgres-store.ts';
