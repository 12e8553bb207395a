/**
 * Key export: public PEM (SPKI), public JWK with `kid` = RFC 7638 thumbprint, JWKS, private PEM
 * (PKCS#8, encrypted with AES-256-CBC when a passphrase is given) and private JWK.
 */
import { KeyObject } from 'node:crypto';
import { publicHalf } from './public-half.ts';
import { KeyError } from '../errors.ts';
import { calculateThumbprint } from './thumbprint.ts';
import { checkAlgorithmFitsKey, checkKeyPolicy, defaultAlgorithmForKey } from './policy.ts';
import type { JwsAlgorithm, PublicJwk } from './types.ts';

const PUBLIC_MEMBERS = ['kty', 'crv', 'n', 'e', 'x', 'y'] as const;

/** The public key in PEM SPKI (`BEGIN PUBLIC KEY`), from a public or private key. */
export function exportPublicPem(key: KeyObject): string {
  checkKeyPolicy(key);
  return publicHalf(key).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The public JWK of a key (public or private: only public members are exported). `kid` defaults to
 * the RFC 7638 thumbprint, `alg` to the key's default algorithm (RS256 for RSA), `use` to `sig`.
 */
export function exportPublicJwk(key: KeyObject, options: { kid?: string; alg?: JwsAlgorithm; use?: 'sig' } = {}): PublicJwk {
  checkKeyPolicy(key);
  const full = publicHalf(key).export({ format: 'jwk' }) as Record<string, unknown>;
  const jwk: Record<string, unknown> = {};
  for (const member of PUBLIC_MEMBERS) if (full[member] !== undefined) jwk[member] = full[member];
  jwk.kid = options.kid ?? calculateThumbprint(jwk);
  jwk.alg = options.alg === undefined ? defaultAlgorithmForKey(key) : checkAlgorithmFitsKey(options.alg, key);
  jwk.use = options.use ?? 'sig';
  return jwk as unknown as PublicJwk;
}

/** A JWKS (`{"keys":[...]}`) of public JWKs; KeyObjects are exported with {@link exportPublicJwk}. */
export function exportJwks(keys: ReadonlyArray<KeyObject | PublicJwk>): { keys: PublicJwk[] } {
  return { keys: keys.map((key) => (key instanceof KeyObject ? exportPublicJwk(key) : key)) };
}

/** The private key as PKCS#8 PEM; with a passphrase, encrypted PKCS#8 (AES-256-CBC, PBKDF2). */
export function exportPrivatePem(key: KeyObject, options: { passphrase?: string } = {}): string {
  if (key.type !== 'private') {
    throw new KeyError('key_not_private', 'this is a public key: exporting a private key needs the private key');
  }
  checkKeyPolicy(key);
  if (options.passphrase !== undefined) {
    if (options.passphrase.length < 4) {
      throw new KeyError('passphrase_required', 'the passphrase is too short: use at least 4 characters (OpenSSL refuses shorter ones)');
    }
    return key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: options.passphrase }).toString();
  }
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The private key as a JWK (contains private members: keep it secret). */
export function exportPrivateJwk(key: KeyObject): Record<string, unknown> {
  if (key.type !== 'private') {
    throw new KeyError('key_not_private', 'this is a public key: exporting a private JWK needs the private key');
  }
  checkKeyPolicy(key);
  return key.export({ format: 'jwk' }) as Record<string, unknown>;
}
