/**
 * Key lifecycle rules, applied AFTER the signature verified (so only the holder of the private key
 * learns that the key was revoked, retired or expired).
 */
import { OAuthError } from '../errors.ts';
import type { RegisteredKey } from '../keys/types.ts';

/**
 * Refuses a registered key that may no longer (or not yet) be used at `now` (epoch seconds):
 * state 'revoked' → 'key_revoked'; 'retiring' past `retireAt` → 'key_retired'; after `notAfter` →
 * 'key_expired'; before `notBefore` → 'key_not_yet_valid' (RFC 5280 §4.1.2.5 for certificates).
 * No clock tolerance: these dates are the operator's, not the client's.
 * Does NOT check the signature or any claim.
 */
export function checkKeyLifecycle(key: RegisteredKey, now: number): void {
  if (key.state === 'revoked') {
    throw new OAuthError('key_revoked', { detail: `the key ${key.kid} has been revoked: sign with another registered key, or register a new one` });
  }
  if (key.state === 'retiring' && key.retireAt !== undefined && now > key.retireAt.getTime() / 1000) {
    throw new OAuthError('key_retired', { detail: `the key ${key.kid} was retired at ${key.retireAt.toISOString()}: sign with the key that replaced it` });
  }
  if (key.notAfter !== undefined && now > key.notAfter.getTime() / 1000) {
    throw new OAuthError('key_expired', { detail: `the key ${key.kid} was valid until ${key.notAfter.toISOString()}: register a new key or certificate` });
  }
  if (key.notBefore !== undefined && now < key.notBefore.getTime() / 1000) {
    throw new OAuthError('key_not_yet_valid', { detail: `the key ${key.kid} is valid from ${key.notBefore.toISOString()}: check the certificate dates or the server clock` });
  }
}
