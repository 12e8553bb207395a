/**
 * Signing a compact JWS (RFC 7515 §7.1) with Node's synchronous crypto: one code path for every
 * JWT Keyward makes (client assertions, direct tokens, access tokens, ID tokens, alert webhooks).
 *
 * Node's `crypto.sign` rather than a WebCrypto-based library: it is synchronous (the token endpoint
 * signs without a microtask per token) and it spares a short-lived command the WebCrypto start-up
 * (about 20 ms of `keyward assertion`'s start, bench/README.md). Interoperability is tested against
 * jose, jsonwebtoken, PyJWT and openssl.
 *
 * Does NOT check that the key fits the algorithm (callers choose them together: loadSigningKey,
 * the signing-key service); a mismatch throws from node:crypto.
 */
import { constants, sign, type KeyObject } from 'node:crypto';
import type { JwsAlgorithm } from '../keys/types.ts';

const HASH: Record<JwsAlgorithm, string | null> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384', ES512: 'sha512',
  EdDSA: null, Ed25519: null,
};

/** RFC 7518 §3: the signature bytes of a JWS signing input with `key` under `alg`. */
export function signJwsInput(signingInput: string, key: KeyObject, alg: JwsAlgorithm): Buffer {
  const data = Buffer.from(signingInput, 'ascii');
  if (alg.startsWith('ES')) {
    // RFC 7518 §3.4: R || S, not DER.
    return sign(HASH[alg], data, { key, dsaEncoding: 'ieee-p1363' });
  }
  if (alg.startsWith('PS')) {
    // RFC 7518 §3.5: salt length = hash length.
    return sign(HASH[alg], data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  }
  // RFC 7518 §3.3 (RS*) and RFC 8037 §3.1 (EdDSA: no separate hash).
  return sign(HASH[alg], data, key);
}

/**
 * The compact serialization `header.payload.signature` of `payload` under `header` (whose `alg`
 * decides the signature), both as JSON in base64url (RFC 7515 §7.1).
 */
export function signCompactJws(header: { readonly alg: JwsAlgorithm } & Record<string, unknown>, payload: object, key: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${signJwsInput(input, key, header.alg).toString('base64url')}`;
}
