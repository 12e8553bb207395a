/**
 * Signs a `private_key_jwt` client assertion (RFC 7523 §3) with Node's crypto (signCompactJws).
 */
import { randomUUID } from 'node:crypto';
import type { JwsAlgorithm } from '../keys/types.ts';
import { signCompactJws } from '../jws/sign-compact-jws.ts';
import { loadSigningKey, type SigningKeyInput } from './load-signing-key.ts';

/** Options of {@link signClientAssertion}. */
export interface SignClientAssertionOptions {
  /** Your client_id: becomes both `iss` and `sub` (RFC 7523 §3 (1), (2)). */
  readonly clientId: string;
  /** `aud`: the authorization server's issuer identifier (strict) or its token endpoint (legacy servers). */
  readonly audience: string;
  /** KeyObject, CryptoKey, private JWK, or PEM (PKCS#1, PKCS#8, SEC1, encrypted, legacy -des3). */
  readonly privateKey: SigningKeyInput;
  /** Passphrase for an encrypted PEM. */
  readonly passphrase?: string;
  /** Default: the JWK's alg, else RS256 (RSA), ES256/384/512 (EC by curve), EdDSA (Ed25519). */
  readonly alg?: JwsAlgorithm;
  /** The registered key's kid (recommended when the client has several keys). */
  readonly kid?: string;
  /** Seconds until exp. Default 60; more than 300 is refused unless allowLongLifetime. */
  readonly lifetime?: number;
  readonly allowLongLifetime?: boolean;
  /** Header typ. Default 'JWT'; 'client-authentication+jwt' (draft-ietf-oauth-rfc7523bis) makes Keyward use the strict audience rule. */
  readonly typ?: 'client-authentication+jwt' | 'JWT';
  /** Extra claims (for example `scope`); may not override iss, sub, aud, jti, iat or exp. */
  readonly claims?: Record<string, unknown>;
  /** Current time in epoch seconds (default: the system clock). */
  readonly now?: number;
  /** Default: a random UUID (122 random bits). */
  readonly jti?: string;
}

const RESERVED = ['iss', 'sub', 'aud', 'jti', 'iat', 'exp'];

/**
 * Returns a compact, signed client assertion: header `{ alg, typ, kid? }`, claims `{ ...claims, iss,
 * sub, aud, jti, iat, exp }` with iat and exp in SECONDS. Throws TypeError for a bad option (lifetime
 * over 300 s without allowLongLifetime, `now` in milliseconds, an alg that does not fit the key...).
 * Does NOT send anything or check the key against any registration.
 */
export async function signClientAssertion(options: SignClientAssertionOptions): Promise<string> {
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) throw new TypeError('clientId is required');
  if (typeof options.audience !== 'string' || options.audience.length === 0) throw new TypeError('audience is required (the issuer identifier)');
  const lifetime = options.lifetime ?? 60;
  if (!Number.isFinite(lifetime) || lifetime <= 0) throw new TypeError('lifetime must be a positive number of seconds');
  if (lifetime > 300 && options.allowLongLifetime !== true) {
    throw new TypeError(`lifetime ${lifetime} s is longer than 300 s, which Keyward servers refuse by default; pass allowLongLifetime: true to sign it anyway`);
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isFinite(now) || now < 0 || now > 1e11) throw new TypeError('now must be epoch SECONDS (Math.floor(Date.now() / 1000))');
  for (const name of RESERVED) {
    if (options.claims !== undefined && Object.hasOwn(options.claims, name)) throw new TypeError(`claims.${name} is set by signClientAssertion itself`);
  }
  const jti = options.jti ?? randomUUID();
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw new TypeError('jti must be a non-empty string of at most 256 characters');
  const { key, alg } = loadSigningKey(options.privateKey, { ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }), ...(options.alg === undefined ? {} : { alg: options.alg }) });

  const header: { alg: JwsAlgorithm; typ: string; kid?: string } = { alg, typ: options.typ ?? 'JWT' };
  if (options.kid !== undefined) header.kid = options.kid;
  // RFC 7523 §3: iss = sub = client_id, aud, exp, jti (+ iat).
  return signCompactJws(header, { ...options.claims, iss: options.clientId, sub: options.clientId, aud: options.audience, jti, iat: now, exp: now + lifetime }, key);
}
