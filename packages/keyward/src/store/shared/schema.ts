/**
 * The relational schema shared by the SQLite and PostgreSQL adapters, as kysely table types.
 *
 * Conventions: record dates (`created_at`, `retire_at`, audit `time`...) are epoch milliseconds;
 * token and replay `issued_at` / `expires_at` are epoch seconds (as in the ports). JSON columns
 * (`jwk`, `details`, lists) are written as JSON text (PostgreSQL stores them as `jsonb`, and the pg
 * driver hands them back parsed: read them through `readJson`). PostgreSQL returns `bigint` as a
 * string: read numbers through `Number()`.
 */
import type { Generated } from 'kysely';

type Int = number;

export interface ClientsTable {
  client_id: string;
  name: string;
  contact: string | null;
  description: string | null;
  grant_types: string;
  scopes: string;
  access_token_ttl: Int;
  audience_policy: string;
  alg_pin: string | null;
  state: string;
  jwks_uri: string | null;
  registration_token_hash: string | null;
  /** JSON of RegistrationLimits (migration 0002). */
  registration_limits: string | null;
  /** Migration 0005: JSON lists, the ID token algorithm, 0/1, `required` | `implicit`. */
  redirect_uris: string | null;
  post_logout_redirect_uris: string | null;
  response_types: string | null;
  id_token_signed_response_alg: string | null;
  require_pushed_authorization_requests: Int | boolean | null;
  consent: string | null;
  /** Migration 0007. */
  key_max_age_days: Int | null;
  created_at: Int;
  updated_at: Int;
}

export interface ClientKeysTable {
  client_id: string;
  thumbprint: string;
  kid: string;
  jwk: string;
  alg: string | null;
  state: string;
  retire_at: Int | null;
  not_before: Int | null;
  not_after: Int | null;
  certificate_subject: string | null;
  created_at: Int;
  revoked_at: Int | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  state: string;
  created_at: Int;
  retire_at: Int | null;
  /** Migration 0003. */
  activate_at: Int | null;
}

export interface IssuedTokensTable {
  jti: string;
  client_id: string;
  key_thumbprint: string;
  scope: string;
  audience: string;
  issued_at: Int;
  expires_at: Int;
  /** 0 or 1 (SQLite integer, PostgreSQL boolean). */
  revoked: Int | boolean;
  /** Migration 0005. */
  grant_id: string | null;
}

export interface ReplayTable {
  client_id: string;
  jti: string;
  expires_at: Int;
}

export interface AuditEventsTable {
  id: Generated<Int>;
  time: Int;
  type: string;
  client_id: string | null;
  key_thumbprint: string | null;
  reason: string | null;
  source_address: string | null;
  actor: string | null;
  request_id: string | null;
  details: string | null;
}

export interface InitialAccessTokensTable {
  id: string;
  token_hash: string;
  created_at: Int;
  expires_at: Int | null;
  uses_left: Int | null;
  scopes: string | null;
}

/** Migration 0004: end users. */
export interface UsersTable {
  sub: string;
  username: string;
  /** Lower-case username: the unique lookup key. */
  username_key: string;
  name: string | null;
  email: string | null;
  status: string;
  /** 0 or 1 (SQLite integer, PostgreSQL boolean). */
  require_passkey: Int | boolean;
  password_hash: string | null;
  created_at: Int;
  updated_at: Int;
  last_sign_in_at: Int | null;
}

/** Migration 0004: WebAuthn credentials of end users. */
export interface UserPasskeysTable {
  credential_id: string;
  sub: string;
  public_key: string;
  counter: Int;
  transports: string;
  created_at: Int;
  last_used_at: Int | null;
}

/** Migration 0008: passkey enrolment links (the SHA-256 of the secret only). */
export interface PasskeyEnrolmentsTable {
  token_hash: string;
  sub: string;
  created_at: Int;
  expires_at: Int;
  used: Int;
}

/** Migration 0004: sign-in sessions (keyed by the SHA-256 of the session id). */
export interface SignInSessionsTable {
  id_hash: string;
  sub: string;
  auth_time: Int;
  amr: string;
  created_at: Int;
  last_seen_at: Int;
  idle_expires_at: Int;
  absolute_expires_at: Int;
}

/** Migration 0005: pushed and pending authorization requests (epoch seconds). */
export interface AuthorizationRequestsTable {
  id: string;
  client_id: string;
  request: string;
  created_at: Int;
  expires_at: Int;
  used: Int | boolean;
}

/** Migration 0005: authorization codes by SHA-256; `payload` is the rest of the record as JSON. */
export interface AuthorizationCodesTable {
  code_hash: string;
  client_id: string;
  grant_id: string;
  payload: string;
  expires_at: Int;
  used: Int | boolean;
}

/** Migration 0005: refresh tokens by SHA-256; `payload` is the rest of the record as JSON. */
export interface RefreshTokensTable {
  token_hash: string;
  client_id: string;
  grant_id: string;
  sub: string;
  payload: string;
  expires_at: Int;
  used: Int | boolean;
  revoked: Int | boolean;
}

/** Migration 0005: remembered consents (dates in epoch milliseconds). */
export interface ConsentGrantsTable {
  sub: string;
  client_id: string;
  scopes: string;
  created_at: Int;
  updated_at: Int;
}

/** Migration 0007: alerts, keyed by their stable id (dates in epoch milliseconds). */
export interface AlertsTable {
  id: string;
  kind: string;
  client_id: string | null;
  key_thumbprint: string | null;
  source: string | null;
  window_start: Int;
  window_end: Int;
  observed: number;
  expected: number | null;
  first_event_at: Int;
  last_event_at: Int;
  /** JSON object of extra facts (never a token). */
  details: string | null;
  state: string;
  raised_at: Int;
  updated_at: Int;
  updated_by: string | null;
  /** JSON list of webhook delivery statuses. */
  deliveries: string;
  /** Migration 0009: while a delivery is pending, until when its node holds it (epoch ms); NULL otherwise. */
  delivery_lease_until?: Int | null;
}

/** Migration 0007: first and last authenticated use of each client (epoch milliseconds). */
export interface ClientActivityTable {
  client_id: string;
  first_seen: Int;
  last_seen: Int;
}

/** Migration 0007: last use of each client from each source network. */
export interface ClientNetworksTable {
  client_id: string;
  network: string;
  last_seen: Int;
}

/** Migration 0007: first use of each client key. */
export interface ClientKeyUsesTable {
  client_id: string;
  key_thumbprint: string;
  first_used_at: Int;
}

/** Every Keyward table. */
export interface Database {
  clients: ClientsTable;
  client_keys: ClientKeysTable;
  signing_keys: SigningKeysTable;
  issued_tokens: IssuedTokensTable;
  replay: ReplayTable;
  audit_events: AuditEventsTable;
  initial_access_tokens: InitialAccessTokensTable;
  users: UsersTable;
  user_passkeys: UserPasskeysTable;
  passkey_enrolments: PasskeyEnrolmentsTable;
  sign_in_sessions: SignInSessionsTable;
  authorization_requests: AuthorizationRequestsTable;
  authorization_codes: AuthorizationCodesTable;
  refresh_tokens: RefreshTokensTable;
  consent_grants: ConsentGrantsTable;
  alerts: AlertsTable;
  client_activity: ClientActivityTable;
  client_networks: ClientNetworksTable;
  client_key_uses: ClientKeyUsesTable;
}
