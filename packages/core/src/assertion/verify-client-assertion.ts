/**
 * Verifies a `private_key_jwt` client assertion (RFC 7523 §3, RFC 7521 §4.2, OIDC Core §9) against
 * the client's registered keys. Pure and synchronous: no storage, no clock of its own.
 */
import { OAuthError } from '../errors.ts';
import type { JwsAlgorithm, RegisteredKey } from '../keys/types.ts';
import { verifyWithRegisteredKeys } from '../jws/select-verification-key.ts';
import { checkKeyLifecycle } from './check-key-lifecycle.ts';
import { checkNow, readJti, readTimeClaims, readTyp } from './claim-helpers.ts';
import type { ParsedClientAssertion } from './parse-client-assertion.ts';
import { resolveAssertionPolicy, type AssertionPolicy } from './policy.ts';

/** Everything the verifier needs, supplied by the caller (the token endpoint). */
export interface AssertionContext {
  /** The keys registered for `parsed.clientId` (looked up by the caller). */
  readonly keys: readonly RegisteredKey[];
  /** This server's issuer identifier, from configuration (never from the Host header). */
  readonly issuer: string;
  /** This server's token endpoint URL (accepted as aud only by the legacy policy). */
  readonly tokenEndpoint: string;
  /** Current time, epoch seconds. */
  readonly now: number;
  /** The `client_id` form parameter, if the request sent one. */
  readonly clientIdParam?: string;
  /** Per-client policy over the defaults (audience, algorithms, lifetime, tolerance). */
  readonly policy?: Partial<AssertionPolicy>;
}

/** A client assertion that passed every rule. The caller must still reserve its jti. */
export interface VerifiedAssertion {
  /** The authenticated client (iss = sub). */
  readonly clientId: string;
  readonly jti: string;
  readonly claims: Record<string, unknown>;
  /** The registered key whose signature verified. */
  readonly key: RegisteredKey;
  readonly alg: JwsAlgorithm;
  /** Keep the jti reserved until this time (epoch seconds): exp + clock tolerance. */
  readonly reserveUntil: number;
  /** True when only the legacy audience rule accepted `aud` (count and log it, so clients migrate). */
  readonly legacyAudience: boolean;
}

/** `typ` values accepted on a client assertion (RFC 8725 §3.11, draft-ietf-oauth-rfc7523bis §4). */
const ASSERTION_TYPES = new Set(['jwt', 'client-authentication+jwt']);

/**
 * Verifies a parsed client assertion. Order: header rules (typ, alg, kid), the signature, the key
 * lifecycle, then the claims. Claims are judged only after the signature verified, so a forger
 * learns nothing about them. Each refusal is an {@link OAuthError} with its reason:
 *
 * - typ other than absent/`JWT`/`client-authentication+jwt` → 'typ_not_allowed'
 *   (`client-authentication+jwt` also forces the strict audience rule);
 * - alg/kid/key → 'alg_not_allowed', 'kid_unknown', 'alg_key_mismatch', 'no_keys'; signature →
 *   'signature_invalid';
 * - key lifecycle → 'key_revoked', 'key_retired', 'key_expired', 'key_not_yet_valid';
 * - iss = sub = client id → 'iss_mismatch' / 'sub_mismatch'; client_id parameter → 'client_id_mismatch';
 * - aud → 'aud_mismatch' (detail names the expected value);
 * - iat/exp in milliseconds → 'iat_in_milliseconds' / 'exp_in_milliseconds'; exp → 'exp_missing',
 *   'assertion_expired'; iat/nbf ahead → 'iat_in_future' / 'nbf_in_future'; lifetime → 'lifetime_too_long';
 * - jti → 'jti_missing' / 'claim_invalid'.
 *
 * Does NOT reserve the jti: replay protection (RFC 7523 §3 (7)) is the CALLER's job, atomically,
 * keyed by (clientId, jti), until `reserveUntil`, and only after this function returned (a refused
 * assertion must not burn its jti). Does NOT look up keys or clients, and does not check that the
 * client may use the requested grant.
 */
export function verifyClientAssertion(parsed: ParsedClientAssertion, context: AssertionContext): VerifiedAssertion {
  checkNow(context.now, 'verifyClientAssertion');
  if (typeof context.issuer !== 'string' || context.issuer.length === 0) throw new TypeError('verifyClientAssertion: context.issuer is required');
  if (typeof context.tokenEndpoint !== 'string' || context.tokenEndpoint.length === 0) throw new TypeError('verifyClientAssertion: context.tokenEndpoint is required');
  if (!Array.isArray(context.keys)) throw new TypeError('verifyClientAssertion: context.keys must be an array');
  const policy = resolveAssertionPolicy(context.policy);
  const { now } = context;
  const tolerance = policy.clockTolerance;

  const size = parsed.raw.header.length + parsed.raw.payload.length + parsed.raw.signature.length + 2;
  if (size > policy.maxLength) throw new OAuthError('assertion_too_large', { detail: `the JWT is ${size} characters; the limit is ${policy.maxLength}` });

  // RFC 8725 §3.11 + draft-ietf-oauth-rfc7523bis §4: explicit typing; other JWT types are not assertions.
  const typ = readTyp(parsed.header);
  if (typ !== undefined && !ASSERTION_TYPES.has(typ)) {
    throw new OAuthError('typ_not_allowed', { detail: 'the header "typ" is not a client assertion type: use "client-authentication+jwt", "JWT" or no typ' });
  }
  const audienceMode = typ === 'client-authentication+jwt' ? 'strict' : policy.audience;

  // RFC 7523 §3 (9) + RFC 7515 §5.2: the signature, with the key and alg fixed by the registry.
  const { key, alg } = verifyWithRegisteredKeys(parsed, context.keys, policy);
  checkKeyLifecycle(key, now);

  const claims = parsed.payload;
  const clientId = parsed.clientId;
  // RFC 7523 §3 (1): iss is the client_id.
  if (clientId === undefined || !Object.hasOwn(claims, 'iss')) {
    throw new OAuthError('iss_mismatch', { detail: '"iss" is missing; it must be your client_id' });
  }
  if (typeof claims.iss !== 'string') throw new OAuthError('claim_invalid', { detail: '"iss" must be a string (your client_id)' });
  if (claims.iss !== clientId) throw new OAuthError('iss_mismatch', { detail: '"iss" must be your client_id' });
  // RFC 7523 §3 (2): for client authentication, sub is the client_id too.
  if (!Object.hasOwn(claims, 'sub')) throw new OAuthError('sub_mismatch', { detail: '"sub" is missing; it must be your client_id, like "iss"' });
  if (typeof claims.sub !== 'string') throw new OAuthError('claim_invalid', { detail: '"sub" must be a string (your client_id)' });
  if (claims.sub !== clientId) throw new OAuthError('sub_mismatch', { detail: '"sub" must equal "iss" (both your client_id)' });
  // RFC 7521 §4.2: a client_id parameter, if sent, identifies the same client.
  if (context.clientIdParam !== undefined && context.clientIdParam !== clientId) {
    throw new OAuthError('client_id_mismatch', { detail: 'the client_id parameter differs from the assertion\'s iss/sub: send the same client_id, or omit the parameter' });
  }

  const legacyAudience = checkAudience(claims, audienceMode, context.issuer, context.tokenEndpoint, typ === 'client-authentication+jwt');

  const { iat, exp, nbf } = readTimeClaims(claims);
  // RFC 7523 §3 (4): exp is required.
  if (exp === undefined) throw new OAuthError('exp_missing', { detail: '"exp" is required: set it to iat + at most ' + `${policy.maxLifetime} seconds` });
  // RFC 7519 §4.1.4: the current time must be before exp (plus the tolerance).
  if (now >= exp + tolerance) throw new OAuthError('assertion_expired', { detail: `the JWT expired ${Math.round(now - exp)} s ago: make a fresh assertion for each request (and check the client clock)` });
  // RFC 7523 §3 (6) + RFC 7519 §4.1.6: iat not in the future beyond the tolerance.
  if (iat !== undefined && iat > now + tolerance) {
    throw new OAuthError('iat_in_future', { detail: `iat is ${Math.round(iat - now)} s ahead of the server clock (tolerance ${tolerance} s): synchronise the client clock (NTP)` });
  }
  // RFC 7523 §3 (5) + RFC 7519 §4.1.5: not before nbf.
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new OAuthError('nbf_in_future', { detail: `nbf is ${Math.round(nbf - now)} s ahead of the server clock (tolerance ${tolerance} s)` });
  }
  // RFC 7523 §3 (4) "may reject JWTs with an exp unreasonably far in the future" (Keyward policy).
  // With iat, the lifetime is exp - iat, both from the client's clock (no tolerance needed); without
  // it, exp - now mixes two clocks, so the tolerance is added.
  const lifetime = iat !== undefined ? exp - iat : exp - now;
  const limit = iat !== undefined ? policy.maxLifetime : policy.maxLifetime + tolerance;
  if (lifetime > limit) {
    throw new OAuthError('lifetime_too_long', { detail: `the JWT lives ${Math.round(lifetime)} s; at most ${policy.maxLifetime} s is accepted: use a shorter exp (60 s is plenty)` });
  }
  // RFC 7523 §3 (7): jti is required (the caller reserves it against replay).
  const jti = readJti(claims);
  if (jti === undefined) {
    throw new OAuthError('jti_missing', { detail: `"jti" is ${Object.hasOwn(claims, 'jti') ? 'empty' : 'required'}: use a fresh random value (a UUID) for each assertion` });
  }

  return { clientId, jti, claims, key, alg, reserveUntil: exp + tolerance, legacyAudience };
}

/**
 * RFC 7523 §3 (3) and draft-ietf-oauth-rfc7523bis §5: returns true when only the legacy rule
 * accepted the audience, throws 'aud_mismatch' when no rule does.
 */
function checkAudience(claims: Record<string, unknown>, mode: 'strict' | 'legacy', issuer: string, tokenEndpoint: string, explicitTyped: boolean): boolean {
  const aud = claims.aud;
  if (aud === issuer) return false;
  if (mode === 'legacy') {
    if (aud === tokenEndpoint) return true;
    if (Array.isArray(aud) && aud.some((value) => value === issuer || value === tokenEndpoint)) return true;
    throw new OAuthError('aud_mismatch', {
      detail: `"aud" must be the issuer identifier ${JSON.stringify(issuer)} (this client's legacy policy also accepts the token endpoint ${JSON.stringify(tokenEndpoint)})`,
    });
  }
  const why = aud === undefined ? '"aud" is missing'
    : Array.isArray(aud) ? '"aud" is an array; it must be one string'
      : aud === tokenEndpoint ? '"aud" is the token endpoint URL'
        : '"aud" is not this server';
  throw new OAuthError('aud_mismatch', {
    detail: `${why}: set "aud" to exactly the issuer identifier ${JSON.stringify(issuer)}` +
      (explicitTyped ? ' (typ client-authentication+jwt always uses this strict rule)' : ''),
  });
}
