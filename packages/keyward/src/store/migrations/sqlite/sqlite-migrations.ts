/**
 * The SQLite migrations, as a static kysely MigrationProvider (no folder scan: works from a bundle
 * and from TypeScript sources alike). Names sort in the order they run; never rename or remove one.
 */
import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial-schema.ts';
import { registrationLimits } from './0002-registration-limits.ts';
import { signingKeyActivation } from './0003-signing-key-activation.ts';
import { users } from './0004-users.ts';
import { authorizationCodeFlow } from './0005-authorization-code-flow.ts';
import { auditRequestId } from './0006-audit-request-id.ts';
import { alerts } from './0007-alerts.ts';
import { passkeyEnrolments } from './0008-passkey-enrolments.ts';
import { alertDeliveryLease } from './0009-alert-delivery-lease.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
  '0002-registration-limits': registrationLimits,
  '0003-signing-key-activation': signingKeyActivation,
  '0004-users': users,
  '0005-authorization-code-flow': authorizationCodeFlow,
  '0006-audit-request-id': auditRequestId,
  '0007-alerts': alerts,
  '0008-passkey-enrolments': passkeyEnrolments,
  '0009-alert-delivery-lease': alertDeliveryLease,
};

/** The provider handed to kysely's Migrator. */
export const sqliteMigrations: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
