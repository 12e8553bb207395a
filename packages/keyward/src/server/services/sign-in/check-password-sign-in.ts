/**
 * The password check of the sign-in page, in this order: the throttle (failures per username and
 * per source address, successes per source address), then exactly one argon2id verification whatever happens (the user's hash,
 * or a dummy hash for an unknown username, an invalid one, or a user without a password:
 * registry/password-hash.ts), then the user's status and passkey requirement; on success, a hash
 * made with weaker argon2 settings is replaced (registry/upgrade-password-hash.ts). An unknown user, a
 * wrong password and a disabled user all get the same outcome for the page (`bad_credentials` or
 * `disabled`, shown alike) after the same work. Does NOT create the session.
 */
import type { UserRecord } from '../../../store/contract.ts';
import { usernameKey } from '../../../store/shared/user-rows.ts';
import { verifyPassword } from '../registry/password-hash.ts';
import type { RegistryContext } from '../registry/registry-context.ts';
import { upgradePasswordHash } from '../registry/upgrade-password-hash.ts';
import { USERNAME } from '../registry/validate-user-fields.ts';
import type { SignInLimit, SignInThrottle } from './sign-in-throttle.ts';

/** What the password check decided. */
export type PasswordSignInResult =
  | { readonly ok: true; readonly user: UserRecord }
  /** Over a failure budget: no password was checked. */
  | { readonly ok: false; readonly outcome: 'throttled'; readonly retryAfter: number; readonly limit: SignInLimit }
  /** The page shows `bad_credentials` and `disabled` alike; `user` is for the audit log only. */
  | { readonly ok: false; readonly outcome: 'bad_credentials' | 'disabled'; readonly user?: UserRecord }
  /** The password was right, but this user must use a passkey. */
  | { readonly ok: false; readonly outcome: 'passkey_required'; readonly user: UserRecord };

/** Checks `username` and `password` from `address`, counting a failure against both failure budgets and a success against the address's success budget. */
export async function checkPasswordSignIn(registry: RegistryContext, throttle: SignInThrottle, username: string, password: string, address: string): Promise<PasswordSignInResult> {
  const { store } = registry;
  const key = usernameKey(username.slice(0, 64));
  const { retryAfter, limit } = await throttle.blockedFor(key, address);
  if (retryAfter > 0) return { ok: false, outcome: 'throttled', retryAfter, limit: limit! };
  // An invalid username cannot exist: it is not looked up, but still costs one verification.
  const user = USERNAME.test(username) ? await store.users.findUserByUsername(username) : undefined;
  const matches = await verifyPassword(user?.passwordHash, password);
  if (!matches || user === undefined) {
    await throttle.recordFailure(key, address);
    return { ok: false, outcome: 'bad_credentials', ...(user ? { user } : {}) };
  }
  if (user.status !== 'active') {
    await throttle.recordFailure(key, address);
    return { ok: false, outcome: 'disabled', user };
  }
  if (user.requirePasskey) return { ok: false, outcome: 'passkey_required', user };
  await throttle.recordSuccess(key, address);
  // The registry is the one write path for users; a failed rehash is tried again next time.
  await upgradePasswordHash(registry, user, password).catch(() => false);
  return { ok: true, user };
}
