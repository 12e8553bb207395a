/**
 * PostgreSQL migration 0003: `signing_keys.activate_at`, the time (epoch milliseconds) a
 * pre-published signing key starts signing (`keyward keys rotate`); NULL for a key that signs from
 * its creation, as every key made before this migration.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const signingKeyActivation: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`ALTER TABLE signing_keys ADD COLUMN activate_at BIGINT`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`ALTER TABLE signing_keys DROP COLUMN activate_at`.execute(db);
  },
};
