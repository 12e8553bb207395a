/**
 * Patch semantics shared by every adapter, so that all of them agree (the contract suite checks it).
 *
 * - A field absent from the patch is kept.
 * - An optional field present with the value `undefined` is cleared (e.g. `{ contact: undefined }`).
 * - A required field present with `undefined` is ignored (never cleared).
 * - `updatedAt` is set to the patch's value, or to now.
 *
 * These functions do NOT validate values.
 */
import type { ClientKeyRecord, ClientRecord, SigningKeyRecord, UserPatch, UserRecord } from '../contract.ts';

type ClientPatch = Partial<Omit<ClientRecord, 'clientId' | 'createdAt'>>;
type KeyPatch = Partial<Pick<ClientKeyRecord, 'state' | 'retireAt' | 'revokedAt' | 'notBefore' | 'notAfter'>>;
type SigningKeyPatch = Partial<Pick<SigningKeyRecord, 'state' | 'retireAt' | 'activateAt' | 'privateJwk'>>;

const CLIENT_OPTIONAL = ['contact', 'description', 'algPin', 'jwksUri', 'registrationTokenHash', 'registrationLimits', 'redirectUris',
  'postLogoutRedirectUris', 'responseTypes', 'idTokenSignedResponseAlg', 'requirePushedAuthorizationRequests', 'consent', 'keyMaxAgeDays'] as const;
const CLIENT_REQUIRED = ['name', 'grantTypes', 'scopes', 'accessTokenTtl', 'audiencePolicy', 'state'] as const;
const KEY_OPTIONAL = ['retireAt', 'revokedAt', 'notBefore', 'notAfter'] as const;

function applyFields<T extends object>(base: T, patch: object, optional: readonly string[], required: readonly string[]): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  const source = patch as Record<string, unknown>;
  for (const field of optional) {
    if (!Object.hasOwn(source, field)) continue;
    if (source[field] === undefined) delete out[field];
    else out[field] = source[field];
  }
  for (const field of required) {
    if (source[field] !== undefined) out[field] = source[field];
  }
  return out as T;
}

/** The client after `patch` (see the module comment for the rules). */
export function applyClientPatch(client: ClientRecord, patch: ClientPatch, now: Date = new Date()): ClientRecord {
  const next = applyFields(client, patch, CLIENT_OPTIONAL, CLIENT_REQUIRED);
  return { ...next, clientId: client.clientId, createdAt: client.createdAt, updatedAt: patch.updatedAt ?? now };
}

/** The client key after `patch`. */
export function applyKeyPatch(key: ClientKeyRecord, patch: KeyPatch): ClientKeyRecord {
  return applyFields(key, patch, KEY_OPTIONAL, ['state']);
}

/** The signing key after `patch`. */
export function applySigningKeyPatch(key: SigningKeyRecord, patch: SigningKeyPatch): SigningKeyRecord {
  return applyFields(key, patch, ['retireAt', 'activateAt'], ['state', 'privateJwk']);
}

const USER_OPTIONAL = ['name', 'email', 'passwordHash', 'lastSignInAt'] as const;
const USER_REQUIRED = ['username', 'status', 'requirePasskey'] as const;

/** The user after `patch` (same rules as clients; `sub` and `createdAt` never change). */
export function applyUserPatch(user: UserRecord, patch: UserPatch, now: Date = new Date()): UserRecord {
  const next = applyFields(user, patch, USER_OPTIONAL, USER_REQUIRED);
  return { ...next, sub: user.sub, createdAt: user.createdAt, updatedAt: patch.updatedAt ?? now };
}

/** Default and maximum number of audit events one query returns. */
export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 10_000;

/** The effective audit limit: default 100, at most 10,000, at least 0. */
export function resolveAuditLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return AUDIT_DEFAULT_LIMIT;
  return Math.max(0, Math.min(AUDIT_MAX_LIMIT, Math.floor(limit)));
}

/**
 * The expiry actually stored for a replay reservation: at least one second from now, so that a
 * reservation made with an expiry already in the past still blocks concurrent duplicates
 * (RFC 7523 §3 (7): a jti is used only once).
 */
export function resolveReplayExpiry(expiresAt: number, nowSeconds: number): number {
  return Math.max(Math.ceil(expiresAt), Math.floor(nowSeconds) + 1);
}

/** True when the space-separated `scope` (RFC 6749 §3.3) holds a scope not in `allowed` (exact comparison). */
export function holdsScopeBeyond(scope: string, allowed: readonly string[]): boolean {
  return scope.split(' ').some((s) => s !== '' && !allowed.includes(s));
}

/**
 * Seconds a used or expired authorization code is remembered after it expires, so that a second
 * use is still recognised and the tokens issued from it revoked (RFC 6749 §4.1.2).
 */
export const CODE_REUSE_MEMORY = 86_400;
