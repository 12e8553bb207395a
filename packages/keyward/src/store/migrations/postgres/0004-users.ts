/**
 * PostgreSQL migration 0004: end users, their passkeys and their sign-in sessions. `username_key` is
 * the lower-case username (unique: usernames are unique case-insensitively); dates are epoch
 * milliseconds, `auth_time` epoch seconds; `require_passkey` is a boolean; `amr` and `transports` are
 * JSONB. Sessions are keyed by the SHA-256 of their id, never the id itself.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const STATEMENTS = [
  sql`CREATE TABLE users (
    sub TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    name TEXT,
    email TEXT,
    status TEXT NOT NULL,
    require_passkey BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_sign_in_at BIGINT
  )`,
  sql`CREATE TABLE user_passkeys (
    credential_id TEXT PRIMARY KEY,
    sub TEXT NOT NULL REFERENCES users (sub) ON DELETE CASCADE,
    public_key TEXT NOT NULL,
    counter BIGINT NOT NULL,
    transports JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
  )`,
  sql`CREATE INDEX user_passkeys_sub ON user_passkeys (sub, created_at)`,
  sql`CREATE TABLE sign_in_sessions (
    id_hash TEXT PRIMARY KEY,
    sub TEXT NOT NULL REFERENCES users (sub) ON DELETE CASCADE,
    auth_time BIGINT NOT NULL,
    amr JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    idle_expires_at BIGINT NOT NULL,
    absolute_expires_at BIGINT NOT NULL
  )`,
  sql`CREATE INDEX sign_in_sessions_sub ON sign_in_sessions (sub)`,
  sql`CREATE INDEX sign_in_sessions_idle ON sign_in_sessions (idle_expires_at)`,
  sql`CREATE INDEX sign_in_sessions_absolute ON sign_in_sessions (absolute_expires_at)`,
];

export const users: Migration = {
  async up(db: Kysely<unknown>) {
    for (const statement of STATEMENTS) await statement.execute(db);
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['sign_in_sessions', 'user_passkeys', 'users']) await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  },
};
