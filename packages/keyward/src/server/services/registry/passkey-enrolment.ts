/**
 * Passkey enrolment links: the operator's way to give an end user its first passkey (a user who
 * must use a passkey and has none cannot sign in to add one). A link carries 256 random bits
 * (RFC 6749 §10.10: guessing it must be infeasible; at least 128 bits), is
 * stored only as their SHA-256, lives `signIn.passkeyEnrolmentSeconds` (default 15 minutes) and
 * registers one passkey for its user, once (routes/sign-in/passkey-routes.ts). The secret travels
 * in the URL's fragment, which browsers never send to a server, so it stays out of access logs,
 * proxies and Referer headers; the page's script reads it and posts it. Written to the audit log
 * with the actor (never the secret).
 */
import { randomBytes } from 'node:crypto';
import type { UserRecord } from '../../../store/contract.ts';
import { hashOpaqueToken } from '../authorization/issue-authorization-code.ts';
import { getUserOrFail } from './get-user.ts';
import { recordChange } from './record-change.ts';
import type { RegistryContext } from './registry-context.ts';
import { RegistryError } from './registry-error.ts';

/** The page a link opens, under the issuer. */
export const PASSKEY_ENROLMENT_PATH = '/sign-in/enrol';

/** The link of `token` for the server at `issuer`: the secret in the fragment. */
export function passkeyEnrolmentUrl(issuer: string, token: string): string {
  return `${issuer}${PASSKEY_ENROLMENT_PATH}#token=${token}`;
}

/** The SHA-256 (base64url) a link's secret is stored and looked up as. */
export function hashEnrolmentToken(token: string): string {
  return hashOpaqueToken(token);
}

/**
 * Creates a link for the user `subOrUsername` (by sub or username), valid `lifetimeSeconds`. Throws
 * RegistryError 'not_found', or 'invalid' for a disabled user. Returns the secret (shown once,
 * never stored) and when it expires.
 */
export async function createPasskeyEnrolment(ctx: RegistryContext, subOrUsername: string, options: { lifetimeSeconds: number; actor: string }): Promise<{ user: UserRecord; token: string; expiresAt: Date }> {
  const user = await getUserOrFail(ctx, subOrUsername);
  if (user.status !== 'active') throw new RegistryError('invalid', `the user ${JSON.stringify(user.username)} is disabled: enable it first (\`keyward users enable\`)`);
  const token = randomBytes(32).toString('base64url');
  const now = ctx.clock();
  const expiresAt = new Date(now + options.lifetimeSeconds * 1000);
  await ctx.store.users.putPasskeyEnrolment({ tokenHash: hashEnrolmentToken(token), sub: user.sub, createdAt: new Date(now), expiresAt });
  await recordChange(ctx, { type: 'user.passkey_link_created', actor: options.actor, sub: user.sub, details: { expires_at: expiresAt.toISOString() } });
  return { user, token, expiresAt };
}
