/**
 * Creates an end user: a random `sub` (128 bits, base64url; never derived from the username, so a
 * renamed or re-created username never inherits another user's identity, OIDC Core §2), the
 * checked fields, and optionally a password (hashed, password-hash.ts). Writes a `user.created`
 * audit event (without the hash).
 */
import { issueIdentifier } from './issue-identifier.ts';
import type { UserRecord } from '../../../store/contract.ts';
import { isStoreError } from '../../../store/errors.ts';
import { hashPassword } from './password-hash.ts';
import { recordChange } from './record-change.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';
import { checkEmail, checkPassword, checkUserDisplayName, checkUsername } from './validate-user-fields.ts';

/** Inputs of {@link createUser}. */
export interface CreateUserInput {
  readonly actor: string;
  readonly username: string;
  readonly name?: string;
  readonly email?: string;
  /** Without one, the user cannot sign in with a password until one is set. */
  readonly password?: string;
  readonly requirePasskey?: boolean;
}

/** A new subject identifier (issue-identifier.ts: 128 random bits that never read as a command-line option). */
export function issueSub(): string {
  return issueIdentifier();
}

/** Creates the user. Throws RegistryError 'invalid' (a field, with the fix) or 'conflict' (username taken). */
export async function createUser(ctx: RegistryContext, input: CreateUserInput): Promise<UserRecord> {
  const username = checkUsername(input.username);
  const name = input.name === undefined || input.name === '' ? undefined : checkUserDisplayName(input.name);
  const email = input.email === undefined || input.email === '' ? undefined : checkEmail(input.email);
  const password = input.password === undefined ? undefined : checkPassword(input.password);
  const now = new Date(ctx.clock());
  const user: UserRecord = {
    sub: issueSub(),
    username,
    ...(name !== undefined ? { name } : {}),
    ...(email !== undefined ? { email } : {}),
    status: 'active',
    requirePasskey: input.requirePasskey === true,
    ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await ctx.store.users.createUser(user);
  } catch (error) {
    if (isStoreError(error, 'conflict')) throw new RegistryError('conflict', error.message);
    throw error;
  }
  await recordChange(ctx, { type: 'user.created', actor: input.actor, sub: user.sub, after: user });
  return user;
}
