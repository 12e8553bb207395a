/**
 * Reads a JWK Set document (RFC 7517 §5) fetched from a URL: a client's `jwks_uri` at the server, the
 * server's `/jwks` at an API. The one reading rule of both:
 *
 * - the document must be a JSON object with a `keys` array (RFC 7517 §5), else undefined;
 * - entries that are not signature keys are skipped, with the reason: `use` other than "sig"
 *   (RFC 7517 §4.2: "enc" keys do not authenticate), symmetric (`oct`) keys, key types or curves not
 *   understood, keys weaker than the key policy (RFC 7517 §5: "implementations SHOULD ignore JWKs
 *   within a JWK Set that use kty values that are not understood ... or for which values are out of
 *   the supported ranges"), so that one odd entry never hides the others;
 * - an entry holding private key material is skipped too and reported in `hasPrivate`: the caller
 *   decides (the server refuses a client's whole set, since the client has published its secret).
 *
 * Does NOT fetch, cache or check `kid` uniqueness (a verifier tries every key with the kid).
 */
import { KeyError } from '../errors.ts';
import { importPublicKey } from './import-public-key.ts';
import type { PublicKeyInfo } from './types.ts';

/** What {@link readJwkSet} found. */
export interface JwkSetReading {
  /** The usable signature keys, in document order. */
  readonly keys: PublicKeyInfo[];
  /** Every entry left out, by its index in `keys`, with why (operator detail, no key material). */
  readonly skipped: ReadonlyArray<{ readonly index: number; readonly reason: string }>;
  /** True when some entry held private key material (`d`, `p`, `q`, ...). */
  readonly hasPrivate: boolean;
}

// RFC 7518 §6.2.2 and §6.3.2: the members only a private EC, OKP or RSA key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/** Reads `document` as a JWK Set; undefined when it is not one (not an object with a `keys` array). */
export function readJwkSet(document: unknown): JwkSetReading | undefined {
  const entries = typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(entries)) return undefined;
  const keys: PublicKeyInfo[] = [];
  const skipped: Array<{ index: number; reason: string }> = [];
  let hasPrivate = false;
  entries.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      skipped.push({ index, reason: 'not a JSON object' });
      return;
    }
    const jwk = entry as Record<string, unknown>;
    if (jwk.kty !== 'oct' && PRIVATE_MEMBERS.some((member) => jwk[member] !== undefined)) {
      hasPrivate = true;
      skipped.push({ index, reason: 'holds private key material' });
      return;
    }
    // RFC 7517 §4.2: "sig" or absent for a signature key.
    if (jwk.use !== undefined && jwk.use !== 'sig') {
      skipped.push({ index, reason: `"use": ${JSON.stringify(jwk.use)} is not a signature key` });
      return;
    }
    try {
      keys.push(importPublicKey(jwk));
    } catch (error) {
      // Malformed members can also fail inside node:crypto's JWK import (not a KeyError).
      skipped.push({ index, reason: error instanceof KeyError ? error.message : 'not a usable public key' });
    }
  });
  return { keys, skipped, hasPrivate };
}
