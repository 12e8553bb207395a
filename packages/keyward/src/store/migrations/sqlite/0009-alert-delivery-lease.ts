/**
 * SQLite migration 0009: `alerts.delivery_lease_until` (epoch milliseconds), set while a webhook
 * delivery of the alert is pending: the node delivering it holds it until then, and past it any
 * node takes the delivery over (AlertStore.claimPendingDeliveries), so a delivery pending when its
 * node stopped is resumed. NULL when nothing is pending. Alerts stored with a pending delivery
 * before this migration are free to be taken at once (0).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const alertDeliveryLease: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`ALTER TABLE alerts ADD COLUMN delivery_lease_until INTEGER`.execute(db);
    await sql`CREATE INDEX alerts_delivery_lease ON alerts (delivery_lease_until) WHERE delivery_lease_until IS NOT NULL`.execute(db);
    await sql`UPDATE alerts SET delivery_lease_until = 0 WHERE deliveries LIKE '%"state":"pending"%'`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`DROP INDEX alerts_delivery_lease`.execute(db);
    await sql`ALTER TABLE alerts DROP COLUMN delivery_lease_until`.execute(db);
  },
};
