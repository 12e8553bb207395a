/**
 * Mode A: JWT access tokens issued by a Keyward server (RFC 9068), verified with the issuer's JWKS.
 */
import { readTyp } from '@keyward/core';
import { OAuthError } from '@keyward/core';
import { decodeNumericDate, isMilliseconds } from '@keyward/core';
import { verifyWithRegisteredKeys } from '@keyward/core';
import type { ParsedJws } from '@keyward/core';
import { ASYMMETRIC_ALGS, type JwsAlgorithm, type RegisteredKey } from '@keyward/core';
import { discoverIssuer } from './discovery.ts';
import { createIntrospectionCheck, type IntrospectionCheck, type IntrospectionOptions } from './introspection.ts';
import { createRemoteJwks, type RemoteJwks } from './key-sources/remote-jwks.ts';
import type { FetchLike, Principal } from './types.ts';

/** Options of mode A. */
export interface AccessTokenModeOptions {
  /** The issuer identifier, exactly as the server publishes it (RFC 8414 §2); `iss` must equal it. */
  readonly issuer: string;
  /** This API's resource identifier(s); the token's `aud` must contain one (RFC 9068 §4). */
  readonly audience: string | readonly string[];
  /** The JWKS URL; discovered from the issuer (RFC 8414) when absent. */
  readonly jwksUri?: string;
  /** Accepted algorithms (default: every asymmetric one, ASYMMETRIC_ALGS; never none or HS*). */
  readonly allowedAlgs?: readonly JwsAlgorithm[];
  /** Clock skew allowed for exp, nbf and iat, in seconds (default 15). */
  readonly clockTolerance?: number;
  /**
   * JWKS cache: Cache-Control max-age clamped to [min, max] seconds (30, 600); an unknown kid
   * refetches at once, at most once per `refetchIntervalSeconds` (1 s); after a failed fetch the next
   * attempt waits `cooldownSeconds` (30 s).
   */
  readonly jwksCache?: { readonly minSeconds?: number; readonly maxSeconds?: number; readonly refetchIntervalSeconds?: number; readonly cooldownSeconds?: number };
  /** Optional revocation check through RFC 7662 introspection (off by default). */
  readonly introspection?: IntrospectionOptions;
  readonly fetch?: FetchLike;
  readonly timeoutMs?: number;
  /** A ready key source (tests, or a JWKS shared by several verifiers). */
  readonly jwks?: RemoteJwks;
}

/** The compiled mode A verifier. */
export interface AccessTokenMode {
  verify(parsed: ParsedJws, token: string, nowSeconds: number): Principal | Promise<Principal>;
}

const NO_SCOPES: readonly string[] = Object.freeze([]);
// Split once per claims object when the claims are frozen (a cached parse, reused across requests);
// otherwise split for this request only.
const scopeCache = new WeakMap<object, readonly string[]>();

/** RFC 9068 §2.2.3 / RFC 8693 §4.2: `scope` is a space-separated list. */
function readScopes(claims: Record<string, unknown>, scope: string | undefined): readonly string[] {
  if (scope === undefined || scope === '') return NO_SCOPES;
  const shared = Object.isFrozen(claims);
  if (shared) {
    const known = scopeCache.get(claims);
    if (known !== undefined) return known;
  }
  const scopes = scope.indexOf(' ') === -1 ? [scope] : scope.split(' ').filter((s) => s.length > 0);
  if (shared) scopeCache.set(claims, Object.freeze(scopes));
  return scopes;
}

/**
 * Compiles mode A. For each token, in this order:
 * 1. header `typ` is `at+jwt` → else 'typ_not_allowed' (RFC 9068 §4, RFC 8725 §3.11: a client's
 *    own JWT or an ID token is not an access token);
 * 2. alg in the allow-list, key by kid from the issuer's JWKS (refetched at once on an unknown kid,
 *    at most once per refetch interval), signature (RFC 9068 §4, RFC 7515 §5.2) → 'alg_not_allowed', 'kid_unknown', 'signature_invalid';
 * 3. `iss` equals the configured issuer → 'iss_mismatch' (RFC 9068 §4; RFC 8414 §3.3);
 * 4. `aud` contains this resource → 'aud_mismatch' (RFC 9068 §4, RFC 7519 §4.1.3);
 * 5. `exp` present and not passed (± tolerance) → 'exp_missing', 'token_expired' (RFC 9068 §2.2, §4);
 *    `nbf`/`iat` not ahead of the clock beyond tolerance → 'nbf_in_future', 'iat_in_future';
 * 6. `client_id` a non-empty string, `scope` a string when present → 'claim_invalid' (RFC 9068 §2.2);
 * 7. optional introspection → 'token_revoked'.
 * Does NOT check scopes (the verifier does, per route) nor replay (access tokens are reusable).
 */
export function createAccessTokenMode(options: AccessTokenModeOptions): AccessTokenMode {
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw new TypeError('accessToken.issuer is required (the issuer identifier)');
  const audiences = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a.length > 0)) {
    throw new TypeError('accessToken.audience is required: this API\'s resource identifier (the "resource" the client asks the token for)');
  }
  const issuer = options.issuer;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const tolerance = options.clockTolerance ?? 15;
  const policy = { allowedAlgs: options.allowedAlgs ?? ASYMMETRIC_ALGS };
  if (policy.allowedAlgs.length === 0) throw new TypeError('accessToken.allowedAlgs must not be empty');
  const jwks = options.jwks ?? createRemoteJwks({
    issuer,
    ...(options.jwksUri === undefined ? {} : { jwksUri: options.jwksUri }),
    fetch: fetchImpl,
    ...(options.jwksCache?.minSeconds === undefined ? {} : { minCacheSeconds: options.jwksCache.minSeconds }),
    ...(options.jwksCache?.maxSeconds === undefined ? {} : { maxCacheSeconds: options.jwksCache.maxSeconds }),
    ...(options.jwksCache?.cooldownSeconds === undefined ? {} : { cooldownSeconds: options.jwksCache.cooldownSeconds }),
    ...(options.jwksCache?.refetchIntervalSeconds === undefined ? {} : { refetchIntervalSeconds: options.jwksCache.refetchIntervalSeconds }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const introspection: IntrospectionCheck | undefined = options.introspection === undefined ? undefined : createIntrospectionCheck(options.introspection, {
    issuer,
    fetch: fetchImpl,
    discoverEndpoint: async () => (await discoverIssuer(issuer, fetchImpl, options.timeoutMs)).introspection_endpoint,
  });

  function finish(parsed: ParsedJws, keys: readonly RegisteredKey[], token: string, now: number): Principal | Promise<Principal> {
    verifyWithRegisteredKeys(parsed, keys, policy);
    const claims = parsed.payload;
    // RFC 9068 §4: iss MUST exactly match the issuer identifier.
    if (claims.iss !== issuer) throw new OAuthError('iss_mismatch', { description: 'the access token was not issued by the expected issuer', detail: `iss must be ${issuer}` });
    // RFC 9068 §4 + RFC 7519 §4.1.3: aud (string or array) must contain this resource.
    const aud = claims.aud;
    const audOk = typeof aud === 'string' ? audiences.includes(aud) : Array.isArray(aud) && aud.some((a) => typeof a === 'string' && audiences.includes(a));
    if (!audOk) throw new OAuthError('aud_mismatch', { description: 'the access token is not meant for this resource', detail: `aud must contain ${audiences.join(' or ')}` });
    const exp = decodeNumericDate(claims, 'exp');
    // RFC 9068 §2.2: exp is REQUIRED.
    if (exp === undefined) throw new OAuthError('exp_missing', { description: 'the access token has no expiry' });
    if (isMilliseconds(exp)) throw new OAuthError('exp_in_milliseconds');
    // RFC 7519 §4.1.4 with the clock tolerance.
    if (now >= exp + tolerance) throw new OAuthError('token_expired', { detail: `expired ${Math.round(now - exp)} s ago: get a new access token` });
    const nbf = decodeNumericDate(claims, 'nbf');
    if (nbf !== undefined && nbf > now + tolerance) throw new OAuthError('nbf_in_future', { description: 'the access token is not yet valid' });
    const iat = decodeNumericDate(claims, 'iat');
    if (iat !== undefined && iat > now + tolerance) throw new OAuthError('iat_in_future', { description: 'the access token was issued in the future' });
    // RFC 9068 §2.2: client_id is REQUIRED; scope is a space-separated string (RFC 8693 §4.2).
    const clientId = claims.client_id;
    if (typeof clientId !== 'string' || clientId.length === 0) throw new OAuthError('claim_invalid', { description: 'the access token has no client_id', detail: 'client_id must be a non-empty string' });
    const scope = claims.scope;
    if (scope !== undefined && typeof scope !== 'string') throw new OAuthError('claim_invalid', { description: 'the access token scope is malformed', detail: 'scope must be a space-separated string' });
    const principal: Principal = { clientId, scopes: readScopes(claims, scope), claims, mode: 'access_token' };
    if (introspection === undefined) return principal;
    const jti = typeof claims.jti === 'string' ? claims.jti : undefined;
    return introspection.checkActive(token, jti, exp, now).then(() => principal);
  }

  return {
    verify(parsed, token, now) {
      // RFC 9068 §4: typ must be "at+jwt" (or "application/at+jwt", compared case-insensitively).
      if (readTyp(parsed.header) !== 'at+jwt') {
        throw new OAuthError('typ_not_allowed', { description: 'the token is not an access token', detail: 'the header "typ" must be "at+jwt" (RFC 9068 §4)' });
      }
      const kid = typeof parsed.header.kid === 'string' ? parsed.header.kid : undefined;
      const keys = jwks.getKeys(kid);
      if (Array.isArray(keys)) return finish(parsed, keys, token, now);
      return (keys as Promise<readonly RegisteredKey[]>).then((loaded) => finish(parsed, loaded, token, now));
    },
  };
}
