/**
 * PostgreSQL migration 0005: the authorization-code flow (RFC 6749 §4.1, FAPI 2.0).
 *
 * - `clients`: redirect_uris, post_logout_redirect_uris, response_types (JSONB),
 *   id_token_signed_response_alg, require_pushed_authorization_requests (boolean), consent. NULL for
 *   clients registered before: no redirect URI, no authorization endpoint.
 * - `issued_tokens.grant_id`: the authorization grant a token was issued under (code reuse and
 *   refresh-token reuse revoke by it).
 * - `authorization_requests` (pushed and pending requests), `authorization_codes` and
 *   `refresh_tokens` (SHA-256 hashes only, never the secret), `consent_grants` per (sub, client).
 */
import { sql, type Kysely, type Migration } from 'kysely';

const UP = [
  sql`ALTER TABLE clients ADD COLUMN redirect_uris JSONB`,
  sql`ALTER TABLE clients ADD COLUMN post_logout_redirect_uris JSONB`,
  sql`ALTER TABLE clients ADD COLUMN response_types JSONB`,
  sql`ALTER TABLE clients ADD COLUMN id_token_signed_response_alg TEXT`,
  sql`ALTER TABLE clients ADD COLUMN require_pushed_authorization_requests BOOLEAN`,
  sql`ALTER TABLE clients ADD COLUMN consent TEXT`,
  sql`ALTER TABLE issued_tokens ADD COLUMN grant_id TEXT`,
  sql`CREATE INDEX issued_tokens_grant_id ON issued_tokens (grant_id)`,
  sql`CREATE TABLE authorization_requests (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    request JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
  )`,
  sql`CREATE INDEX authorization_requests_expires_at ON authorization_requests (expires_at)`,
  sql`CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    payload JSONB NOT NULL,
    expires_at BIGINT NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
  )`,
  sql`CREATE INDEX authorization_codes_expires_at ON authorization_codes (expires_at)`,
  sql`CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    sub TEXT NOT NULL,
    payload JSONB NOT NULL,
    expires_at BIGINT NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
  )`,
  sql`CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id)`,
  sql`CREATE INDEX refresh_tokens_sub_client ON refresh_tokens (sub, client_id)`,
  sql`CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at)`,
  sql`CREATE TABLE consent_grants (
    sub TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scopes JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (sub, client_id)
  )`,
];

export const authorizationCodeFlow: Migration = {
  async up(db: Kysely<unknown>) {
    for (const statement of UP) await statement.execute(db);
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['consent_grants', 'refresh_tokens', 'authorization_codes', 'authorization_requests']) {
      await sql`DROP TABLE ${sql.table(table)}`.execute(db);
    }
    await sql`DROP INDEX issued_tokens_grant_id`.execute(db);
    await sql`ALTER TABLE issued_tokens DROP COLUMN grant_id`.execute(db);
    for (const column of ['consent', 'require_pushed_authorization_requests', 'id_token_signed_response_alg', 'response_types', 'post_logout_redirect_uris', 'redirect_uris']) {
      await sql`ALTER TABLE clients DROP COLUMN ${sql.ref(column)}`.execute(db);
    }
  },
};
