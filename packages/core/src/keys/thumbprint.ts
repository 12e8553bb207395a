/**
 * RFC 7638 JWK thumbprints (SHA-256, base64url), synchronous so that key import stays synchronous.
 * Cross-checked against jose's calculateJwkThumbprint in the tests.
 */
import { createHash, KeyObject } from 'node:crypto';
import { publicHalf } from './public-half.ts';
import { KeyError } from '../errors.ts';

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a key (a KeyObject, public or private, or a JWK object).
 * Only the public required members are hashed, so a key and its public half give the same value.
 */
export function calculateThumbprint(keyOrJwk: KeyObject | Readonly<Record<string, unknown>>): string {
  const jwk = keyOrJwk instanceof KeyObject
    ? (publicHalf(keyOrJwk).export({ format: 'jwk' }) as Record<string, unknown>)
    : keyOrJwk;
  const kty = jwk.kty;
  const members = typeof kty === 'string' ? REQUIRED_MEMBERS[kty] : undefined;
  if (!members) {
    throw new KeyError('key_type_unsupported', `cannot compute a thumbprint for key type ${JSON.stringify(kty)}: use an RSA, EC or OKP (Ed25519) key`);
  }
  const canonical: Record<string, unknown> = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string' || value.length === 0) {
      throw new KeyError('key_format_unknown', `the ${kty} JWK lacks its "${member}" member: give a complete public JWK`);
    }
    canonical[member] = value;
  }
  // RFC 7638 §3.3: no whitespace, members in lexicographic order (the order above), UTF-8.
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('base64url');
}
