/**
 * The cookies of the sign-in pages: the session cookie (the session's secret id) and the
 * pre-session cookie (the secret the forms' CSRF tokens are bound to). Both `HttpOnly;
 * SameSite=Lax; Path=/`, plus `Secure` and the `__Host-` name prefix when the issuer is https
 * (RFC 6265bis §4.1.3.2: a `__Host-` cookie cannot be set by a sibling subdomain or over http).
 * SameSite=Lax, not Strict: a relying party sends the browser to /authorize with a top-level
 * cross-site GET, which must carry the session.
 */
import { createHash, randomBytes } from 'node:crypto';

/** The names and attributes of one server's cookies. */
export interface SignInCookies {
  readonly session: string;
  readonly preSession: string;
  /** `Set-Cookie` value of `name=value` with the common attributes; `maxAge` 0 deletes it. */
  serialize(name: string, value: string, maxAge?: number): string;
}

/** The cookies for an issuer (https → `Secure` and `__Host-` names). */
export function createSignInCookies(issuer: string): SignInCookies {
  const secure = issuer.startsWith('https://');
  const prefix = secure ? '__Host-' : '';
  return {
    session: `${prefix}keyward_session`,
    preSession: `${prefix}keyward_presession`,
    serialize(name, value, maxAge) {
      return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}`;
    },
  };
}

/** A new secret for a cookie: 256 random bits, base64url (43 characters). */
export function newCookieSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps of a session id: its SHA-256, base64url (the session's public id). */
export function hashSessionId(sessionSecret: string): string {
  return createHash('sha256').update(sessionSecret).digest('base64url');
}

/** The shape of a secret this server issues (anything else is ignored without a lookup). */
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * The value of cookie `name` in a Cookie header (RFC 6265 §5.4), when it has the shape of a secret
 * this server issues; the first one wins when a name repeats. Undefined otherwise.
 */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== name) continue;
    const value = part.slice(index + 1).trim();
    return SECRET.test(value) ? value : undefined;
  }
  return undefined;
}
