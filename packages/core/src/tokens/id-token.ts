/**
 * OpenID Connect ID tokens (OIDC Core §2): the claims builder, `at_hash` (§3.1.3.6 / §3.3.2.11) and
 * the signer (the same synchronous JWS signer as access tokens, header `typ: JWT`). Pure.
 */
import { createHash } from 'node:crypto';
import type { JwsAlgorithm } from '../keys/types.ts';
import { signTypedJwt, type AccessTokenSigningKey } from './access-token.ts';

/** Inputs of {@link buildIdTokenClaims}. */
export interface IdTokenInput {
  readonly issuer: string;
  readonly subject: string;
  /** The client the token is for (OIDC Core §2: aud contains the client_id). */
  readonly clientId: string;
  /** Epoch seconds. */
  readonly now: number;
  readonly ttl: number;
  /** Epoch seconds of the end user's authentication (OIDC Core §2 auth_time). */
  readonly authTime: number;
  /** OIDC Core §3.1.2.1: the nonce of the authentication request, passed through unchanged. */
  readonly nonce?: string;
  /** The access token issued with it, for at_hash (OIDC Core §3.1.3.6). */
  readonly accessToken?: string;
  readonly alg: JwsAlgorithm;
  /** Authentication methods (RFC 8176), and the session id (OpenID Connect Front-Channel Logout §3 sid). */
  readonly amr?: readonly string[];
  readonly sid?: string;
  /** Extra claims of the end user (name, email, ...): never iss, sub, aud, exp, iat. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

const AT_HASH: Record<JwsAlgorithm, string> = {
  RS256: 'sha256', PS256: 'sha256', ES256: 'sha256',
  RS384: 'sha384', PS384: 'sha384', ES384: 'sha384',
  RS512: 'sha512', PS512: 'sha512', ES512: 'sha512',
  // OIDC Core errata: EdDSA (Ed25519) hashes with SHA-512.
  EdDSA: 'sha512', Ed25519: 'sha512',
};

/**
 * OIDC Core §3.1.3.6: base64url of the left-most half of the hash of the ASCII access token, the
 * hash being the one of the ID token's JWS algorithm.
 */
export function computeAtHash(accessToken: string, alg: JwsAlgorithm): string {
  const digest = createHash(AT_HASH[alg]).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * The ID token claims (OIDC Core §2): iss, sub, aud (the client_id as a single string), exp, iat,
 * auth_time, nonce when the request had one, at_hash when an access token is issued with it, azp
 * (the client_id), amr and sid when known. Throws TypeError on non-integer times. Does NOT decide
 * which user claims the scopes allow: the caller passes only those.
 */
export function buildIdTokenClaims(input: IdTokenInput): Record<string, unknown> {
  if (!Number.isInteger(input.now) || !Number.isInteger(input.ttl) || input.ttl <= 0) throw new TypeError('buildIdTokenClaims: now and ttl must be integer seconds');
  const reserved = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'azp', 'amr', 'sid']);
  const extra = Object.fromEntries(Object.entries(input.claims ?? {}).filter(([name, value]) => !reserved.has(name) && value !== undefined));
  return {
    ...extra,
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    // OIDC Core §2 azp: the party to which the ID token was issued.
    azp: input.clientId,
    iat: input.now,
    exp: input.now + input.ttl,
    auth_time: input.authTime,
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    ...(input.accessToken !== undefined ? { at_hash: computeAtHash(input.accessToken, input.alg) } : {}),
    ...(input.amr !== undefined && input.amr.length > 0 ? { amr: [...input.amr] } : {}),
    ...(input.sid !== undefined ? { sid: input.sid } : {}),
  };
}

/** Signs ID token claims as a compact JWS, header `{ typ: "JWT", alg, kid }`. Synchronous. */
export function signIdToken(claims: Record<string, unknown>, key: AccessTokenSigningKey): string {
  return signTypedJwt('JWT', claims, key);
}
