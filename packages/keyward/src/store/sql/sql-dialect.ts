/**
 * What the kysely-based port implementations need to know about the database under them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../shared/schema.ts';

/** The database behind a {@link SqlContext}. */
export type SqlDialectName = 'sqlite' | 'postgres';

export interface SqlContext {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialectName;
}

/** True when a driver error is a unique / primary key violation (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** True when a driver error is a foreign key violation (SQLite or PostgreSQL). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
