/**
 * The wire view (snake_case) of an end user, as the admin API, the CLI's `--json` and the audit log
 * show it. The password hash never appears: only whether there is one.
 */
import type { UserRecord } from '../../../store/contract.ts';

/** A user as the admin API shows it. */
export interface UserView {
  sub: string;
  username: string;
  name?: string;
  email?: string;
  status: string;
  require_passkey: boolean;
  has_password: boolean;
  created_at: string;
  updated_at: string;
  last_sign_in_at?: string;
}

/** The view of a user record. */
export function toUserView(user: UserRecord): UserView {
  return {
    sub: user.sub,
    username: user.username,
    ...(user.name !== undefined ? { name: user.name } : {}),
    ...(user.email !== undefined ? { email: user.email } : {}),
    status: user.status,
    require_passkey: user.requirePasskey,
    has_password: user.passwordHash !== undefined,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    ...(user.lastSignInAt !== undefined ? { last_sign_in_at: user.lastSignInAt.toISOString() } : {}),
  };
}
