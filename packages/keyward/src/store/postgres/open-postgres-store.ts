/**
 * The PostgreSQL Store (several nodes, one issuer): pg 8 pool + kysely PostgresDialect, schema from
 * migrations/postgres (run on open, under kysely's advisory lock).
 *
 * Replay: `INSERT ... ON CONFLICT (client_id, jti) DO UPDATE ... WHERE expired RETURNING` (see
 * sql/create-sql-replay-store.ts): one statement, atomic across connections and nodes. Use Redis for
 * the replay cache instead by passing `redisUrl` to openStore. Does NOT create the database.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Store } from '../contract.ts';
import { StoreError } from '../errors.ts';
import { postgresMigrations } from '../migrations/postgres/postgres-migrations.ts';
import { runMigrations } from '../migrations/run-migrations.ts';
import type { Database } from '../shared/schema.ts';
import {
  createSqlAlertStore, createSqlAuditStore, createSqlAuthorizationStore, createSqlClientStore, createSqlInitialAccessTokenStore, createSqlReplayStore, createSqlSigningKeyStore,
  createSqlTokenStore, createSqlSignInSessionStore, createSqlUserStore, type SqlContext,
} from '../sql/index.ts';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Maximum pool connections (default 10). */
  readonly maxConnections?: number;
  /** Milliseconds to wait for a connection (default 5000). */
  readonly connectionTimeoutMs?: number;
  /** Milliseconds to wait for a query's answer before failing it (default 10000). */
  readonly queryTimeoutMs?: number;
  /**
   * PostgreSQL schema holding Keyward's tables (default `public`); created if missing. Lets several
   * Keyward instances (or test runs) share one database.
   */
  readonly schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Connects to `databaseUrl`, checks the server answers, migrates, and returns the Store. */
export async function openPostgresStore(databaseUrl: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new TypeError(`schema must match ${SCHEMA_NAME} (lower-case letters, digits, underscores)`);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    // A query that gets no answer fails instead of holding a request for ever.
    query_timeout: options.queryTimeoutMs ?? 10_000,
    // Every connection resolves unqualified table names in our schema.
    ...(options.schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // A client losing its connection emits 'error': on the pool while idle, on the client itself while
  // checked out (a transaction between two statements). Without a listener either would crash the
  // process; the statement under way, or the next one on that client, fails and is answered 503.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (options.schema === undefined) await sql`SELECT 1`.execute(db);
    else await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db).catch((error: { code?: string }) => {
      // Two nodes creating the schema at once: the loser sees a duplicate; the schema exists either way.
      if (error.code !== '23505' && error.code !== '42P06') throw error;
    });
  } catch (error) {
    await db.destroy();
    throw new StoreError('unavailable', `cannot connect to PostgreSQL at ${redactUrl(databaseUrl)}: ${(error as Error).message}; check KEYWARD_DATABASE_URL and that the server runs`, { cause: error });
  }
  try {
    await runMigrations(db as Kysely<unknown>, postgresMigrations, redactUrl(databaseUrl), schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const context: SqlContext = { db, dialect: 'postgres' };
  let closed = false;
  return {
    clients: createSqlClientStore(context),
    signingKeys: createSqlSigningKeyStore(context),
    tokens: createSqlTokenStore(context),
    replay: createSqlReplayStore(context),
    audit: createSqlAuditStore(context),
    initialAccessTokens: createSqlInitialAccessTokenStore(context),
    users: createSqlUserStore(context),
    signInSessions: createSqlSignInSessionStore(context),
    authorizations: createSqlAuthorizationStore(context),
    alerts: createSqlAlertStore(context),
    async ping() {
      if (closed) return false;
      try {
        await sql`SELECT 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
