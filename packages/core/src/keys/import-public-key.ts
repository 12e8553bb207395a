/**
 * Public key import: PEM SPKI, PEM PKCS#1 (`BEGIN RSA PUBLIC KEY`), X.509 certificates (PEM or DER),
 * JWK and JWKS. Every key passes the key policy; private material is refused ("this is a private
 * key: register the public key only"). Import happens once, at registration or cache fill: never per
 * request.
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import { KeyError } from '../errors.ts';
import { looksLikePem, PRIVATE_LABELS, readPemBlocks } from './pem.ts';
import type { PemBlock } from './pem.ts';
import { checkAlgorithmFitsKey, checkKeyPolicy } from './policy.ts';
import { calculateThumbprint } from './thumbprint.ts';
import { readCertificate } from './certificate.ts';
import { exportPublicJwk } from './export-key.ts';
import type { CertificateInfo, JwsAlgorithm, PublicKeyInfo } from './types.ts';

type KeyInput = string | Uint8Array | Readonly<Record<string, unknown>> | KeyObject;

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The refusal for private material given where a public key belongs. */
export function privateKeyRefusal(): KeyError {
  return new KeyError('key_is_private', 'this is a private key: register the public key only (derive it with `keyward pubkey private_key.pem` or `openssl rsa -in private_key.pem -pubout -out public_key.pem`)');
}

function describe(key: KeyObject, options: { kid?: string; alg?: unknown; certificate?: CertificateInfo }): PublicKeyInfo {
  const facts = checkKeyPolicy(key);
  const alg = options.alg === undefined ? undefined : checkAlgorithmFitsKey(options.alg, key);
  const jwk = exportPublicJwk(key, { ...(alg ? { alg } : {}), ...(options.kid ? { kid: options.kid } : {}) });
  const thumbprint = calculateThumbprint(jwk as unknown as Record<string, unknown>);
  return {
    key,
    kid: options.kid ?? thumbprint,
    thumbprint,
    kty: facts.kty,
    ...(facts.bits ? { bits: facts.bits } : {}),
    ...(facts.curve ? { curve: facts.curve } : {}),
    ...(alg ? { alg } : {}),
    jwk: alg ? jwk : (() => { const { alg: _omit, ...rest } = jwk; return rest; })(),
    ...(options.certificate ? { certificate: options.certificate } : {}),
  };
}

function fromJwk(jwk: Readonly<Record<string, unknown>>, options: { kid?: string; alg?: JwsAlgorithm }): PublicKeyInfo {
  if (jwk.kty === 'oct') {
    throw new KeyError('key_is_symmetric', 'this JWK is a symmetric key (kty "oct"): Keyward authenticates clients with asymmetric keys only; register an RSA, EC or Ed25519 public key');
  }
  if (PRIVATE_JWK_MEMBERS.some((member) => jwk[member] !== undefined)) throw privateKeyRefusal();
  if (typeof jwk.kty !== 'string') {
    throw new KeyError('key_format_unknown', 'this JSON is not a JWK (no "kty" member): give a JWK, a JWKS ({"keys":[...]}) or a PEM file');
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw new KeyError('key_alg_mismatch', `this JWK is marked "use": ${JSON.stringify(jwk.use)}: a client authentication key must be a signature key ("use": "sig") or have no "use"`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch (cause) {
    const curve = typeof jwk.crv === 'string' ? jwk.crv : undefined;
    if (curve && !['P-256', 'P-384', 'P-521', 'Ed25519'].includes(curve)) {
      throw new KeyError('key_curve_unsupported', `the curve ${curve} is not supported: use P-256, P-384, P-521 or Ed25519`, { cause });
    }
    throw new KeyError('key_format_unknown', `this ${String(jwk.kty)} JWK could not be read (a member is missing or damaged): export the public JWK again`, { cause });
  }
  const kid = options.kid ?? (typeof jwk.kid === 'string' && jwk.kid.length > 0 ? jwk.kid : undefined);
  const alg = options.alg ?? jwk.alg;
  let certificate: CertificateInfo | undefined;
  if (Array.isArray(jwk.x5c) && typeof jwk.x5c[0] === 'string') {
    // RFC 7517 §4.7: the first certificate's key MUST match the JWK.
    const cert = readCertificate(Buffer.from(jwk.x5c[0], 'base64'));
    if (calculateThumbprint(cert.publicKey) !== calculateThumbprint(key)) {
      throw new KeyError('certificate_invalid', 'the JWK\'s x5c certificate holds a different key than the JWK: fix the JWK or drop x5c');
    }
    certificate = cert.info;
  }
  return describe(key, { ...(kid ? { kid } : {}), alg, ...(certificate ? { certificate } : {}) });
}

function fromPemBlock(block: PemBlock, options: { kid?: string; alg?: JwsAlgorithm }): PublicKeyInfo | undefined {
  if (PRIVATE_LABELS.has(block.label)) throw privateKeyRefusal();
  switch (block.label) {
    case 'PUBLIC KEY':
      return describe(createPublicKeySafely(block.pem, 'spki'), options);
    case 'RSA PUBLIC KEY':
      return describe(createPublicKeySafely(block.pem, 'pkcs1'), options);
    case 'CERTIFICATE':
    case 'TRUSTED CERTIFICATE': {
      const cert = readCertificate(block.pem);
      return describe(cert.publicKey, { ...options, certificate: cert.info });
    }
    case 'EC PARAMETERS':
      return undefined; // `openssl ecparam -genkey` writes the curve parameters before the key
    default:
      throw new KeyError('key_format_unknown', `a "${block.label}" PEM block is not a public key: give a PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE PEM, a JWK or a JWKS`);
  }
}

function createPublicKeySafely(pem: string, type: 'spki' | 'pkcs1'): KeyObject {
  try {
    return createPublicKey({ key: pem, format: 'pem', type });
  } catch (cause) {
    throw new KeyError('key_pem_malformed', `the ${type === 'spki' ? 'PUBLIC KEY' : 'RSA PUBLIC KEY'} PEM could not be decoded (its content is damaged): export the public key again, e.g. \`openssl rsa -in private_key.pem -pubout\``, { cause });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new KeyError('key_format_unknown', 'this looks like JSON but does not parse: give a valid JWK or JWKS', { cause });
  }
}

function fromDer(der: Buffer, options: { kid?: string; alg?: JwsAlgorithm }): PublicKeyInfo {
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      return describe(createPublicKey({ key: der, format: 'der', type }), options);
    } catch (error) {
      if (error instanceof KeyError) throw error;
    }
  }
  try {
    const cert = readCertificate(der);
    return describe(cert.publicKey, { ...options, certificate: cert.info });
  } catch (error) {
    if (error instanceof KeyError && error.code !== 'certificate_invalid') throw error;
  }
  throw new KeyError('key_format_unknown', 'unrecognised key format: give a PEM public key (BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY), an X.509 certificate (PEM or DER), a JWK or a JWKS');
}

/**
 * Reads every public key in `input`: PEM (several blocks allowed), certificate PEM/DER, JWK, JWKS,
 * or a public KeyObject. Refuses private and symmetric keys and anything the key policy refuses;
 * refuses an empty set. Keys with the same thumbprint collapse to one.
 */
export function importPublicKeys(input: KeyInput, options: { kid?: string; alg?: JwsAlgorithm } = {}): PublicKeyInfo[] {
  let found: PublicKeyInfo[];
  if (input instanceof KeyObject) {
    if (input.type === 'private') throw privateKeyRefusal();
    found = [describe(input, options)];
  } else if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      found = importPublicKeys(parseJson(trimmed) as Record<string, unknown>, options);
    } else if (looksLikePem(text)) {
      found = readPemBlocks(text).map((block) => fromPemBlock(block, options)).filter((info): info is PublicKeyInfo => info !== undefined);
    } else if (typeof input !== 'string') {
      found = [fromDer(Buffer.from(input), options)];
    } else if (trimmed.length === 0) {
      throw new KeyError('key_format_unknown', 'the key input is empty: give a PEM, certificate, JWK or JWKS');
    } else {
      throw new KeyError('key_pem_malformed', 'no "-----BEGIN ...-----" marker found: this is not a PEM file; give a PEM, certificate, JWK or JWKS (check for missing BEGIN/END lines)');
    }
  } else if (Array.isArray((input as { keys?: unknown }).keys)) {
    const keys = (input as { keys: unknown[] }).keys;
    found = keys.map((jwk, index) => {
      if (typeof jwk !== 'object' || jwk === null) {
        throw new KeyError('key_format_unknown', `the JWKS entry ${index} is not a JSON object: every entry of "keys" must be a JWK`);
      }
      return fromJwk(jwk as Record<string, unknown>, {});
    });
  } else if (typeof input === 'object' && input !== null) {
    found = [fromJwk(input as Record<string, unknown>, options)];
  } else {
    throw new TypeError('importPublicKeys expects a string, bytes, a JWK/JWKS object or a KeyObject');
  }
  if (found.length === 0) {
    throw new KeyError('jwks_empty', 'no public key found in the input: give at least one key');
  }
  const seen = new Set<string>();
  return found.filter((info) => (seen.has(info.thumbprint) ? false : (seen.add(info.thumbprint), true)));
}

/**
 * Reads exactly one public key (PEM SPKI, PEM PKCS#1, certificate PEM/DER, JWK, or a JWKS holding a
 * single key). See {@link importPublicKeys} for several.
 */
export function importPublicKey(input: KeyInput, options: { kid?: string; alg?: JwsAlgorithm } = {}): PublicKeyInfo {
  const keys = importPublicKeys(input, options);
  if (keys.length !== 1) {
    throw new KeyError('key_format_unknown', `the input holds ${keys.length} keys where one was expected: give a single key, or register the set as a JWKS`);
  }
  return keys[0] as PublicKeyInfo;
}
