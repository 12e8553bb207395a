/**
 * Verifies a direct-mode token (source document 000) against the client's registered keys: the same
 * header, algorithm, key and signature rules as client assertions, then the direct-mode claims.
 */
import { OAuthError } from '../errors.ts';
import type { JwsAlgorithm, RegisteredKey } from '../keys/types.ts';
import { verifyWithRegisteredKeys } from '../jws/select-verification-key.ts';
import { checkDirectTokenKind } from './check-direct-token-kind.ts';
import { checkKeyLifecycle } from './check-key-lifecycle.ts';
import { checkNow, readJti, readTimeClaims, readTyp } from './claim-helpers.ts';
import type { ParsedDirectToken } from './parse-direct-token.ts';
import { resolveDirectTokenPolicy, type DirectTokenPolicy } from './policy.ts';

/** What verifyDirectToken needs from the caller (the API middleware). */
export interface DirectTokenContext {
  /** The keys registered for `parsed.clientId`. */
  readonly keys: readonly RegisteredKey[];
  /** Current time, epoch seconds. */
  readonly now: number;
  readonly clientIdParam?: never;
  readonly policy?: Partial<DirectTokenPolicy>;
}

/** A direct token that passed every rule. */
export interface VerifiedDirectToken {
  readonly clientId: string;
  readonly claims: Record<string, unknown>;
  readonly key: RegisteredKey;
  readonly alg: JwsAlgorithm;
  /** Present when the token carries one; the caller MAY reserve it against replay until reserveUntil. */
  readonly jti?: string;
  /** Epoch seconds after which the token is refused anyway: min(exp, iat + maxIatAge) + tolerance. */
  readonly reserveUntil: number;
}

/**
 * Verifies a parsed direct token. Order: typ (absent or `JWT`, else 'typ_not_allowed'), alg/kid/key
 * and signature ('alg_not_allowed', 'kid_unknown', 'alg_key_mismatch', 'signature_invalid'), key
 * lifecycle, then the claims, only after the signature verified:
 *
 * - not a client assertion nor an access token (checkDirectTokenKind: `aud` or `iss` naming the
 *   authorization server of `policy.serverIdentifiers`, the assertion or access token shape) →
 *   'not_a_direct_token' (RFC 8725 §3.12), whatever the client id claim;
 * - the client id claim (default `clientcode`) must be a non-empty string → 'client_id_claim_missing';
 * - `iat` is required → 'iat_missing' (RFC 7519 §4.1.6; the source document says "always include
 *   iat"); iat/exp in milliseconds are named ('iat_in_milliseconds', 'exp_in_milliseconds');
 * - iat more than the tolerance ahead → 'iat_in_future'; older than maxIatAge (300 s) → 'iat_too_old';
 * - `exp` is optional; when present it must not have passed ('assertion_expired') and exp - iat may
 *   not exceed maxLifetime (3600 s, the seed's one hour) → 'lifetime_too_long'. Note that maxIatAge
 *   still applies: a token with a one-hour exp is accepted only for maxIatAge seconds after its iat;
 * - `nbf` ahead → 'nbf_in_future'; `jti` if present a string ≤ 256 chars ('claim_invalid'), required
 *   only with `requireJti` ('jti_missing').
 *
 * Does NOT check an `aud` that names anything but the authorization server (the direct mode has no
 * audience: a token is valid at every API that trusts the client's key, so keep maxIatAge short)
 * and does NOT reserve the jti (the caller MAY, after this
 * returns).
 */
export function verifyDirectToken(parsed: ParsedDirectToken, context: DirectTokenContext): VerifiedDirectToken {
  checkNow(context.now, 'verifyDirectToken');
  if (!Array.isArray(context.keys)) throw new TypeError('verifyDirectToken: context.keys must be an array');
  const policy = resolveDirectTokenPolicy(context.policy);
  // The claim is fixed at parse time; a policy that names another one is a caller mistake.
  if (context.policy?.clientIdClaim !== undefined && context.policy.clientIdClaim !== parsed.clientIdClaim) {
    throw new TypeError('verifyDirectToken: policy.clientIdClaim differs from the clientIdClaim the token was parsed with');
  }
  const clientIdClaim = parsed.clientIdClaim;
  const { now } = context;
  const tolerance = policy.clockTolerance;

  const size = parsed.raw.header.length + parsed.raw.payload.length + parsed.raw.signature.length + 2;
  if (size > policy.maxLength) throw new OAuthError('assertion_too_large', { detail: `the JWT is ${size} characters; the limit is ${policy.maxLength}` });

  // RFC 8725 §3.11: a direct token is a plain JWT; other types (client assertions, access tokens...) are refused.
  const typ = readTyp(parsed.header);
  if (typ !== undefined && typ !== 'jwt') {
    throw new OAuthError('typ_not_allowed', { detail: 'the header "typ" must be "JWT" or absent for a direct token' });
  }

  const { key, alg } = verifyWithRegisteredKeys(parsed, context.keys, policy);
  checkKeyLifecycle(key, now);

  const claims = parsed.payload;
  // RFC 8725 §3.12: a client assertion or an access token never passes as a direct token.
  checkDirectTokenKind(claims, policy.serverIdentifiers);
  const clientId = parsed.clientId;
  if (clientId === undefined) {
    throw new OAuthError('client_id_claim_missing', { detail: `the "${clientIdClaim}" claim must hold your client ID` });
  }
  // RFC 7519 §4.1.6: iat is required in direct mode (it is the only freshness signal).
  if (!Object.hasOwn(claims, 'iat')) throw new OAuthError('iat_missing', { detail: '"iat" is required: set it to Math.floor(Date.now() / 1000)' });
  const { iat, exp, nbf } = readTimeClaims(claims);
  const issuedAt = iat as number;
  // RFC 7519 §4.1.4: expired.
  if (exp !== undefined && now >= exp + tolerance) {
    throw new OAuthError('assertion_expired', { detail: `the JWT expired ${Math.round(now - exp)} s ago: make a fresh token (and check the client clock)` });
  }
  if (issuedAt > now + tolerance) {
    throw new OAuthError('iat_in_future', { detail: `iat is ${Math.round(issuedAt - now)} s ahead of the server clock (tolerance ${tolerance} s): synchronise the client clock (NTP)` });
  }
  // Keyward direct mode: a token is fresh for maxIatAge seconds after iat.
  if (now - issuedAt > policy.maxIatAge + tolerance) {
    throw new OAuthError('iat_too_old', { detail: `the JWT was issued ${Math.round(now - issuedAt)} s ago; tokens are accepted for ${policy.maxIatAge} s: make a fresh token per request (or per few minutes)` });
  }
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new OAuthError('nbf_in_future', { detail: `nbf is ${Math.round(nbf - now)} s ahead of the server clock (tolerance ${tolerance} s)` });
  }
  if (exp !== undefined && exp - issuedAt > policy.maxLifetime) {
    throw new OAuthError('lifetime_too_long', { detail: `exp - iat is ${Math.round(exp - issuedAt)} s; at most ${policy.maxLifetime} s is accepted` });
  }
  // RFC 7519 §4.1.7: jti optional here unless the policy requires it.
  const jti = readJti(claims);
  if (jti === undefined && policy.requireJti) throw new OAuthError('jti_missing', { detail: '"jti" is required by this API: use a fresh random value (a UUID) per token' });

  const freshUntil = Math.min(exp ?? Number.POSITIVE_INFINITY, issuedAt + policy.maxIatAge);
  const result: VerifiedDirectToken = { clientId, claims, key, alg, reserveUntil: freshUntil + tolerance };
  return jti === undefined ? result : { ...result, jti };
}
