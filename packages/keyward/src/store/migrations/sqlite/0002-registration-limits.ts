/**
 * SQLite migration 0002: `clients.registration_limits`, the privilege ceiling of a dynamically
 * registered client (JSON text of RegistrationLimits; NULL for clients the admin registered, and for
 * dynamic clients registered before this migration, whose ceiling is then what they hold).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const registrationLimits: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`ALTER TABLE clients ADD COLUMN registration_limits TEXT`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`ALTER TABLE clients DROP COLUMN registration_limits`.execute(db);
  },
};
