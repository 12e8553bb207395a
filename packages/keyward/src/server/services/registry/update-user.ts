/**
 * Changes an end user: username, name, email, the passkey requirement; disables, enables and
 * deletes. Every change writes an audit event with the user before and after (never the password
 * hash). Disabling or deleting ends the user's sign-in sessions at once.
 */
import type { UserPatch, UserRecord } from '../../../store/contract.ts';
import { isStoreError } from '../../../store/errors.ts';
import { getUserOrFail } from './get-user.ts';
import { recordChange } from './record-change.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';
import { checkEmail, checkUserDisplayName, checkUsername } from './validate-user-fields.ts';

/** Fields of {@link updateUser}; `null` (or '') clears an optional field, absent keeps it. */
export interface UserUpdate {
  readonly username?: string;
  readonly name?: string | null;
  readonly email?: string | null;
  readonly requirePasskey?: boolean;
}

async function writeUser(ctx: RegistryContext, sub: string, patch: UserPatch): Promise<UserRecord> {
  try {
    const after = await ctx.store.users.updateUser(sub, patch);
    if (after === undefined) throw new RegistryError('not_found', `no user ${JSON.stringify(sub)}`);
    return after;
  } catch (error) {
    if (isStoreError(error, 'conflict')) throw new RegistryError('conflict', error.message);
    throw error;
  }
}

/** Applies `update` to the user (by sub or username). Throws RegistryError 'not_found' / 'invalid' / 'conflict'. */
export async function updateUser(ctx: RegistryContext, subOrUsername: string, update: UserUpdate, actor: string): Promise<UserRecord> {
  const before = await getUserOrFail(ctx, subOrUsername);
  const patch: Record<string, unknown> = {};
  if (update.username !== undefined) patch.username = checkUsername(update.username);
  if (update.name !== undefined) patch.name = update.name === null || update.name === '' ? undefined : checkUserDisplayName(update.name);
  if (update.email !== undefined) patch.email = update.email === null || update.email === '' ? undefined : checkEmail(update.email);
  if (update.requirePasskey !== undefined) patch.requirePasskey = update.requirePasskey;
  const fields = Object.keys(patch);
  patch.updatedAt = new Date(ctx.clock());
  const after = await writeUser(ctx, before.sub, patch as UserPatch);
  await recordChange(ctx, { type: 'user.updated', actor, sub: before.sub, before, after, details: { fields } });
  return after;
}

/** Disables or enables a user; disabling ends every sign-in session of the user at once. */
export async function setUserStatus(ctx: RegistryContext, subOrUsername: string, status: 'active' | 'disabled', actor: string): Promise<{ user: UserRecord; sessionsEnded: number }> {
  const before = await getUserOrFail(ctx, subOrUsername);
  const after = await writeUser(ctx, before.sub, { status, updatedAt: new Date(ctx.clock()) });
  const sessionsEnded = status === 'disabled' ? await ctx.store.signInSessions.deleteUserSessions(before.sub) : 0;
  await recordChange(ctx, { type: status === 'disabled' ? 'user.disabled' : 'user.enabled', actor, sub: before.sub, before, after, details: { sessions_ended: sessionsEnded } });
  return { user: after, sessionsEnded };
}

/** Deletes a user with its passkeys and sessions. Its sub is never given to anyone else (subs are random). */
export async function deleteUser(ctx: RegistryContext, subOrUsername: string, actor: string): Promise<void> {
  const before = await getUserOrFail(ctx, subOrUsername);
  await ctx.store.users.deleteUser(before.sub);
  await recordChange(ctx, { type: 'user.deleted', actor, sub: before.sub, before });
}
