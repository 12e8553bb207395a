/**
 * Conversions between the user, passkey and sign-in session records and their rows (migration
 * 0004), for the SQLite and PostgreSQL adapters. Like rows.ts, they do NOT validate records.
 */
import type { PasskeyRecord, SignInSessionRecord, UserPatch, UserRecord, UserStatus } from '../contract.ts';
import {
  compact, readBoolean, readDate, readJson, readNumber, readOptionalDate, readOptionalString, writeOptionalDate, type LooseRow,
} from './rows.ts';
import type { SignInSessionsTable, UserPasskeysTable, UsersTable } from './schema.ts';

/**
 * The key usernames are unique by: lower case (the registry allows ASCII usernames only, so this is
 * unambiguous). Every adapter compares usernames through this one function.
 */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** The users row of a user record (`require_passkey` as 0/1). */
export function toUserRow(u: UserRecord): UsersTable {
  return {
    sub: u.sub,
    username: u.username,
    username_key: usernameKey(u.username),
    name: u.name ?? null,
    email: u.email ?? null,
    status: u.status,
    require_passkey: u.requirePasskey ? 1 : 0,
    password_hash: u.passwordHash ?? null,
    created_at: u.createdAt.getTime(),
    updated_at: u.updatedAt.getTime(),
    last_sign_in_at: writeOptionalDate(u.lastSignInAt),
  };
}

/**
 * The columns a user patch sets, by the rules of shared/patches.ts (applyUserPatch): a field absent
 * is kept, an optional field present as undefined is cleared, a required one present as undefined is
 * ignored, `updated_at` is the patch's or now. `sub` and `created_at` are never set.
 */
export function toUserPatchRow(patch: UserPatch, now: Date = new Date()): Partial<UsersTable> {
  const row: Partial<UsersTable> = { updated_at: (patch.updatedAt ?? now).getTime() };
  if (patch.username !== undefined) {
    row.username = patch.username;
    row.username_key = usernameKey(patch.username);
  }
  if (patch.status !== undefined) row.status = patch.status;
  if (patch.requirePasskey !== undefined) row.require_passkey = patch.requirePasskey ? 1 : 0;
  if (Object.hasOwn(patch, 'name')) row.name = patch.name ?? null;
  if (Object.hasOwn(patch, 'email')) row.email = patch.email ?? null;
  if (Object.hasOwn(patch, 'passwordHash')) row.password_hash = patch.passwordHash ?? null;
  if (Object.hasOwn(patch, 'lastSignInAt')) row.last_sign_in_at = writeOptionalDate(patch.lastSignInAt);
  return row;
}

/** The user record of a users row. */
export function fromUserRow(r: LooseRow<UsersTable>): UserRecord {
  return compact({
    sub: r.sub as string,
    username: r.username as string,
    name: readOptionalString(r.name),
    email: readOptionalString(r.email),
    status: r.status as UserStatus,
    requirePasskey: readBoolean(r.require_passkey),
    passwordHash: readOptionalString(r.password_hash),
    createdAt: readDate(r.created_at),
    updatedAt: readDate(r.updated_at),
    lastSignInAt: readOptionalDate(r.last_sign_in_at),
  });
}

/** The user_passkeys row of a passkey. */
export function toPasskeyRow(p: PasskeyRecord): UserPasskeysTable {
  return {
    credential_id: p.credentialId,
    sub: p.sub,
    public_key: p.publicKey,
    counter: p.counter,
    transports: JSON.stringify(p.transports),
    created_at: p.createdAt.getTime(),
    last_used_at: writeOptionalDate(p.lastUsedAt),
  };
}

/** The passkey of a user_passkeys row. */
export function fromPasskeyRow(r: LooseRow<UserPasskeysTable>): PasskeyRecord {
  return compact({
    credentialId: r.credential_id as string,
    sub: r.sub as string,
    publicKey: r.public_key as string,
    counter: readNumber(r.counter),
    transports: readJson<string[]>(r.transports),
    createdAt: readDate(r.created_at),
    lastUsedAt: readOptionalDate(r.last_used_at),
  });
}

/** The sign_in_sessions row of a session. */
export function toSessionRow(s: SignInSessionRecord): SignInSessionsTable {
  return {
    id_hash: s.idHash,
    sub: s.sub,
    auth_time: s.authTime,
    amr: JSON.stringify(s.amr),
    created_at: s.createdAt.getTime(),
    last_seen_at: s.lastSeenAt.getTime(),
    idle_expires_at: s.idleExpiresAt.getTime(),
    absolute_expires_at: s.absoluteExpiresAt.getTime(),
  };
}

/** The session of a sign_in_sessions row. */
export function fromSessionRow(r: LooseRow<SignInSessionsTable>): SignInSessionRecord {
  return {
    idHash: r.id_hash as string,
    sub: r.sub as string,
    authTime: readNumber(r.auth_time),
    amr: readJson<string[]>(r.amr),
    createdAt: readDate(r.created_at),
    lastSeenAt: readDate(r.last_seen_at),
    idleExpiresAt: readDate(r.idle_expires_at),
    absoluteExpiresAt: readDate(r.absolute_expires_at),
  };
}
