/**
 * NumericDate claims (RFC 7519 §2): seconds since the epoch, possibly non-integer.
 */
import { OAuthError } from '../errors.ts';

/** Above this, a NumericDate is taken to be in milliseconds (1e11 s is the year 5138). */
export const MILLISECONDS_THRESHOLD = 1e11;

/**
 * Reads the NumericDate claim `name` of a claims set: undefined when absent, the number otherwise.
 * Refuses (OAuthError 'claim_invalid') a present value that is not a finite number (RFC 7519 §2:
 * "a JSON numeric value"; a string such as "1718640000" is refused, not converted).
 * Does NOT compare it with any clock, nor check for milliseconds (see {@link isMilliseconds}).
 */
export function decodeNumericDate(claims: Record<string, unknown>, name: 'exp' | 'iat' | 'nbf'): number | undefined {
  if (!Object.hasOwn(claims, name)) return undefined;
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new OAuthError('claim_invalid', { detail: `"${name}" must be a number of seconds since the epoch (RFC 7519 §2), not ${value === null ? 'null' : typeof value}` });
  }
  return value;
}

/** True when a NumericDate looks like milliseconds since the epoch (the `Date.now()` mistake). */
export function isMilliseconds(value: number): boolean {
  return value > MILLISECONDS_THRESHOLD;
}
