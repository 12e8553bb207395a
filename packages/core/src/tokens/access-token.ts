/**
 * RFC 9068 JWT access tokens: the claims builder and a synchronous signer (node:crypto `sign` with
 * the server's private KeyObject; about 40 µs for ES256, far cheaper than an async WebCrypto round
 * trip). jose and every JOSE library verify the result (test/server covers jose's jwtVerify).
 */
import type { KeyObject } from 'node:crypto';
import { signCompactJws, signJwsInput } from '../jws/sign-compact-jws.ts';
import type { JwsAlgorithm } from '../keys/types.ts';

/** The claims of an access token (RFC 9068 §2.2). */
export interface AccessTokenClaims {
  readonly iss: string;
  /** RFC 9068 §2.2: for client_credentials, the client itself. */
  readonly sub: string;
  readonly client_id: string;
  /** One audience as a string, several as an array. */
  readonly aud: string | readonly string[];
  /** Space-separated scopes (RFC 9068 §2.2.3); absent when no scope was granted. */
  readonly scope?: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** RFC 9068 §2.2.1: when the end user authenticated (tokens of the authorization code flow). */
  readonly auth_time?: number;
}

/** Inputs of {@link buildAccessTokenClaims}. */
export interface AccessTokenInput {
  readonly issuer: string;
  readonly clientId: string;
  /** Defaults to the client id. */
  readonly subject?: string;
  /** At least one audience (RFC 9068 §2.2 makes aud REQUIRED). */
  readonly audience: readonly string[];
  readonly scopes: readonly string[];
  /** Epoch seconds. */
  readonly now: number;
  /** Lifetime in seconds. */
  readonly ttl: number;
  /** Unique token identifier (the caller supplies randomness). */
  readonly jti: string;
  /** RFC 9068 §2.2.1 auth_time (epoch seconds), for a token issued on behalf of an end user. */
  readonly authTime?: number;
}

/**
 * Builds the RFC 9068 §2.2 claims. Throws TypeError on a missing audience, a non-integer time or
 * lifetime. Does NOT decide which scopes or audiences a client may have: the grant does that.
 */
export function buildAccessTokenClaims(input: AccessTokenInput): AccessTokenClaims {
  if (input.audience.length === 0) throw new TypeError('buildAccessTokenClaims: at least one audience is required (RFC 9068 §2.2)');
  if (!Number.isInteger(input.now) || !Number.isInteger(input.ttl) || input.ttl <= 0) throw new TypeError('buildAccessTokenClaims: now and ttl must be integer seconds');
  const claims: AccessTokenClaims = {
    iss: input.issuer,
    sub: input.subject ?? input.clientId,
    client_id: input.clientId,
    aud: input.audience.length === 1 ? input.audience[0]! : [...input.audience],
    ...(input.scopes.length > 0 ? { scope: input.scopes.join(' ') } : {}),
    iat: input.now,
    exp: input.now + input.ttl,
    jti: input.jti,
    ...(input.authTime !== undefined ? { auth_time: input.authTime } : {}),
  };
  return claims;
}

/** The server key that signs access tokens. */
export interface AccessTokenSigningKey {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  /** Private KeyObject. */
  readonly privateKey: KeyObject;
}

/**
 * Signs `claims` as a compact JWS with header `{ typ: "at+jwt", alg, kid }` (RFC 9068 §2.1).
 * Synchronous. Does NOT check that the key fits the algorithm (the signing-key service creates them
 * together); a mismatch throws from node:crypto.
 */
export function signAccessToken(claims: AccessTokenClaims | Record<string, unknown>, key: AccessTokenSigningKey): string {
  // RFC 9068 §2.1: typ "at+jwt".
  return signTypedJwt('at+jwt', claims, key);
}

/**
 * Signs `claims` as a compact JWS with the header `{ typ, alg, kid }` (RFC 7515 §7.1): the `kid` lets
 * a receiver pick the key from the server's /jwks, the `typ` keeps one kind of server JWT from being
 * taken for another (RFC 8725 §3.11). Synchronous.
 */
export function signTypedJwt(typ: string, claims: object, key: AccessTokenSigningKey): string {
  return signCompactJws({ typ, alg: key.alg, kid: key.kid }, claims, key.privateKey);
}

/** RFC 7518 §3: the signature bytes of a JWS signing input with the server key. */
export function signJws(signingInput: string, key: AccessTokenSigningKey): Buffer {
  return signJwsInput(signingInput, key.privateKey, key.alg);
}
