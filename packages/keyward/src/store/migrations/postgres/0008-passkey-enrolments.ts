/**
 * PostgreSQL migration 0008: `passkey_enrolments`, the single-use links that let a user
 * register a passkey without signing in (`keyward users passkey-link`). Only the SHA-256 of the
 * link's secret is kept; a row is removed with its user.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const passkeyEnrolments: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`CREATE TABLE passkey_enrolments (
      token_hash TEXT PRIMARY KEY,
      sub TEXT NOT NULL REFERENCES users (sub) ON DELETE CASCADE,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      used SMALLINT NOT NULL DEFAULT 0
    )`.execute(db);
    await sql`CREATE INDEX passkey_enrolments_sub ON passkey_enrolments (sub)`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP TABLE passkey_enrolments`.execute(db);
  },
};
