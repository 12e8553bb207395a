/**
 * Conversions between port records and table rows (see shared/schema.ts), used by the SQLite and
 * PostgreSQL adapters. Readers accept what either driver returns (numbers or bigint strings, JSON
 * text or parsed JSON, 0/1 or booleans). These functions do NOT validate records: the server
 * checks input before it reaches the store.
 */
import type { JwsAlgorithm, KeyState, PublicJwk } from '@keyward/core';
import type {
  AudiencePolicy, AuditEvent, ClientConsent, ClientKeyRecord, ClientRecord, ClientState, InitialAccessTokenRecord,
  IssuedTokenRecord, RegistrationLimits, SigningKeyRecord,
} from '../contract.ts';
import type {
  AuditEventsTable, ClientKeysTable, ClientsTable, InitialAccessTokensTable, IssuedTokensTable, SigningKeysTable,
} from './schema.ts';

/** A row as a driver returns it: loose value types. */
export type LooseRow<T> = { [K in keyof T]: unknown };

/** Reads an integer column (number, bigint or numeric string). */
export function readNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function readOptionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : readNumber(value);
}

export function readDate(value: unknown): Date {
  return new Date(readNumber(value));
}

export function readOptionalDate(value: unknown): Date | undefined {
  return value === null || value === undefined ? undefined : readDate(value);
}

export function readOptionalString<T extends string = string>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (value as T);
}

/** Reads a JSON column: JSON text (SQLite) or an already parsed value (PostgreSQL jsonb). */
export function readJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function readOptionalJson<T>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : readJson<T>(value);
}

/** Reads a boolean column stored as 0/1 or as a boolean. */
export function readBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 1n;
}

/** Epoch milliseconds of an optional date, or null. */
export function writeOptionalDate(value: Date | undefined): number | null {
  return value === undefined ? null : value.getTime();
}

/** Drops keys whose value is undefined (records never carry explicit undefined). */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/** The clients row of a client record. */
export function toClientRow(c: ClientRecord): ClientsTable {
  return {
    client_id: c.clientId,
    name: c.name,
    contact: c.contact ?? null,
    description: c.description ?? null,
    grant_types: JSON.stringify(c.grantTypes),
    scopes: JSON.stringify(c.scopes),
    access_token_ttl: c.accessTokenTtl,
    audience_policy: c.audiencePolicy,
    alg_pin: c.algPin ?? null,
    state: c.state,
    jwks_uri: c.jwksUri ?? null,
    registration_token_hash: c.registrationTokenHash ?? null,
    registration_limits: c.registrationLimits ? JSON.stringify(c.registrationLimits) : null,
    redirect_uris: c.redirectUris ? JSON.stringify(c.redirectUris) : null,
    post_logout_redirect_uris: c.postLogoutRedirectUris ? JSON.stringify(c.postLogoutRedirectUris) : null,
    response_types: c.responseTypes ? JSON.stringify(c.responseTypes) : null,
    id_token_signed_response_alg: c.idTokenSignedResponseAlg ?? null,
    require_pushed_authorization_requests: c.requirePushedAuthorizationRequests === undefined ? null : c.requirePushedAuthorizationRequests ? 1 : 0,
    consent: c.consent ?? null,
    key_max_age_days: c.keyMaxAgeDays ?? null,
    created_at: c.createdAt.getTime(),
    updated_at: c.updatedAt.getTime(),
  };
}

/** The client record of a clients row. */
export function fromClientRow(r: LooseRow<ClientsTable>): ClientRecord {
  return compact({
    clientId: r.client_id as string,
    name: r.name as string,
    contact: readOptionalString(r.contact),
    description: readOptionalString(r.description),
    grantTypes: readJson<string[]>(r.grant_types),
    scopes: readJson<string[]>(r.scopes),
    accessTokenTtl: readNumber(r.access_token_ttl),
    audiencePolicy: r.audience_policy as AudiencePolicy,
    algPin: readOptionalString<JwsAlgorithm>(r.alg_pin),
    state: r.state as ClientState,
    jwksUri: readOptionalString(r.jwks_uri),
    registrationTokenHash: readOptionalString(r.registration_token_hash),
    registrationLimits: r.registration_limits === null || r.registration_limits === undefined ? undefined : readJson<RegistrationLimits>(r.registration_limits),
    redirectUris: readOptionalJson<string[]>(r.redirect_uris),
    postLogoutRedirectUris: readOptionalJson<string[]>(r.post_logout_redirect_uris),
    responseTypes: readOptionalJson<string[]>(r.response_types),
    idTokenSignedResponseAlg: readOptionalString<JwsAlgorithm>(r.id_token_signed_response_alg),
    requirePushedAuthorizationRequests: r.require_pushed_authorization_requests === null || r.require_pushed_authorization_requests === undefined ? undefined : readBoolean(r.require_pushed_authorization_requests),
    consent: readOptionalString<ClientConsent>(r.consent),
    keyMaxAgeDays: readOptionalNumber(r.key_max_age_days),
    createdAt: readDate(r.created_at),
    updatedAt: readDate(r.updated_at),
  });
}

/** The client_keys row of a key record (the JWK as JSON). */
export function toKeyRow(k: ClientKeyRecord): ClientKeysTable {
  return {
    client_id: k.clientId,
    thumbprint: k.thumbprint,
    kid: k.kid,
    jwk: JSON.stringify(k.jwk),
    alg: k.alg ?? null,
    state: k.state,
    retire_at: writeOptionalDate(k.retireAt),
    not_before: writeOptionalDate(k.notBefore),
    not_after: writeOptionalDate(k.notAfter),
    certificate_subject: k.certificateSubject ?? null,
    created_at: k.createdAt.getTime(),
    revoked_at: writeOptionalDate(k.revokedAt),
  };
}

/** The key record of a client_keys row. */
export function fromKeyRow(r: LooseRow<ClientKeysTable>): ClientKeyRecord {
  return compact({
    clientId: r.client_id as string,
    kid: r.kid as string,
    thumbprint: r.thumbprint as string,
    jwk: readJson<PublicJwk>(r.jwk),
    alg: readOptionalString<JwsAlgorithm>(r.alg),
    state: r.state as KeyState,
    retireAt: readOptionalDate(r.retire_at),
    notBefore: readOptionalDate(r.not_before),
    notAfter: readOptionalDate(r.not_after),
    certificateSubject: readOptionalString(r.certificate_subject),
    createdAt: readDate(r.created_at),
    revokedAt: readOptionalDate(r.revoked_at),
  });
}

/** The signing_keys row of a signing key (private JWK as JSON: never log the row). */
export function toSigningKeyRow(k: SigningKeyRecord): SigningKeysTable {
  return {
    kid: k.kid,
    alg: k.alg,
    private_jwk: JSON.stringify(k.privateJwk),
    public_jwk: JSON.stringify(k.publicJwk),
    state: k.state,
    created_at: k.createdAt.getTime(),
    retire_at: writeOptionalDate(k.retireAt),
    activate_at: writeOptionalDate(k.activateAt),
  };
}

/** The signing key record of a signing_keys row. */
export function fromSigningKeyRow(r: LooseRow<SigningKeysTable>): SigningKeyRecord {
  return compact({
    kid: r.kid as string,
    alg: r.alg as JwsAlgorithm,
    privateJwk: readJson<Record<string, unknown>>(r.private_jwk),
    publicJwk: readJson<PublicJwk>(r.public_jwk),
    state: r.state as SigningKeyRecord['state'],
    createdAt: readDate(r.created_at),
    retireAt: readOptionalDate(r.retire_at),
    activateAt: readOptionalDate(r.activate_at),
  });
}

/** The issued_tokens row of a token record; `revoked` as 0/1 (PostgreSQL casts it to its boolean column). */
export function toTokenRow(t: IssuedTokenRecord): IssuedTokensTable {
  return {
    jti: t.jti,
    client_id: t.clientId,
    key_thumbprint: t.keyThumbprint,
    scope: t.scope,
    audience: JSON.stringify(t.audience),
    issued_at: t.issuedAt,
    expires_at: t.expiresAt,
    revoked: t.revoked ? 1 : 0,
    grant_id: t.grantId ?? null,
  };
}

/** The issued-token record of an issued_tokens row. */
export function fromTokenRow(r: LooseRow<IssuedTokensTable>): IssuedTokenRecord {
  return {
    jti: r.jti as string,
    clientId: r.client_id as string,
    keyThumbprint: r.key_thumbprint as string,
    scope: r.scope as string,
    audience: readJson<string[]>(r.audience),
    issuedAt: readNumber(r.issued_at),
    expiresAt: readNumber(r.expires_at),
    revoked: readBoolean(r.revoked),
    ...(r.grant_id === null || r.grant_id === undefined ? {} : { grantId: r.grant_id as string }),
  };
}

/** The audit_events row of an event (id assigned by the database). */
export function toAuditRow(e: AuditEvent): Omit<AuditEventsTable, 'id'> {
  return {
    time: e.time.getTime(),
    type: e.type,
    client_id: e.clientId ?? null,
    key_thumbprint: e.keyThumbprint ?? null,
    reason: e.reason ?? null,
    source_address: e.sourceAddress ?? null,
    actor: e.actor ?? null,
    request_id: e.requestId ?? null,
    details: e.details === undefined ? null : JSON.stringify(e.details),
  };
}

/** The audit event of an audit_events row (with its id). */
export function fromAuditRow(r: LooseRow<AuditEventsTable>): AuditEvent {
  return compact({
    id: readNumber(r.id),
    time: readDate(r.time),
    type: r.type as string,
    clientId: readOptionalString(r.client_id),
    keyThumbprint: readOptionalString(r.key_thumbprint),
    reason: readOptionalString(r.reason),
    sourceAddress: readOptionalString(r.source_address),
    actor: readOptionalString(r.actor),
    requestId: readOptionalString(r.request_id),
    details: r.details === null || r.details === undefined ? undefined : readJson<Record<string, unknown>>(r.details),
  });
}

/** The initial_access_tokens row of a record. */
export function toInitialAccessTokenRow(t: InitialAccessTokenRecord): InitialAccessTokensTable {
  return {
    id: t.id,
    token_hash: t.tokenHash,
    created_at: t.createdAt.getTime(),
    expires_at: writeOptionalDate(t.expiresAt),
    uses_left: t.usesLeft ?? null,
    scopes: t.scopes === undefined ? null : JSON.stringify(t.scopes),
  };
}

/** The initial access token record of a row. */
export function fromInitialAccessTokenRow(r: LooseRow<InitialAccessTokensTable>): InitialAccessTokenRecord {
  return compact({
    id: r.id as string,
    tokenHash: r.token_hash as string,
    createdAt: readDate(r.created_at),
    expiresAt: readOptionalDate(r.expires_at),
    usesLeft: readOptionalNumber(r.uses_left),
    scopes: r.scopes === null || r.scopes === undefined ? undefined : readJson<string[]>(r.scopes),
  });
}
