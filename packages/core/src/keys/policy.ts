/**
 * The key policy: which keys Keyward accepts and which JWS algorithms fit each one.
 * RSA ≥ 2048 bits (RFC 7518 §3.3, NIST SP 800-131A), EC P-256/P-384/P-521 (RFC 7518 §3.4), Ed25519
 * (RFC 8037). Symmetric keys, other curves and other key types are refused with a sentence that
 * names the fix. The algorithm family always comes from the key, never from a JWT header
 * (RFC 8725 §3.1).
 */
import type { KeyObject } from 'node:crypto';
import { KeyError } from '../errors.ts';
import type { CurveName, JwsAlgorithm, KeyType } from './types.ts';

/** Minimum RSA modulus length. */
export const MIN_RSA_BITS = 2048;

const CURVES: Readonly<Record<string, CurveName>> = {
  prime256v1: 'P-256', 'P-256': 'P-256', secp256r1: 'P-256',
  secp384r1: 'P-384', 'P-384': 'P-384',
  secp521r1: 'P-521', 'P-521': 'P-521',
};

// The first algorithm of each list is the default (EdDSA stays the default name for Ed25519 keys).
const CURVE_ALGS: Readonly<Record<CurveName, readonly JwsAlgorithm[]>> = {
  'P-256': ['ES256'], 'P-384': ['ES384'], 'P-521': ['ES512'], Ed25519: ['EdDSA', 'Ed25519'],
};

const RSA_ALGS: readonly JwsAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** What the policy learned about an accepted key. */
export interface KeyFacts {
  readonly kty: KeyType;
  readonly bits?: number;
  readonly curve?: CurveName;
}

/**
 * Checks a key (public or private) against the policy and returns its facts.
 * Does NOT check whether the key is public or private: the importers do that.
 */
export function checkKeyPolicy(key: KeyObject): KeyFacts {
  if (key.type === 'secret') {
    throw new KeyError('key_is_symmetric', 'this is a symmetric (shared secret) key: Keyward authenticates clients with asymmetric keys only; generate an RSA, EC or Ed25519 key pair');
  }
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) {
        throw new KeyError('key_too_small', `RSA keys must be at least ${MIN_RSA_BITS} bits; this one has ${bits}: generate a new key with \`keyward keygen --type rsa --bits 2048\` or \`openssl genrsa -out private_key.pem 2048\``);
      }
      return { kty: 'RSA', bits };
    }
    case 'ec': {
      const curve = CURVES[details.namedCurve ?? ''];
      if (!curve) {
        throw new KeyError('key_curve_unsupported', `the elliptic curve ${details.namedCurve ?? '(unknown)'} is not supported: use P-256, P-384 or P-521 (\`keyward keygen --type ec --curve P-256\`)`);
      }
      return { kty: 'EC', curve };
    }
    case 'ed25519':
      return { kty: 'OKP', curve: 'Ed25519' };
    case 'rsa-pss':
      throw new KeyError('key_type_unsupported', 'this is an RSA-PSS-restricted key (OID rsassaPss), which cannot be published as a JWK: export it as a plain RSA key, for example `openssl pkey -in key.pem -pubout -traditional`, or generate a plain RSA key and sign with PS256');
    default:
      throw new KeyError('key_type_unsupported', `${type ?? 'this'} keys are not supported for JWT signatures: use RSA (2048 bits or more), EC P-256/P-384/P-521 or Ed25519`);
  }
}

/** The JWS algorithms that fit a key (RFC 7518 §3.1, RFC 8037 §3.1). */
export function algorithmsForKey(key: KeyObject): JwsAlgorithm[] {
  const facts = checkKeyPolicy(key);
  if (facts.kty === 'RSA') return [...RSA_ALGS];
  return [...CURVE_ALGS[facts.curve as CurveName]];
}

/** The algorithm Keyward uses for a key when none is asked for: RS256 for RSA, else the curve's. */
export function defaultAlgorithmForKey(key: KeyObject): JwsAlgorithm {
  return algorithmsForKey(key)[0] as JwsAlgorithm;
}

/**
 * Checks that a declared algorithm (a JWK `alg`, an `--alg` flag) fits the key. `none`, HS* and
 * anything that does not fit the key's type or curve are refused (RFC 7517 §4.4, RFC 8725 §3.1).
 */
export function checkAlgorithmFitsKey(alg: unknown, key: KeyObject): JwsAlgorithm {
  const fitting = algorithmsForKey(key);
  if (typeof alg === 'string' && (fitting as string[]).includes(alg)) return alg as JwsAlgorithm;
  const facts = checkKeyPolicy(key);
  const what = facts.kty === 'RSA' ? `an RSA key` : `a ${facts.curve} key`;
  const shown = typeof alg === 'string' ? alg : JSON.stringify(alg);
  const symmetric = typeof alg === 'string' && /^HS|^none$/i.test(alg) ? ' (symmetric and unsigned algorithms are never accepted)' : '';
  throw new KeyError('key_alg_mismatch', `the algorithm ${shown} does not fit ${what}${symmetric}: use ${fitting.join(', ')}, or remove "alg" from the key`);
}
