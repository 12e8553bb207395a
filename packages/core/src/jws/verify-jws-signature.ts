/**
 * The one signature check of Keyward: Node's synchronous crypto (OpenSSL) with the algorithm and the
 * key fixed by our registry, never by the JWT header. No cryptography is written here, only the
 * mapping of a JWS `alg` to the parameters crypto.verify / createVerify take (RFC 7518 §3, RFC 8037 §3.1).
 */
import { constants, createVerify, verify, KeyObject } from 'node:crypto';
import { isJwsAlgorithm, type JwsAlgorithm } from '../keys/types.ts';
import type { ParsedJws } from './types.ts';

interface AlgParams {
  /** Node's `asymmetricKeyType` the algorithm needs. */
  readonly keyType: 'rsa' | 'ec' | 'ed25519';
  /** Digest name for crypto.verify (null for EdDSA, which hashes internally). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** RSA-PSS salt length = hash length (RFC 7518 §3.5). */
  readonly pssSaltLength?: number;
  /** EC curve (Node's name) and exact R || S signature length (RFC 7518 §3.4). */
  readonly curve?: 'prime256v1' | 'secp384r1' | 'secp521r1';
  readonly signatureLength?: number;
}

// RFC 7518 §3.1 (the alg table) and RFC 8037 §3.1 (EdDSA).
const ALG_PARAMS: Record<JwsAlgorithm, AlgParams> = {
  RS256: { keyType: 'rsa', hash: 'sha256' },
  RS384: { keyType: 'rsa', hash: 'sha384' },
  RS512: { keyType: 'rsa', hash: 'sha512' },
  PS256: { keyType: 'rsa', hash: 'sha256', pssSaltLength: 32 },
  PS384: { keyType: 'rsa', hash: 'sha384', pssSaltLength: 48 },
  PS512: { keyType: 'rsa', hash: 'sha512', pssSaltLength: 64 },
  ES256: { keyType: 'ec', hash: 'sha256', curve: 'prime256v1', signatureLength: 64 },
  ES384: { keyType: 'ec', hash: 'sha384', curve: 'secp384r1', signatureLength: 96 },
  ES512: { keyType: 'ec', hash: 'sha512', curve: 'secp521r1', signatureLength: 132 },
  EdDSA: { keyType: 'ed25519', hash: null, signatureLength: 64 },
  // RFC 9864 §2.2: the fully-specified name of EdDSA with Ed25519.
  Ed25519: { keyType: 'ed25519', hash: null, signatureLength: 64 },
};

interface KeyFacts { readonly type: string | undefined; readonly curve: string | undefined }
const keyFactsCache = new WeakMap<KeyObject, KeyFacts>();

function keyFacts(key: KeyObject): KeyFacts {
  let facts = keyFactsCache.get(key);
  if (facts === undefined) {
    const details = key.asymmetricKeyDetails as { namedCurve?: string } | undefined;
    facts = { type: key.asymmetricKeyType, curve: details?.namedCurve };
    keyFactsCache.set(key, facts);
  }
  return facts;
}

/** True when `key` is of the type (and curve) that `alg` needs. Never throws. */
export function doesKeyFitAlgorithm(key: KeyObject, alg: JwsAlgorithm): boolean {
  const params = ALG_PARAMS[alg];
  if (params === undefined || !(key instanceof KeyObject) || key.type !== 'public') return false;
  const facts = keyFacts(key);
  return facts.type === params.keyType && (params.curve === undefined || facts.curve === params.curve);
}

/**
 * Verifies the signature of `parsed` with `key` under `alg`, both chosen by the caller from the
 * registry (see verifyWithRegisteredKeys), never read from the header.
 *
 * - RS*: RSASSA-PKCS1-v1_5 (RFC 7518 §3.3); PS*: RSASSA-PSS with MGF1 and salt length = hash length
 *   (RFC 7518 §3.5); ES*: ECDSA over the named curve with the R || S signature of exactly 64/96/132
 *   bytes, and R ≠ 0, S ≠ 0 (RFC 7518 §3.4; CVE-2022-21449); EdDSA: Ed25519 (RFC 8037 §3.1).
 *
 * Returns false for every bad signature (wrong bytes, wrong length, DER instead of R || S, empty).
 * Throws TypeError only for programmer misuse: `key` not a public KeyObject, `alg` not one of the ten
 * asymmetric algorithms, or a key whose type/curve does not fit `alg`.
 *
 * Does NOT look at the header (not even `alg`), the claims, or the key's lifecycle state.
 */
export function verifyJwsSignature(parsed: ParsedJws, key: KeyObject, alg: JwsAlgorithm): boolean {
  if (!isJwsAlgorithm(alg)) throw new TypeError(`verifyJwsSignature: unsupported algorithm ${String(alg)}`);
  if (!(key instanceof KeyObject) || key.type !== 'public') throw new TypeError('verifyJwsSignature: key must be a public KeyObject');
  if (!doesKeyFitAlgorithm(key, alg)) {
    throw new TypeError(`verifyJwsSignature: a ${keyFacts(key).type ?? 'unknown'} key cannot verify ${alg}`);
  }
  return verifyWithParams(parsed, signatureParams(key, alg));
}

/**
 * What crypto.verify takes for one (key, alg) pair, built once: the digest and the key with its
 * padding (RSA PKCS#1 v1.5 or PSS with its salt length) or signature encoding (ECDSA R || S).
 */
export interface SignatureParams {
  readonly alg: JwsAlgorithm;
  readonly hash: AlgParams['hash'];
  readonly key: KeyObject | { readonly key: KeyObject; readonly padding: number; readonly saltLength?: number } | { readonly key: KeyObject; readonly dsaEncoding: 'ieee-p1363' };
}

const paramsCache = new WeakMap<KeyObject, Partial<Record<JwsAlgorithm, SignatureParams>>>();

/**
 * The crypto.verify parameters of `alg` with `key`, cached per key object. The caller has checked
 * that the key fits the algorithm ({@link doesKeyFitAlgorithm}); nothing here reads a header.
 */
export function signatureParams(key: KeyObject, alg: JwsAlgorithm): SignatureParams {
  let byAlg = paramsCache.get(key);
  if (byAlg === undefined) {
    byAlg = {};
    paramsCache.set(key, byAlg);
  }
  let params = byAlg[alg];
  if (params === undefined) {
    const p = ALG_PARAMS[alg];
    // RFC 7518 §3.3 (PKCS#1 v1.5), §3.5 (PSS, salt = hash length), §3.4 (ECDSA R || S), RFC 8037 §3.1.
    // (The option objects are frozen; the KeyObject itself is never frozen: Node caches facts on it.)
    const verifyKey = p.keyType === 'rsa'
      ? Object.freeze(p.pssSaltLength === undefined
        ? { key, padding: constants.RSA_PKCS1_PADDING }
        : { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.pssSaltLength })
      : p.keyType === 'ec' ? Object.freeze({ key, dsaEncoding: 'ieee-p1363' as const }) : key;
    params = Object.freeze({ alg, hash: p.hash, key: verifyKey });
    byAlg[alg] = params;
  }
  return params;
}

/**
 * The signature check proper, with parameters from {@link signatureParams}: the shape rules of
 * {@link isWellFormedSignature}, then OpenSSL through Node's crypto. RSA and ECDSA use a `Verify`
 * object (createVerify, the same OpenSSL verification with the same options as crypto.verify; in
 * the verification benchmark it costs less per call inside a whole request than the one-shot
 * form); EdDSA, which has no streaming form, uses crypto.verify. False for every bad signature.
 */
export function verifyWithParams(parsed: ParsedJws, params: SignatureParams): boolean {
  const { signature, signingInput } = parsed;
  if (!Buffer.isBuffer(signature) || !Buffer.isBuffer(signingInput)) throw new TypeError('verifyJwsSignature: parsed must come from parseCompactJws');
  if (!isWellFormedSignature(signature, params.alg)) return false;
  try {
    if (params.hash === null) return verify(null, signingInput, params.key, signature);
    return createVerify(params.hash).update(signingInput).verify(params.key as Exclude<SignatureParams['key'], KeyObject>, signature);
  } catch {
    // OpenSSL refuses some malformed signatures by throwing; a bad signature is just false.
    return false;
  }
}

/**
 * The shape checks made before any cryptography: a signature is non-empty; ECDSA signatures are the
 * R || S concatenation of exactly 64/96/132 bytes (RFC 7518 §3.4, so DER is refused) with R ≠ 0 and
 * S ≠ 0 (the CVE-2022-21449 "psychic signature" shape); Ed25519 signatures are 64 bytes (RFC 8032
 * §5.1.6). OpenSSL refuses these too; checking here keeps the rule independent of the backend.
 * Does NOT check the signature itself.
 */
export function isWellFormedSignature(signature: Uint8Array, alg: JwsAlgorithm): boolean {
  const params = ALG_PARAMS[alg];
  if (params === undefined || signature.length === 0) return false;
  if (params.signatureLength !== undefined && signature.length !== params.signatureLength) return false;
  if (params.keyType === 'ec') {
    const half = signature.length / 2;
    if (isAllZero(signature, 0, half) || isAllZero(signature, half, signature.length)) return false;
  }
  return true;
}

function isAllZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}
