/**
 * PostgreSQL migration 0001: the initial schema (see shared/schema.ts for the conventions). Dates
 * are epoch milliseconds (BIGINT), token and replay times epoch seconds, JSON columns are JSONB.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const STATEMENTS = [
  sql`CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    contact TEXT,
    description TEXT,
    grant_types JSONB NOT NULL,
    scopes JSONB NOT NULL,
    access_token_ttl INTEGER NOT NULL,
    audience_policy TEXT NOT NULL,
    alg_pin TEXT,
    state TEXT NOT NULL,
    jwks_uri TEXT,
    registration_token_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`,
  sql`CREATE TABLE client_keys (
    client_id TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    thumbprint TEXT NOT NULL,
    kid TEXT NOT NULL,
    jwk JSONB NOT NULL,
    alg TEXT,
    state TEXT NOT NULL,
    retire_at BIGINT,
    not_before BIGINT,
    not_after BIGINT,
    certificate_subject TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (client_id, thumbprint)
  )`,
  sql`CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_jwk JSONB NOT NULL,
    public_jwk JSONB NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retire_at BIGINT
  )`,
  sql`CREATE TABLE issued_tokens (
    jti TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    key_thumbprint TEXT NOT NULL,
    scope TEXT NOT NULL,
    audience JSONB NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
  )`,
  sql`CREATE INDEX issued_tokens_client_key ON issued_tokens (client_id, key_thumbprint)`,
  sql`CREATE INDEX issued_tokens_expires_at ON issued_tokens (expires_at)`,
  sql`CREATE TABLE replay (
    client_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
  )`,
  sql`CREATE INDEX replay_expires_at ON replay (expires_at)`,
  sql`CREATE TABLE audit_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time BIGINT NOT NULL,
    type TEXT NOT NULL,
    client_id TEXT,
    key_thumbprint TEXT,
    reason TEXT,
    source_address TEXT,
    actor TEXT,
    details JSONB
  )`,
  sql`CREATE INDEX audit_events_client_id ON audit_events (client_id, id)`,
  sql`CREATE INDEX audit_events_type ON audit_events (type, id)`,
  sql`CREATE INDEX audit_events_time ON audit_events (time)`,
  sql`CREATE TABLE initial_access_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    uses_left INTEGER,
    scopes JSONB
  )`,
];

const TABLES = ['initial_access_tokens', 'audit_events', 'replay', 'issued_tokens', 'signing_keys', 'client_keys', 'clients'];

export const initialSchema: Migration = {
  async up(db: Kysely<unknown>) {
    for (const statement of STATEMENTS) await statement.execute(db);
  },
  async down(db: Kysely<unknown>) {
    for (const table of TABLES) await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  },
};
