/**
 * Signs a direct-mode token (source document 000): `{ clientcode, iat, exp? }`, RS256 by default.
 */
import { randomUUID } from 'node:crypto';
import type { JwsAlgorithm } from '../keys/types.ts';
import { signCompactJws } from '../jws/sign-compact-jws.ts';
import { loadSigningKey, type SigningKeyInput } from './load-signing-key.ts';

/** Options of {@link signDirectToken}. */
export interface SignDirectTokenOptions {
  /** Your client ID, as the API provider gave it. */
  readonly clientId: string;
  readonly privateKey: SigningKeyInput;
  readonly passphrase?: string;
  /** Default RS256 for RSA keys (as the source document), else by key type. */
  readonly alg?: JwsAlgorithm;
  /** Claim that carries the client ID (default 'clientcode'). */
  readonly clientIdClaim?: string;
  /** Adds exp = iat + lifetime when given (seconds). */
  readonly lifetime?: number;
  /** true: a random UUID jti; a string: that jti; default none. */
  readonly jti?: boolean | string;
  /** Epoch seconds (default: the system clock). */
  readonly now?: number;
  /** Header kid, if the API provider registered several keys. */
  readonly kid?: string;
}

/**
 * Returns a compact JWT `{ [clientIdClaim]: clientId, iat, exp?, jti? }` with header `{ alg, typ: 'JWT' }`.
 * Throws TypeError for bad options. Does NOT send anything.
 */
export async function signDirectToken(options: SignDirectTokenOptions): Promise<string> {
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) throw new TypeError('clientId is required');
  const claim = options.clientIdClaim ?? 'clientcode';
  if (['iat', 'exp', 'jti'].includes(claim)) throw new TypeError(`clientIdClaim cannot be ${claim}`);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isFinite(now) || now < 0 || now > 1e11) throw new TypeError('now must be epoch SECONDS (Math.floor(Date.now() / 1000))');
  if (options.lifetime !== undefined && (!Number.isFinite(options.lifetime) || options.lifetime <= 0)) throw new TypeError('lifetime must be a positive number of seconds');
  const { key, alg } = loadSigningKey(options.privateKey, {
    rsaDefault: 'RS256',
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.alg === undefined ? {} : { alg: options.alg }),
  });
  const payload: Record<string, unknown> = { [claim]: options.clientId, iat: now };
  if (options.lifetime !== undefined) payload.exp = now + options.lifetime;
  if (options.jti === true) payload.jti = randomUUID();
  else if (typeof options.jti === 'string') payload.jti = options.jti;
  const header: { alg: JwsAlgorithm; typ: 'JWT'; kid?: string } = { alg, typ: 'JWT' };
  if (options.kid !== undefined) header.kid = options.kid;
  return signCompactJws(header, payload, key);
}
