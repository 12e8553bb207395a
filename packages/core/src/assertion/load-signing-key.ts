/**
 * Turns whatever private key a signer was given (KeyObject, WebCrypto CryptoKey, private JWK, PEM)
 * into a private KeyObject and picks the default JWS algorithm for it.
 */
import { KeyObject, createPublicKey, type webcrypto } from 'node:crypto';
import { importPrivateKey } from '../keys/index.ts';
import { isJwsAlgorithm, type JwsAlgorithm } from '../keys/types.ts';
import { doesKeyFitAlgorithm } from '../jws/verify-jws-signature.ts';

/** A private key in any form the signers accept. */
export type SigningKeyInput = KeyObject | CryptoKey | Record<string, unknown> | string;

/** WebCrypto's key, as @types/node declares it (so that no consumer needs the DOM lib). */
type CryptoKey = webcrypto.CryptoKey;

/**
 * Whether `input` is a WebCrypto CryptoKey (Node ≥ 19's global class, read without the DOM lib's
 * declaration). Read only for an object that is not a KeyObject: the global's first read starts
 * WebCrypto, which a command signing with a PEM file never needs.
 */
function isCryptoKey(input: unknown): input is CryptoKey {
  if (typeof input !== 'object' || input === null || input instanceof KeyObject) return false;
  const CryptoKeyClass = (globalThis as { CryptoKey?: abstract new (...args: never[]) => CryptoKey }).CryptoKey;
  return CryptoKeyClass !== undefined && input instanceof CryptoKeyClass;
}

/** A private key ready to sign (signCompactJws), with the algorithm it will sign with. */
export interface SigningKey {
  readonly key: KeyObject;
  readonly alg: JwsAlgorithm;
}

const EC_ALGS: Record<string, JwsAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/**
 * Loads the private key and decides the algorithm: `alg` if given (it must fit the key, else
 * TypeError), else the JWK's own `alg`, else the CryptoKey's algorithm, else by key type (RSA →
 * `rsaDefault`, EC by curve, Ed25519 → EdDSA). PEM goes through importPrivateKey (PKCS#1, PKCS#8,
 * SEC1, encrypted PKCS#8 and legacy `openssl genrsa -des3` PEM, with `passphrase`).
 * Throws TypeError for a public key or an unusable input; KeyError from importPrivateKey for PEM
 * problems (wrong passphrase, public key given, RSA under 2048 bits...). Never puts key material in a
 * message.
 */
export function loadSigningKey(input: SigningKeyInput, options: { passphrase?: string; alg?: JwsAlgorithm; rsaDefault?: JwsAlgorithm } = {}): SigningKey {
  let key: KeyObject;
  let declared: JwsAlgorithm | undefined;
  if (isCryptoKey(input)) {
    if (input.type !== 'private') throw new TypeError('privateKey: this CryptoKey is not a private key');
    key = KeyObject.from(input);
    declared = algFromCryptoKey(input);
  } else if (input instanceof KeyObject || typeof input === 'string' || (typeof input === 'object' && input !== null)) {
    // importPrivateKey reads every PEM kind (plain, encrypted PKCS#8, legacy -des3), private JWKs
    // and KeyObjects, applies the key policy, and turns passphrase problems into clear KeyErrors.
    key = importPrivateKey(input as KeyObject | string | Record<string, unknown>, options.passphrase === undefined ? {} : { passphrase: options.passphrase });
    if (!(input instanceof KeyObject) && typeof input === 'object' && isJwsAlgorithm((input as Record<string, unknown>).alg)) {
      declared = (input as Record<string, unknown>).alg as JwsAlgorithm;
    }
  } else {
    throw new TypeError('privateKey must be a KeyObject, a CryptoKey, a private JWK or a PEM string');
  }
  if (key.type !== 'private') throw new TypeError('privateKey: this is not a private key');

  const publicKey = createPublicKey(key);
  const alg = options.alg ?? declared ?? defaultAlgorithm(key, options.rsaDefault ?? 'RS256');
  if (alg === undefined) throw new TypeError(`privateKey: no JWS algorithm for a ${key.asymmetricKeyType ?? 'unknown'} key`);
  if (!isJwsAlgorithm(alg)) throw new TypeError(`alg must be one of the asymmetric JWS algorithms, not ${String(alg)}`);
  if (!doesKeyFitAlgorithm(publicKey, alg)) throw new TypeError(`alg ${alg} does not fit this ${key.asymmetricKeyType ?? 'unknown'} key`);
  return { key, alg };
}

function defaultAlgorithm(key: KeyObject, rsaDefault: JwsAlgorithm): JwsAlgorithm | undefined {
  switch (key.asymmetricKeyType) {
    case 'rsa': return rsaDefault;
    case 'ec': return EC_ALGS[(key.asymmetricKeyDetails as { namedCurve?: string } | undefined)?.namedCurve ?? ''];
    case 'ed25519': return 'EdDSA';
    default: return undefined;
  }
}

function algFromCryptoKey(key: CryptoKey): JwsAlgorithm | undefined {
  const algorithm = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string };
  const bits = algorithm.hash?.name.replace('SHA-', '');
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5': return isJwsAlgorithm(`RS${bits}`) ? (`RS${bits}` as JwsAlgorithm) : undefined;
    case 'RSA-PSS': return isJwsAlgorithm(`PS${bits}`) ? (`PS${bits}` as JwsAlgorithm) : undefined;
    case 'ECDSA': return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, JwsAlgorithm>)[algorithm.namedCurve ?? ''];
    case 'Ed25519': return 'EdDSA';
    default: return undefined;
  }
}
