/**
 * SQLite migration 0006: `audit_events.request_id`, the request an event happened in (the
 * caller's X-Request-Id, or the id the server gave it); NULL outside a request and for every event
 * recorded before this migration.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const auditRequestId: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`ALTER TABLE audit_events ADD COLUMN request_id TEXT`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`ALTER TABLE audit_events DROP COLUMN request_id`.execute(db);
  },
};
