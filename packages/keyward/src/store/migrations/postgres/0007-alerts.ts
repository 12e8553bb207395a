/**
 * PostgreSQL migration 0007: alerts and the per-client activity the anomaly detector compares against.
 *
 * - `alerts`: one row per alert, keyed by its stable id (derived from kind, subject and window, so
 *   every node raising the same anomaly writes the same row once). Dates are epoch milliseconds;
 *   `details` and `deliveries` (webhook delivery statuses) are JSONB. Indexed for the listing
 *   (newest first by `raised_at`, then `id`) with or without a state, kind or client filter.
 * - `client_activity`: first and last authenticated use of each client.
 * - `client_networks`: last use of each client from each source network (a /24 or /48).
 * - `client_key_uses`: first use of each client key (by RFC 7638 thumbprint).
 * - `clients.key_max_age_days`: a client's own key rotation age (the `key_age` alert), NULL for the
 *   server's `keys.maxAge`.
 *
 * No foreign keys to `clients`: an alert outlives the client it is about, and activity rows are
 * written on the token endpoint's path, where a client deleted a moment before must not fail a
 * write. Deleting a client (ClientStore.deleteClient) deletes its activity rows.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  sql`CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    client_id TEXT,
    key_thumbprint TEXT,
    source TEXT,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    observed DOUBLE PRECISION NOT NULL,
    expected DOUBLE PRECISION,
    first_event_at BIGINT NOT NULL,
    last_event_at BIGINT NOT NULL,
    details JSONB,
    state TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    deliveries JSONB NOT NULL
  )`,
  sql`CREATE INDEX alerts_raised ON alerts (raised_at DESC, id DESC)`,
  sql`CREATE INDEX alerts_state_raised ON alerts (state, raised_at DESC, id DESC)`,
  sql`CREATE INDEX alerts_kind_raised ON alerts (kind, raised_at DESC, id DESC)`,
  sql`CREATE INDEX alerts_client_raised ON alerts (client_id, raised_at DESC, id DESC)`,
  sql`CREATE TABLE client_activity (
    client_id TEXT PRIMARY KEY,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
  )`,
  sql`CREATE TABLE client_networks (
    client_id TEXT NOT NULL,
    network TEXT NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (client_id, network)
  )`,
  sql`CREATE TABLE client_key_uses (
    client_id TEXT NOT NULL,
    key_thumbprint TEXT NOT NULL,
    first_used_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, key_thumbprint)
  )`,
  sql`ALTER TABLE clients ADD COLUMN key_max_age_days INTEGER`,
];

export const alerts: Migration = {
  async up(db: Kysely<unknown>) {
    for (const statement of UP) await statement.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`ALTER TABLE clients DROP COLUMN key_max_age_days`.execute(db);
    for (const table of ['client_key_uses', 'client_networks', 'client_activity', 'alerts']) await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  },
};
