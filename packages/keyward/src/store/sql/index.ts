export { createSqlClientStore } from './create-sql-client-store.ts';
export { createSqlSigningKeyStore } from './create-sql-signing-key-store.ts';
export { createSqlTokenStore } from './create-sql-token-store.ts';
export { createSqlReplayStore } from './create-sql-replay-store.ts';
export { createSqlAuditStore } from './create-sql-audit-store.ts';
export { createSqlAuthorizationStore } from './create-sql-authorization-store.ts';
export { createSqlInitialAccessTokenStore } from './create-sql-initial-access-token-store.ts';
export { isForeignKeyViolation, isUniqueViolation, type SqlContext, type SqlDialectName } from './sql-dialect.ts';
