/** Reads a user by sub or username, or refuses with RegistryError not_found. */
import type { UserRecord } from '../../../store/contract.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';

/**
 * The user whose sub is `subOrUsername`, else whose username is (case-insensitively); throws
 * RegistryError('not_found') when neither exists.
 */
export async function getUserOrFail(ctx: RegistryContext, subOrUsername: string): Promise<UserRecord> {
  const user = (await ctx.store.users.getUser(subOrUsername)) ?? (await ctx.store.users.findUserByUsername(subOrUsername));
  if (user === undefined) throw new RegistryError('not_found', `no user ${JSON.stringify(subOrUsername)}: list users with \`keyward users list\``);
  return user;
}
