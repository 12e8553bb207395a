/**
 * Small claim and header checks shared by the client-assertion and direct-token verifiers.
 */
import { OAuthError } from '../errors.ts';
import { decodeNumericDate, isMilliseconds } from '../jws/numeric-date.ts';

/** Longest accepted jti (Keyward policy: a jti is stored until exp, so it is bounded). */
export const MAX_JTI_LENGTH = 256;

/**
 * The header `typ`, normalised per RFC 7515 §4.1.9 (compared case-insensitively, an
 * "application/" prefix omitted), or undefined when absent. parseCompactJws already checked it is a
 * string when present. The one normalisation of `typ`: client assertions, direct tokens and access
 * tokens (RFC 9068 §4: "at+jwt" or "application/at+jwt") are all told apart by it.
 */
export function readTyp(header: Record<string, unknown>): string | undefined {
  const typ = header.typ;
  if (typeof typ !== 'string') return undefined;
  // The common cases, without a new string per call.
  if (typ === 'JWT') return 'jwt';
  if (typ === 'at+jwt') return 'at+jwt';
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/**
 * Reads `jti` (RFC 7519 §4.1.7): undefined when absent or empty; 'claim_invalid' when not a string
 * or longer than {@link MAX_JTI_LENGTH}.
 */
export function readJti(claims: Record<string, unknown>): string | undefined {
  if (!Object.hasOwn(claims, 'jti')) return undefined;
  const jti = claims.jti;
  if (typeof jti !== 'string') throw new OAuthError('claim_invalid', { detail: '"jti" must be a string (for example a UUID)' });
  if (jti.length === 0) return undefined;
  if (jti.length > MAX_JTI_LENGTH) throw new OAuthError('claim_invalid', { detail: `"jti" is longer than ${MAX_JTI_LENGTH} characters` });
  return jti;
}

/** The three NumericDate claims, type-checked, with the milliseconds mistake named (undefined when absent). */
export interface TimeClaims { readonly iat: number | undefined; readonly exp: number | undefined; readonly nbf: number | undefined }

/**
 * Reads iat, exp and nbf: 'claim_invalid' for a non-number; then an iat or exp above 1e11 is named
 * as milliseconds ('iat_in_milliseconds', 'exp_in_milliseconds'; nbf → 'claim_invalid' saying so),
 * before any comparison with the clock, so the client gets the helpful reason (RFC 7519 §2:
 * NumericDate counts SECONDS).
 */
export function readTimeClaims(claims: Record<string, unknown>): TimeClaims {
  const iat = decodeNumericDate(claims, 'iat');
  const exp = decodeNumericDate(claims, 'exp');
  const nbf = decodeNumericDate(claims, 'nbf');
  // RFC 7519 §2: NumericDate is seconds since the epoch; Date.now() gives milliseconds.
  if (iat !== undefined && isMilliseconds(iat)) {
    throw new OAuthError('iat_in_milliseconds', { detail: `iat ${iat} is in milliseconds; NumericDate is seconds since the epoch: use Math.floor(Date.now() / 1000)` });
  }
  if (exp !== undefined && isMilliseconds(exp)) {
    throw new OAuthError('exp_in_milliseconds', { detail: `exp ${exp} is in milliseconds; NumericDate is seconds since the epoch: use Math.floor(Date.now() / 1000) + lifetime` });
  }
  if (nbf !== undefined && isMilliseconds(nbf)) {
    throw new OAuthError('claim_invalid', { detail: `nbf ${nbf} is in milliseconds; NumericDate is seconds since the epoch` });
  }
  // One object shape whatever is present (the verify paths stay monomorphic).
  return { iat, exp, nbf };
}

/** Throws TypeError unless `now` is plausible epoch seconds. */
export function checkNow(now: number, caller: string): void {
  if (typeof now !== 'number' || !Number.isFinite(now) || now < 0 || isMilliseconds(now)) {
    throw new TypeError(`${caller}: context.now must be the current time in epoch SECONDS`);
  }
}
