/**
 * Storage ports. Routes and services talk only to these interfaces; the memory, SQLite, PostgreSQL
 * and Redis adapters implement them and all pass one shared contract suite
 * (test/store/contract-suite.ts).
 *
 * Adapters throw `StoreError` (src/store/errors.ts: `conflict`, `not_found`, `corrupt`,
 * `unavailable`) for storage failures; docs/storage.md describes the shared behaviour.
 *
 * Every method is async so that a network database drops in without touching callers. Times are
 * `Date` objects or epoch seconds where stated; keys are stored as public JWKs (never private
 * material).
 */
import type { JwsAlgorithm, PublicJwk } from '@keyward/core';
import type { StoredClientKey } from '@keyward/verify';

/** `strict`: aud must be the issuer only (default). `legacy`: also the token endpoint URL and arrays. */
export type AudiencePolicy = 'strict' | 'legacy';

export type ClientState = 'enabled' | 'disabled';

/**
 * The privilege ceiling of a dynamically registered client: its RFC 7592 configuration endpoint
 * may choose scopes and grant types within it, never beyond.
 */
export interface RegistrationLimits {
  /** Scopes it may hold; absent: any scope outside the reserved `keyward:` namespace. */
  readonly scopes?: readonly string[];
  /** Grant types it may use. */
  readonly grantTypes: readonly string[];
}

export interface ClientRecord {
  readonly clientId: string;
  readonly name: string;
  readonly contact?: string;
  readonly description?: string;
  readonly grantTypes: readonly string[];
  readonly scopes: readonly string[];
  /** Access token lifetime in seconds. */
  readonly accessTokenTtl: number;
  readonly audiencePolicy: AudiencePolicy;
  /** Optional algorithm pin: assertions signed with any other algorithm are refused. */
  readonly algPin?: JwsAlgorithm;
  readonly state: ClientState;
  /** When set, keys come from this URL instead of registered keys. */
  readonly jwksUri?: string;
  /** SHA-256 (base64url) of the RFC 7592 registration access token, if registered dynamically. */
  readonly registrationTokenHash?: string;
  /**
   * What the client's own configuration endpoint (RFC 7592 §2.2) may set: the ceiling its
   * registration allowed, moved only by the admin API. Dynamically registered clients only.
   */
  readonly registrationLimits?: RegistrationLimits;
  /** Redirection URIs (RFC 6749 §3.1.2), compared character for character at /authorize. Migration 0005. */
  readonly redirectUris?: readonly string[];
  /** OpenID Connect RP-Initiated Logout 1.0 §3.1 post_logout_redirect_uris. */
  readonly postLogoutRedirectUris?: readonly string[];
  /** RFC 7591 §2 response_types: `["code"]` for clients of the authorization endpoint. */
  readonly responseTypes?: readonly string[];
  /** OIDC Dynamic Client Registration §2 id_token_signed_response_alg; absent: the server's. */
  readonly idTokenSignedResponseAlg?: JwsAlgorithm;
  /** RFC 9126 §6 require_pushed_authorization_requests for this client. */
  readonly requirePushedAuthorizationRequests?: boolean;
  /** `required` (default): the end user approves the scopes once per client; `implicit`: no consent page. */
  readonly consent?: ClientConsent;
  /** Days after which this client's keys are due for rotation (the `key_age` alert); absent: `keys.maxAge`. Migration 0007. */
  readonly keyMaxAgeDays?: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Whether the end user is asked to approve a client's scopes at the authorization endpoint. */
export type ClientConsent = 'required' | 'implicit';

/**
 * A client's registered key as stored: @keyward/verify's StoredClientKey (kid, RFC 7638 thumbprint
 * unique per client, public JWK, alg pin, state, retirement and certificate dates: what a verifier
 * reads) plus what the registry keeps about it.
 */
export interface ClientKeyRecord extends StoredClientKey {
  readonly clientId: string;
  readonly certificateSubject?: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
}

export interface ClientStore {
  createClient(client: ClientRecord): Promise<void>;
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  listClients(options?: { limit?: number; after?: string }): Promise<ClientRecord[]>;
  /** Replaces the mutable fields; returns the updated record, or undefined if absent. */
  updateClient(clientId: string, patch: Partial<Omit<ClientRecord, 'clientId' | 'createdAt'>>): Promise<ClientRecord | undefined>;
  /** Deletes the client, its keys and its recorded activity (migration 0007; its alerts stay); true if it existed. */
  deleteClient(clientId: string): Promise<boolean>;

  addKey(key: ClientKeyRecord): Promise<void>;
  listKeys(clientId: string): Promise<ClientKeyRecord[]>;
  updateKey(clientId: string, thumbprint: string, patch: Partial<Pick<ClientKeyRecord, 'state' | 'retireAt' | 'revokedAt' | 'notBefore' | 'notAfter'>>): Promise<ClientKeyRecord | undefined>;
}

/** The authorization server's own signing keys (private material, stored as a private JWK). */
export interface SigningKeyRecord {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  /**
   * Private JWK (JSON), or its AES-256-GCM wrapped form `{ keyward_wrapped: "A256GCM", kek, iv, ct,
   * tag }` when a key-encryption key is configured (server/services/key-encryption); the store keeps
   * either as it is and must keep it out of logs.
   */
  readonly privateJwk: Record<string, unknown>;
  readonly publicJwk: PublicJwk;
  /** `active`: signs new tokens; `published`: only in /jwks (overlap); `retired`: gone from /jwks. */
  readonly state: 'active' | 'published' | 'retired';
  readonly createdAt: Date;
  /** For `published` keys: removed from /jwks after this time. */
  readonly retireAt?: Date;
  /** A pre-published key signs from this time on (before it, it is only in /jwks); absent: from `createdAt`. */
  readonly activateAt?: Date;
}

export interface SigningKeyStore {
  addSigningKey(key: SigningKeyRecord): Promise<void>;
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Changes the state, the times, or the stored private JWK (re-wrapped with another key-encryption key). */
  updateSigningKey(kid: string, patch: Partial<Pick<SigningKeyRecord, 'state' | 'retireAt' | 'activateAt' | 'privateJwk'>>): Promise<void>;
}

/** One issued access token, remembered for introspection and revocation. */
export interface IssuedTokenRecord {
  readonly jti: string;
  readonly clientId: string;
  /** Thumbprint of the client key that authenticated the request. */
  readonly keyThumbprint: string;
  readonly scope: string;
  readonly audience: readonly string[];
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly revoked: boolean;
  /**
   * The authorization grant (one authorization code and the refresh tokens rotated from it) the
   * token was issued under; absent for client_credentials and jwt-bearer tokens. Migration 0005.
   */
  readonly grantId?: string;
}

export interface TokenStore {
  recordToken(token: IssuedTokenRecord): Promise<void>;
  getToken(jti: string): Promise<IssuedTokenRecord | undefined>;
  /** Marks one token revoked; true if it existed. */
  revokeToken(jti: string): Promise<boolean>;
  /** Revokes every token issued through one client key; returns how many. */
  revokeTokensByKey(clientId: string, keyThumbprint: string): Promise<number>;
  /** Revokes every token of a client; returns how many. */
  revokeTokensByClient(clientId: string): Promise<number>;
  /**
   * Revokes every token of a client whose scope holds a scope outside `allowedScopes` (exact,
   * case-sensitive scope tokens, RFC 6749 §3.3); returns how many. Used when a client loses scopes.
   */
  revokeTokensBeyondScopes(clientId: string, allowedScopes: readonly string[]): Promise<number>;
  /** Revokes every token issued under one authorization grant (RFC 6749 §4.1.2, RFC 9700 §4.14); returns how many. */
  revokeTokensByGrant(grantId: string): Promise<number>;
  /** Deletes records that expired before `nowSeconds`; returns how many. */
  purgeExpiredTokens(nowSeconds: number): Promise<number>;
}

/**
 * The replay cache. `reserve` is atomic: of any number of concurrent calls with the same
 * (clientId, jti), exactly one returns true, across processes and nodes.
 */
export interface ReplayStore {
  /**
   * Reserves (clientId, jti) until `expiresAt` (epoch seconds). False if already reserved and not
   * yet expired. A reservation is held at least one second even if `expiresAt` is already past.
   */
  reserve(clientId: string, jti: string, expiresAt: number): Promise<boolean>;
  /** Deletes reservations that expired before `nowSeconds`; returns how many (0 where the backend expires by itself). */
  purgeExpired(nowSeconds: number): Promise<number>;
}

export interface AuditEvent {
  readonly id?: number;
  readonly time: Date;
  /** `token.granted`, `token.refused`, `client.created`, `key.revoked`, ... */
  readonly type: string;
  readonly clientId?: string;
  readonly keyThumbprint?: string;
  /** Reason code for refusals (see core/errors.ts). */
  readonly reason?: string;
  readonly sourceAddress?: string;
  /** Who did it (admin client id, `cli`, ...). */
  readonly actor?: string;
  /** The request it happened in (X-Request-Id); absent outside a request (the CLI, maintenance). */
  readonly requestId?: string;
  /** Extra facts; never a token, a secret or private key material. */
  readonly details?: Record<string, unknown>;
}

/** Filters of an audit query; events come newest first (by id). */
export interface AuditQuery {
  readonly clientId?: string;
  readonly type?: string;
  readonly reason?: string;
  /** Events at or after this time. */
  readonly since?: Date;
  /** Events at or before this time. */
  readonly until?: Date;
  /** The paging cursor: only events with an id below this one (the last id of the previous page). */
  readonly beforeId?: number;
  readonly limit?: number;
}

export interface AuditStore {
  appendAudit(event: AuditEvent): Promise<void>;
  queryAudit(query: AuditQuery): Promise<AuditEvent[]>;
  /**
   * Deletes events older than `before` (retention), oldest first, at most `batch` of them (so a
   * large backlog is purged in steps that never hold the database long). Returns how many.
   */
  purgeAuditBefore(before: Date, batch: number): Promise<number>;
}

/** Initial access tokens for RFC 7591 dynamic registration (stored as a hash). */
export interface InitialAccessTokenRecord {
  readonly id: string;
  readonly tokenHash: string;
  readonly createdAt: Date;
  readonly expiresAt?: Date;
  /** How many registrations it may still create (undefined = unlimited). */
  readonly usesLeft?: number;
  readonly scopes?: readonly string[];
}

export interface InitialAccessTokenStore {
  addInitialAccessToken(token: InitialAccessTokenRecord): Promise<void>;
  /**
   * Finds by hash and consumes one use atomically; undefined if unknown, expired or used up.
   * Returns the record after this use (`usesLeft` already decremented; absent when unlimited).
   */
  consumeInitialAccessToken(tokenHash: string, now: Date): Promise<InitialAccessTokenRecord | undefined>;
  /**
   * Finds by hash a token that could be consumed now (known, not expired, a use left) WITHOUT
   * consuming it; undefined otherwise. Lets an endpoint refuse a bad token before reading the body.
   */
  findInitialAccessToken(tokenHash: string, now: Date): Promise<InitialAccessTokenRecord | undefined>;
  listInitialAccessTokens(): Promise<InitialAccessTokenRecord[]>;
}

/** `active` users may sign in; `disabled` ones may not (their sessions end at once). */
export type UserStatus = 'active' | 'disabled';

/**
 * An end user who signs in at the authorization server (OIDC Core §2: `sub` is the stable,
 * never-reassigned identifier; the username is only what the user types).
 */
export interface UserRecord {
  /** Random, stable, never reused, never derived from the username (OIDC Core §2 `sub`). */
  readonly sub: string;
  /** What the user types to sign in; unique case-insensitively (the store compares lower case). */
  readonly username: string;
  readonly name?: string;
  readonly email?: string;
  readonly status: UserStatus;
  /** Password sign-in alone is not enough: the user must use a passkey. */
  readonly requirePasskey: boolean;
  /** PHC string of the password hash with its algorithm and parameters (`$argon2id$v=19$m=...`); absent: no password. */
  readonly passwordHash?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly lastSignInAt?: Date;
}

/** A WebAuthn credential (passkey) of a user. */
export interface PasskeyRecord {
  /** The credential id, base64url; unique across users. */
  readonly credentialId: string;
  readonly sub: string;
  /** The COSE public key, base64url. */
  readonly publicKey: string;
  /** The signature counter last seen (WebAuthn §6.1.1). */
  readonly counter: number;
  readonly transports: readonly string[];
  readonly createdAt: Date;
  readonly lastUsedAt?: Date;
}

/**
 * A single-use link that lets a user register a passkey without signing in first (the operator's
 * way to enrol the first passkey of a user who must use one). Only the SHA-256 of the link's
 * secret is stored. Migration 0008.
 */
export interface PasskeyEnrolmentRecord {
  /** base64url SHA-256 of the link's secret. */
  readonly tokenHash: string;
  readonly sub: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Fields of a user that change; `undefined` on an optional field clears it (shared/patches.ts). */
export type UserPatch = Partial<Omit<UserRecord, 'sub' | 'createdAt'>>;

export interface UserStore {
  /** Throws StoreError('conflict') when the sub or the username (case-insensitively) is taken. */
  createUser(user: UserRecord): Promise<void>;
  getUser(sub: string): Promise<UserRecord | undefined>;
  /** Finds a user by username, case-insensitively. */
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  /** Users ordered by lower-case username; `after` is a username (compared lower case). */
  listUsers(options?: { limit?: number; after?: string }): Promise<UserRecord[]>;
  /** Returns the updated record, or undefined if absent; StoreError('conflict') when a new username is taken. */
  updateUser(sub: string, patch: UserPatch): Promise<UserRecord | undefined>;
  /** Deletes the user, its passkeys and its sign-in sessions; true if it existed. */
  deleteUser(sub: string): Promise<boolean>;

  /** StoreError('conflict') for a known credential id, ('not_found') for an unknown user. */
  addPasskey(passkey: PasskeyRecord): Promise<void>;
  /** A user's passkeys, oldest first. */
  listPasskeys(sub: string): Promise<PasskeyRecord[]>;
  findPasskey(credentialId: string): Promise<PasskeyRecord | undefined>;
  /** Records a use: the new counter and the time; false if the credential is unknown. */
  recordPasskeyUse(credentialId: string, counter: number, at: Date): Promise<boolean>;
  /** Deletes one passkey of a user; true if it existed. */
  deletePasskey(sub: string, credentialId: string): Promise<boolean>;

  /** Stores a passkey enrolment link; StoreError('not_found') for an unknown user. */
  putPasskeyEnrolment(enrolment: PasskeyEnrolmentRecord): Promise<void>;
  /** The enrolment with this hash if it is unused and not expired at `now` (not consumed). */
  findPasskeyEnrolment(tokenHash: string, now: Date): Promise<PasskeyEnrolmentRecord | undefined>;
  /** Uses the enrolment once (atomic: of concurrent calls exactly one gets it); undefined when unknown, used or expired at `now`. */
  consumePasskeyEnrolment(tokenHash: string, now: Date): Promise<PasskeyEnrolmentRecord | undefined>;
  /** Deletes enrolments expired before `now`, used or not (maintenance); returns how many. */
  purgeExpiredPasskeyEnrolments(now: Date): Promise<number>;
}

/** A signed-in browser session of an end user. The session id itself is never stored. */
export interface SignInSessionRecord {
  /** SHA-256 (base64url) of the session id the cookie carries. */
  readonly idHash: string;
  readonly sub: string;
  /** When the user authenticated, epoch seconds (OIDC Core §2 `auth_time`). */
  readonly authTime: number;
  /** How (RFC 8176 values: `pwd`, `hwk`, `user`...). */
  readonly amr: readonly string[];
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** Ends unless used before this time (moved forward by touchSession). */
  readonly idleExpiresAt: Date;
  /** Ends at this time whatever happens. */
  readonly absoluteExpiresAt: Date;
}

export interface SignInSessionStore {
  /** Throws StoreError('conflict') for a known id hash. */
  createSession(session: SignInSessionRecord): Promise<void>;
  /**
   * The live session (both expiries after `now`) with `lastSeenAt = now` and `idleExpiresAt` moved
   * to `idleExpiresAt`, in one statement; undefined when unknown or expired.
   */
  touchSession(idHash: string, now: Date, idleExpiresAt: Date): Promise<SignInSessionRecord | undefined>;
  /** Deletes one session; true if it existed. */
  deleteSession(idHash: string): Promise<boolean>;
  /** Deletes every session of a user (disabled, deleted, new password); returns how many. */
  deleteUserSessions(sub: string): Promise<number>;
  /** Deletes sessions expired (idle or absolute) before `now`; returns how many. */
  purgeExpiredSessions(now: Date): Promise<number>;
}

/**
 * An authorization request kept server-side (RFC 9126 §2.2 pushed requests, and requests waiting for
 * the end user to sign in or consent). `request` holds the validated parameters as JSON; the id is
 * 128 random bits and travels only as a `request_uri` or a resume link.
 */
export interface AuthorizationRequestRecord {
  readonly id: string;
  readonly clientId: string;
  readonly request: Record<string, unknown>;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** An authorization code (RFC 6749 §4.1.2), stored only as the SHA-256 of the code. */
export interface AuthorizationCodeRecord {
  /** base64url SHA-256 of the code. */
  readonly codeHash: string;
  readonly clientId: string;
  /** The authorization grant this code starts (its tokens and refresh tokens carry the same id). */
  readonly grantId: string;
  readonly redirectUri: string;
  /** RFC 7636 §4.3 code_challenge (S256 only). */
  readonly codeChallenge: string;
  readonly sub: string;
  readonly scopes: readonly string[];
  readonly nonce?: string;
  /** Epoch seconds. */
  readonly authTime: number;
  readonly amr?: readonly string[];
  readonly sessionId?: string;
  /**
   * The `createdAt` (epoch milliseconds) of the end user's consent the code was issued under;
   * absent when the client needs no consent. Redeeming the code needs that same consent to still
   * exist: a revoked consent makes its codes unusable (a consent given again is another one).
   */
  readonly consentCreatedAt?: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** A refresh token (RFC 6749 §6), stored only as the SHA-256 of the token; one family per grant. */
export interface RefreshTokenRecord {
  readonly tokenHash: string;
  readonly clientId: string;
  /** The grant (family) it belongs to: reuse of a rotated token revokes the whole family. */
  readonly grantId: string;
  readonly sub: string;
  readonly scopes: readonly string[];
  /** Epoch seconds. */
  readonly authTime: number;
  readonly amr?: readonly string[];
  readonly sessionId?: string;
  /**
   * The `createdAt` (epoch milliseconds) of the end user's consent the family was issued under
   * (the code's `consentCreatedAt`, kept through every rotation); absent when the client needs no
   * consent, and in families stored before it was recorded.
   */
  readonly consentCreatedAt?: number;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** What an end user approved for one client (remembered until revoked). */
export interface ConsentGrantRecord {
  readonly sub: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The result of consuming a single-use record: the record, and whether this was its first use. */
export interface Consumed<T> {
  readonly record: T;
  readonly firstUse: boolean;
}

/**
 * The authorization-code flow's state. Each `consume` is atomic: of concurrent calls for one
 * record, exactly one sees `firstUse: true`, across processes.
 */
export interface AuthorizationStore {
  putRequest(request: AuthorizationRequestRecord): Promise<void>;
  /** The request if it exists and has not expired at `nowSeconds` (not consumed). */
  getRequest(id: string, nowSeconds: number): Promise<AuthorizationRequestRecord | undefined>;
  /** Uses the request once: undefined when unknown, expired or already used. */
  consumeRequest(id: string, nowSeconds: number): Promise<AuthorizationRequestRecord | undefined>;
  putCode(code: AuthorizationCodeRecord): Promise<void>;
  /** Marks the code used; undefined when unknown. A code used before answers `firstUse: false`. */
  consumeCode(codeHash: string): Promise<Consumed<AuthorizationCodeRecord> | undefined>;
  putRefreshToken(token: RefreshTokenRecord): Promise<void>;
  /** Marks the token used; undefined when unknown. A used token, or one of a revoked family, answers `firstUse: false`. */
  consumeRefreshToken(tokenHash: string): Promise<Consumed<RefreshTokenRecord> | undefined>;
  /** The refresh token with this hash, used or not (for RFC 7009 revocation); undefined when unknown. */
  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Revokes every refresh token of a grant; returns how many were still usable. */
  revokeRefreshTokens(grantId: string): Promise<number>;
  /** Revokes every refresh token one end user holds at one client; returns the grants they belonged to. */
  revokeRefreshTokensOf(sub: string, clientId: string): Promise<string[]>;
  /**
   * The grants of the authorization codes still stored (a day past their expiry) that one end user
   * got for one client: with the refresh tokens' grants, every grant whose access tokens may still
   * be valid (an access token lives a day at most).
   */
  listCodeGrantsOf(sub: string, clientId: string): Promise<string[]>;
  putConsent(grant: ConsentGrantRecord): Promise<void>;
  getConsent(sub: string, clientId: string): Promise<ConsentGrantRecord | undefined>;
  listConsents(sub: string): Promise<ConsentGrantRecord[]>;
  /** Forgets a consent; true if it existed. */
  deleteConsent(sub: string, clientId: string): Promise<boolean>;
  /** Deletes requests and refresh tokens that expired before `nowSeconds` (codes a day later: CODE_REUSE_MEMORY); returns how many. */
  purgeExpired(nowSeconds: number): Promise<number>;
}

/** The anomaly kinds the detector raises (docs/alerts.md), one closed list. */
export const ALERT_KINDS = [
  'issuance_spike',
  'replay_burst',
  'signature_failures',
  'new_key_first_use',
  'new_source_network',
  'dormant_client_active',
  'key_expiring',
  'key_age',
  'legacy_audience',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Where one webhook delivery of an alert stands. */
export interface AlertDelivery {
  readonly url: string;
  readonly state: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly lastAttemptAt?: Date;
  readonly nextAttemptAt?: Date;
  /** Why the last attempt failed (HTTP status or network reason); never a token. */
  readonly lastError?: string;
}

/**
 * One alert. Its `id` is stable: derived from (kind, subject, window), so every node that sees the
 * same anomaly computes the same id and the store keeps one alert (the deduplication across nodes).
 * Never holds a token or an assertion.
 */
export interface AlertRecord {
  readonly id: string;
  readonly kind: AlertKind;
  readonly clientId?: string;
  readonly keyThumbprint?: string;
  /** The source address or network the alert is about (replay bursts from one address, new networks). */
  readonly source?: string;
  /** The window the figures were counted in (for once-only kinds, the moment it happened). */
  readonly windowStart: Date;
  readonly windowEnd: Date;
  /** The figure observed in the window (grants, replays, failures, days idle, days left, ...). */
  readonly observed: number;
  /** What was expected (baseline, threshold); absent where nothing was expected (a first use). */
  readonly expected?: number;
  readonly firstEventAt: Date;
  readonly lastEventAt: Date;
  /** Extra facts for the operator; never a token, a secret or an assertion. */
  readonly details?: Record<string, unknown>;
  readonly state: AlertState;
  readonly raisedAt: Date;
  readonly updatedAt: Date;
  /** Who acknowledged or resolved it: the admin client id (admin API, console) or `cli` (local CLI). */
  readonly updatedBy?: string;
  readonly deliveries: readonly AlertDelivery[];
}

/** Filters of an alert listing; alerts come newest first (by raisedAt, then id). */
export interface AlertQuery {
  readonly state?: AlertState;
  readonly kind?: AlertKind;
  readonly clientId?: string;
  /**
   * The paging cursor: the last id of the previous page; only alerts after it in the listing order
   * come back. An id that names no alert gives an empty page.
   */
  readonly beforeId?: string;
  /** At most this many alerts (default 100, at most 1000). */
  readonly limit?: number;
}

/** What the store remembered of a client's activity before this use (see recordClientActivity). */
export interface ClientActivityBefore {
  /** First authenticated use ever recorded; undefined: this is the first. */
  readonly clientFirstSeen?: Date;
  /** Last recorded use before this one. */
  readonly clientLastSeen?: Date;
  /** Last recorded use from this network before this one; undefined: never from it. */
  readonly networkLastSeen?: Date;
  /** False when this key had authenticated before; true on its first recorded use. */
  readonly keyFirstUse: boolean;
}

/** Alerts (migration 0007) and the per-client activity the detector compares against. */
export interface AlertStore {
  /**
   * Stores the alert unless one with its id exists; true when this call stored it. Atomic across
   * nodes: of concurrent raises of one id exactly one answers true, and the first record is kept.
   */
  raiseAlert(alert: AlertRecord): Promise<boolean>;
  getAlert(id: string): Promise<AlertRecord | undefined>;
  listAlerts(query: AlertQuery): Promise<AlertRecord[]>;
  /** How many alerts are in each state. */
  countAlerts(): Promise<Record<AlertState, number>>;
  /**
   * Moves an alert to `state`, recording `by` and `at`; undefined when unknown. With `from`, only an
   * alert in one of those states moves (one conditional write: of concurrent callers moving the same
   * alert out of `open`, exactly one succeeds), and undefined also when the alert is in another state.
   */
  setAlertState(id: string, state: AlertState, by: string, at: Date, from?: readonly AlertState[]): Promise<AlertRecord | undefined>;
  /**
   * Replaces the delivery statuses of an alert (webhook attempts); nothing when the id is unknown.
   * `leaseUntil`: while a delivery is pending, until when the calling node holds it (past that time
   * claimPendingDeliveries hands it to any node); undefined when nothing is left pending.
   */
  setAlertDeliveries(id: string, deliveries: readonly AlertDelivery[], leaseUntil: Date | undefined): Promise<void>;
  /**
   * Takes over up to `limit` alerts whose deliveries are pending and whose lease ended at `now` or
   * before (their node stopped, or let them go), oldest lease first, and holds them until
   * `leaseUntil`. One conditional write per alert: of concurrent claims of one alert, exactly one
   * gets it.
   */
  claimPendingDeliveries(now: Date, leaseUntil: Date, limit: number): Promise<AlertRecord[]>;
  /**
   * Records that `clientId` authenticated at `at`, from `network` (a /24 or /48, or undefined),
   * with key `keyThumbprint` (or undefined), and answers what was recorded before, in one atomic step:
   * of concurrent first uses of a key exactly one answers `keyFirstUse: true`. Last-seen times never
   * move back (an earlier `at` keeps the later one). ClientStore.deleteClient forgets the client's activity.
   */
  recordClientActivity(activity: { clientId: string; network?: string; keyThumbprint?: string; at: Date }): Promise<ClientActivityBefore>;
}

/** Everything a server node needs, from one backend or a combination (PostgreSQL + Redis). */
export interface Store {
  readonly clients: ClientStore;
  readonly signingKeys: SigningKeyStore;
  readonly tokens: TokenStore;
  readonly replay: ReplayStore;
  readonly audit: AuditStore;
  readonly initialAccessTokens: InitialAccessTokenStore;
  /** End users and their passkeys (migration 0004). */
  readonly users: UserStore;
  /** End users' sign-in sessions (migration 0004). */
  readonly signInSessions: SignInSessionStore;
  /** The authorization-code flow: pending requests, codes, refresh tokens, consents (migration 0005). */
  readonly authorizations: AuthorizationStore;
  /** Alerts and client activity (migration 0007). */
  readonly alerts: AlertStore;
  /** True when the backend answers (for /ready). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
