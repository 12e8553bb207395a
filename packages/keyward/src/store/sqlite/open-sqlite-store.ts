/**
 * The embedded default Store: one SQLite file through better-sqlite3, WAL mode.
 *
 * - Pragmas: `journal_mode=WAL` (readers never block the writer), `busy_timeout=5000` (a second
 *   process waits for the write lock instead of failing), `synchronous=NORMAL` (durable at each WAL
 *   checkpoint; a power cut can lose the last transactions, never corrupt the file),
 *   `foreign_keys=ON`.
 * - Schema through kysely's Migrator (migrations/sqlite, static provider), run on open.
 * - Hot calls of the token endpoint (replay.reserve, tokens.recordToken, audit.appendAudit,
 *   clients.getClient, clients.listKeys) use prepared better-sqlite3 statements directly; the three
 *   writes are group-committed (create-write-batcher.ts: one transaction per event-loop turn,
 *   promises settle after the commit). The rest goes through kysely on the same connection.
 * - For a server (`checkpointInThread`), WAL checkpoints run in a worker thread with its own
 *   connection (start-checkpointer.ts), never inside a request's COMMIT.
 *   Multi-statement changes run in synchronous better-sqlite3 transactions.
 *
 * Several Store instances (threads, processes) may open the same file: the replay reservation is
 * one INSERT ... ON CONFLICT statement, atomic in SQLite. Creates a missing database file with mode
 * 0600 (check-file-modes.ts). Does NOT create the parent directory (openStore does, mode 0700).
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { AuditEvent, IssuedTokenRecord, Store } from '../contract.ts';
import { StoreError } from '../errors.ts';
import { sqliteMigrations } from '../migrations/sqlite/sqlite-migrations.ts';
import { runMigrations } from '../migrations/run-migrations.ts';
import { applySigningKeyPatch, resolveReplayExpiry } from '../shared/patches.ts';
import { fromSigningKeyRow, toAuditRow, toSigningKeyRow, toTokenRow, type LooseRow } from '../shared/rows.ts';
import type { Database as Schema, SigningKeysTable } from '../shared/schema.ts';
import {
  createSqlAlertStore, createSqlAuditStore, createSqlAuthorizationStore, createSqlClientStore, createSqlInitialAccessTokenStore, createSqlSigningKeyStore, createSqlTokenStore,
  createSqlSignInSessionStore, createSqlUserStore, isUniqueViolation, type SqlContext,
} from '../sql/index.ts';
import { createPrivateFile } from './check-file-modes.ts';
import { createSqliteActivityRecorder } from './create-sqlite-activity-recorder.ts';
import { createSqliteClientStore } from './create-sqlite-client-store.ts';
import { createWriteBatcher } from './create-write-batcher.ts';
import { startCheckpointer } from './start-checkpointer.ts';

/** Milliseconds a connection waits for another's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

function openConnection(path: string): Database.Database {
  let db: Database.Database;
  try {
    // Created 0600 before the driver opens it (else the umask decides, often 0644); SQLite gives
    // the WAL and SHM files the database file's mode.
    if (path !== ':memory:') createPrivateFile(path);
    db = new Database(path, { fileMustExist: false });
  } catch (error) {
    throw new StoreError('unavailable', `cannot open the SQLite database ${path}: ${(error as Error).message}; check that the directory exists and is writable (KEYWARD_DATA_DIR)`, { cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get(); // reads the header: a damaged file fails here
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError('corrupt', `${path} is not a SQLite database or is damaged (${code}); move the file away (or restore a backup) and start again`, { cause: error });
    }
    throw new StoreError('unavailable', `cannot use the SQLite database ${path}: ${(error as Error).message}`, { cause: error });
  }
  return db;
}

/** Refuses a database that has tables but no Keyward migration table: another application's. */
function checkOwnedByKeyward(db: Database.Database, path: string): void {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[])
    .map((t) => t.name);
  if (tables.length > 0 && !tables.includes('keyward_migration')) {
    throw new StoreError('corrupt', `${path} is a SQLite database of another application (tables: ${tables.slice(0, 5).join(', ')}); point KEYWARD_DATA_DIR at a directory of its own`);
  }
}

/**
 * Checks ownership and migrates inside one `BEGIN IMMEDIATE` transaction on this connection (kysely
 * does not wrap SQLite migrations in a transaction itself): processes opening a new file at the same
 * moment take turns, and a migration interrupted half-way leaves nothing behind.
 */
async function migrateExclusively(db: Database.Database, kysely: Kysely<Schema>, path: string): Promise<void> {
  // Poll for the write lock without blocking the thread (another Store of this very process may be
  // the one migrating, and it needs the event loop to finish).
  db.pragma('busy_timeout = 0');
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.exec('BEGIN IMMEDIATE');
      break;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'SQLITE_BUSY' || Date.now() > deadline) {
        db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
        throw new StoreError('unavailable', `${path} stayed locked by another process for ${SQLITE_BUSY_TIMEOUT_MS} ms; retry, or stop the process holding it`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    }
  }
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  try {
    checkOwnedByKeyward(db, path);
    await runMigrations(kysely as Kysely<unknown>, sqliteMigrations, path);
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Options of {@link openSqliteStore}. */
export interface OpenSqliteStoreOptions {
  /**
   * Run WAL checkpoints in a worker thread instead of inside a COMMIT (start-checkpointer.ts). For a
   * server under load; a short-lived store (a CLI command) would only pay the thread's start-up.
   */
  readonly checkpointInThread?: boolean;
}

/** Opens (creating if needed) and migrates the SQLite Store at `path` (`:memory:` for a private in-memory database). */
export async function openSqliteStore(path: string, options: OpenSqliteStoreOptions = {}): Promise<Store> {
  const db = openConnection(path);
  const kysely = new Kysely<Schema>({ dialect: new SqliteDialect({ database: db }) });
  try {
    await migrateExclusively(db, kysely, path);
  } catch (error) {
    await kysely.destroy();
    if (db.open) db.close();
    throw error;
  }
  const context: SqlContext = { db: kysely, dialect: 'sqlite' };
  const sqlAudit = createSqlAuditStore(context);

  // Hot path: prepared statements, called synchronously.
  // RFC 7523 §3 (7): one INSERT decides; `changes === 1` when the pair was free or its reservation expired.
  const reserveStatement = db.prepare(`INSERT INTO replay (client_id, jti, expires_at) VALUES (?, ?, ?)
    ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at WHERE replay.expires_at < ?`);
  const purgeReplayStatement = db.prepare('DELETE FROM replay WHERE expires_at < ?');
  const insertTokenStatement = db.prepare(`INSERT INTO issued_tokens (jti, client_id, key_thumbprint, scope, audience, issued_at, expires_at, revoked, grant_id)
    VALUES (@jti, @client_id, @key_thumbprint, @scope, @audience, @issued_at, @expires_at, @revoked, @grant_id)`);
  const insertAuditStatement = db.prepare(`INSERT INTO audit_events (time, type, client_id, key_thumbprint, reason, source_address, actor, request_id, details)
    VALUES (@time, @type, @client_id, @key_thumbprint, @reason, @source_address, @actor, @request_id, @details)`);
  const selectSigningKey = db.prepare('SELECT * FROM signing_keys WHERE kid = ?');
  const updateSigningKeyRow = db.prepare('UPDATE signing_keys SET state = ?, retire_at = ?, activate_at = ?, private_jwk = ? WHERE kid = ?');
  const updateSigningKeyState = db.transaction((kid: string, patch: Parameters<Store['signingKeys']['updateSigningKey']>[1]) => {
    const row = selectSigningKey.get(kid) as LooseRow<SigningKeysTable> | undefined;
    if (!row) return;
    const next = toSigningKeyRow(applySigningKeyPatch(fromSigningKeyRow(row), patch));
    updateSigningKeyRow.run(next.state, next.retire_at, next.activate_at, next.private_jwk, kid);
  });

  // The three writes of every token request are group-committed (see create-write-batcher.ts).
  const batcher = createWriteBatcher(db);
  // WAL checkpoints in a thread of their own, not inside a request's COMMIT (start-checkpointer.ts).
  const checkpointer = options.checkpointInThread === true && path !== ':memory:' ? startCheckpointer(db, path) : undefined;
  const sqlTokens = createSqlTokenStore(context);
  const sqlSigningKeys = createSqlSigningKeyStore(context);
  let closed = false;

  return {
    clients: createSqliteClientStore(db, createSqlClientStore(context).listClients),
    signingKeys: {
      addSigningKey: sqlSigningKeys.addSigningKey,
      listSigningKeys: sqlSigningKeys.listSigningKeys,
      async updateSigningKey(kid, patch) {
        // Read-then-write: the write lock first (see create-sqlite-client-store.ts).
        updateSigningKeyState.immediate(kid, patch);
      },
    },
    tokens: {
      ...sqlTokens,
      async recordToken(token: IssuedTokenRecord) {
        const row = toTokenRow(token);
        try {
          await batcher.enqueue(() => insertTokenStatement.run(row));
        } catch (error) {
          if (isUniqueViolation(error)) throw new StoreError('conflict', `an access token with jti ${token.jti} is already recorded`, { cause: error });
          throw error;
        }
      },
    },
    replay: {
      async reserve(clientId, jti, expiresAt) {
        const now = Date.now() / 1000;
        const result = await batcher.enqueue(() => reserveStatement.run(clientId, jti, resolveReplayExpiry(expiresAt, now), Math.floor(now)));
        return result.changes === 1;
      },
      async purgeExpired(nowSeconds) {
        return purgeReplayStatement.run(Math.floor(nowSeconds)).changes;
      },
    },
    audit: {
      async appendAudit(event: AuditEvent) {
        const row = toAuditRow(event);
        await batcher.enqueue(() => insertAuditStatement.run(row));
      },
      queryAudit: sqlAudit.queryAudit,
      purgeAuditBefore: sqlAudit.purgeAuditBefore,
    },
    initialAccessTokens: createSqlInitialAccessTokenStore(context),
    users: createSqlUserStore(context),
    signInSessions: createSqlSignInSessionStore(context),
    authorizations: createSqlAuthorizationStore(context),
    // Read-then-write on the token endpoint's path: group-committed on this connection instead.
    alerts: { ...createSqlAlertStore(context), recordClientActivity: createSqliteActivityRecorder(db, batcher) },
    async ping() {
      if (closed || !db.open) return false;
      try {
        db.prepare('SELECT 1').get();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      batcher.flush();
      await checkpointer?.close();
      await kysely.destroy();
      if (db.open) db.close();
    },
  };
}
