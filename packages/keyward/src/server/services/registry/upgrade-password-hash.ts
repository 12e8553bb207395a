/**
 * Replaces an end user's password hash made with weaker argon2 settings than the current ones
 * (password-hash.ts) by a new hash of the same password, at a successful sign-in, the one moment
 * the server holds the password (OWASP Password Storage Cheat Sheet, "Upgrading legacy hashes").
 * The sessions of the user are kept (the password did not change). Writes a
 * `user.password_rehashed` audit event with the old and new settings (never the hash).
 */
import type { UserRecord } from '../../../store/contract.ts';
import { hashPassword, passwordHashNeedsUpgrade, PASSWORD_HASH_PARAMETERS } from './password-hash.ts';
import { recordChange } from './record-change.ts';
import type { RegistryContext } from './registry-context.ts';

/** The argon2 settings of a PHC string, as shown in the audit log. */
function settingsOf(phc: string): string {
  return phc.split('$').slice(1, 4).join('$');
}

/**
 * Rehashes `password` for `user` when the stored hash needs it; true when it did. Call it only with
 * the password that just matched `user.passwordHash`. A password set meanwhile (the stored hash is
 * no longer the one that matched) is left alone.
 */
export async function upgradePasswordHash(ctx: RegistryContext, user: UserRecord, password: string): Promise<boolean> {
  const old = user.passwordHash;
  if (old === undefined || !passwordHashNeedsUpgrade(old)) return false;
  const passwordHash = await hashPassword(password);
  const current = await ctx.store.users.getUser(user.sub);
  if (current?.passwordHash !== old) return false;
  await ctx.store.users.updateUser(user.sub, { passwordHash, updatedAt: new Date(ctx.clock()) });
  const { memoryCost, timeCost, parallelism } = PASSWORD_HASH_PARAMETERS;
  await recordChange(ctx, {
    type: 'user.password_rehashed', actor: 'sign-in', sub: user.sub,
    details: { from: settingsOf(old), to: `argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}` },
  });
  return true;
}
