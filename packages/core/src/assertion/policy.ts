/**
 * Verification policies of client assertions (token endpoint) and direct tokens (direct mode), with
 * their documented defaults. Every number is in seconds.
 */
import { ASYMMETRIC_ALGS, isJwsAlgorithm, type JwsAlgorithm } from '../keys/types.ts';
import { DEFAULT_MAX_JWS_LENGTH } from '../jws/types.ts';

/** How a client assertion's `aud` is judged. */
export interface AssertionPolicy {
  /**
   * 'strict' (default): aud must be exactly the issuer identifier, as one string
   * (draft-ietf-oauth-rfc7523bis §5, OIDC Core errata, FAPI 2.0). 'legacy': also the token endpoint
   * URL, and arrays containing either (RFC 7523 §3 (3) as first published).
   */
  readonly audience: 'strict' | 'legacy';
  /** Accepted algorithms (default: every asymmetric one, ASYMMETRIC_ALGS). */
  readonly allowedAlgs: readonly JwsAlgorithm[];
  /** Optional per-client algorithm pin. */
  readonly algPin?: JwsAlgorithm;
  /** Longest accepted lifetime, exp - iat (or exp - now without iat). Default 300. */
  readonly maxLifetime: number;
  /** Clock skew allowed for exp, iat and nbf. Default 15. */
  readonly clockTolerance: number;
  /** Largest accepted assertion, in characters. Default 16384. */
  readonly maxLength: number;
}

/** Policy of the direct mode (source document 000: `{ clientcode, iat, exp? }` sent to an API). */
export interface DirectTokenPolicy {
  /** Claim holding the client identifier. Default 'clientcode'; 'iss' and 'sub' are common too. */
  readonly clientIdClaim: string;
  /** A token is accepted for at most this long after its iat. Default 300. */
  readonly maxIatAge: number;
  /** exp is optional; when present, exp - iat may not exceed this. Default 3600 (the seed's 1 hour). */
  readonly maxLifetime: number;
  /** Clock skew allowed. Default 15. */
  readonly clockTolerance: number;
  readonly allowedAlgs: readonly JwsAlgorithm[];
  readonly algPin?: JwsAlgorithm;
  /** Require a jti (so every token can be replay-checked). Default false (the seed sends none). */
  readonly requireJti: boolean;
  readonly maxLength: number;
  /**
   * The authorization server's identifiers (issuer, token endpoint) the verifier knows. A direct
   * token whose `aud` equals or contains one, or whose `iss` equals one, is refused: it is a client
   * assertion or an access token (RFC 8725 §3.12). Default none: the shape rules still apply.
   */
  readonly serverIdentifiers: readonly string[];
}

/** Policies returned by the resolve functions: frozen, already checked, returned as they are. */
const RESOLVED = new WeakSet<object>();

/** Defaults of {@link AssertionPolicy}. */
export const DEFAULT_ASSERTION_POLICY: AssertionPolicy = Object.freeze({
  audience: 'strict',
  allowedAlgs: ASYMMETRIC_ALGS,
  maxLifetime: 300,
  clockTolerance: 15,
  maxLength: DEFAULT_MAX_JWS_LENGTH,
});

/** Defaults of {@link DirectTokenPolicy}. */
export const DEFAULT_DIRECT_TOKEN_POLICY: DirectTokenPolicy = Object.freeze({
  clientIdClaim: 'clientcode',
  maxIatAge: 300,
  maxLifetime: 3600,
  clockTolerance: 15,
  allowedAlgs: ASYMMETRIC_ALGS,
  requireJti: false,
  maxLength: DEFAULT_MAX_JWS_LENGTH,
  serverIdentifiers: Object.freeze([]),
});

RESOLVED.add(DEFAULT_ASSERTION_POLICY);
RESOLVED.add(DEFAULT_DIRECT_TOKEN_POLICY);

function checkSeconds(name: string, value: number, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`policy.${name} must be a number of seconds >= ${min}`);
  }
}

function checkAlgs(allowedAlgs: readonly JwsAlgorithm[], algPin: JwsAlgorithm | undefined): void {
  if (!Array.isArray(allowedAlgs) || allowedAlgs.length === 0 || !allowedAlgs.every(isJwsAlgorithm)) {
    throw new TypeError(`policy.allowedAlgs must be a non-empty list of ${ASYMMETRIC_ALGS.join(', ')}`);
  }
  if (algPin !== undefined && !isJwsAlgorithm(algPin)) throw new TypeError('policy.algPin must be one of the asymmetric algorithms');
}

/**
 * Merges `partial` over the defaults and checks it; throws TypeError on a bad value. The result is
 * frozen; passing it back (per request) costs nothing, so resolve once per client and reuse it.
 */
export function resolveAssertionPolicy(partial?: Partial<AssertionPolicy>): AssertionPolicy {
  if (partial === undefined) return DEFAULT_ASSERTION_POLICY;
  if (RESOLVED.has(partial)) return partial as AssertionPolicy;
  const policy: AssertionPolicy = { ...DEFAULT_ASSERTION_POLICY, ...stripUndefined(partial) };
  if (policy.audience !== 'strict' && policy.audience !== 'legacy') throw new TypeError("policy.audience must be 'strict' or 'legacy'");
  checkAlgs(policy.allowedAlgs, policy.algPin);
  checkSeconds('maxLifetime', policy.maxLifetime, 1);
  checkSeconds('clockTolerance', policy.clockTolerance, 0);
  checkSeconds('maxLength', policy.maxLength, 1);
  return freeze(policy);
}

/**
 * Merges `partial` over the defaults and checks it; throws TypeError on a bad value. The result is
 * frozen; passing it back (per request) costs nothing, so resolve once and reuse it.
 */
export function resolveDirectTokenPolicy(partial?: Partial<DirectTokenPolicy>): DirectTokenPolicy {
  if (partial === undefined) return DEFAULT_DIRECT_TOKEN_POLICY;
  if (RESOLVED.has(partial)) return partial as DirectTokenPolicy;
  const policy: DirectTokenPolicy = { ...DEFAULT_DIRECT_TOKEN_POLICY, ...stripUndefined(partial) };
  if (typeof policy.clientIdClaim !== 'string' || policy.clientIdClaim.length === 0) throw new TypeError('policy.clientIdClaim must be a claim name');
  checkAlgs(policy.allowedAlgs, policy.algPin);
  checkSeconds('maxIatAge', policy.maxIatAge, 1);
  checkSeconds('maxLifetime', policy.maxLifetime, 1);
  checkSeconds('clockTolerance', policy.clockTolerance, 0);
  checkSeconds('maxLength', policy.maxLength, 1);
  if (typeof policy.requireJti !== 'boolean') throw new TypeError('policy.requireJti must be a boolean');
  if (!Array.isArray(policy.serverIdentifiers) || !policy.serverIdentifiers.every((id) => typeof id === 'string' && id.length > 0)) {
    throw new TypeError('policy.serverIdentifiers must be a list of the authorization server\'s issuer and token endpoint URLs');
  }
  return freeze({ ...policy, serverIdentifiers: Object.freeze([...new Set(policy.serverIdentifiers)]) });
}

function freeze<T extends { allowedAlgs: readonly JwsAlgorithm[] }>(policy: T): T {
  const frozen = Object.freeze({ ...policy, allowedAlgs: Object.freeze([...policy.allowedAlgs]) });
  RESOLVED.add(frozen);
  return frozen;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[name];
    if (v !== undefined) out[name] = v;
  }
  return out as Partial<T>;
}
