/**
 * Sets (or replaces) an end user's password: checked (validate-user-fields.ts), hashed with argon2id
 * (password-hash.ts). Every sign-in session of the user ends, so a password changed after a theft
 * locks the thief out. Writes a `user.password_set` audit event (never the password or its hash).
 */
import type { UserRecord } from '../../../store/contract.ts';
import { getUserOrFail } from './get-user.ts';
import { hashPassword } from './password-hash.ts';
import { recordChange } from './record-change.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';
import { checkPassword } from './validate-user-fields.ts';

/** Sets the password of the user (by sub or username). Throws RegistryError 'not_found' / 'invalid'. */
export async function setUserPassword(ctx: RegistryContext, subOrUsername: string, password: string, actor: string): Promise<{ user: UserRecord; sessionsEnded: number }> {
  const before = await getUserOrFail(ctx, subOrUsername);
  const passwordHash = await hashPassword(checkPassword(password));
  const after = await ctx.store.users.updateUser(before.sub, { passwordHash, updatedAt: new Date(ctx.clock()) });
  if (after === undefined) throw new RegistryError('not_found', `no user ${JSON.stringify(subOrUsername)}`);
  const sessionsEnded = await ctx.store.signInSessions.deleteUserSessions(before.sub);
  await recordChange(ctx, { type: 'user.password_set', actor, sub: before.sub, details: { sessions_ended: sessionsEnded } });
  return { user: after, sessionsEnded };
}
