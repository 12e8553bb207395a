/**
 * A fetch for the direct mode of source document 000: each request carries a freshly signed
 * `{ clientcode, iat, exp? }` token as its Bearer token, checked by the API against the registered key.
 */
import { loadSigningKey, type SigningKeyInput } from '@keyward/core';
import { signDirectToken } from '@keyward/core';
import type { JwsAlgorithm } from '@keyward/core';
import { createFetchWithToken, type FetchLike } from './fetch-with-token.ts';

/** Options of {@link createDirectTokenFetch}. */
export interface DirectTokenFetchOptions {
  /** Your client ID, as the API provider gave it. */
  readonly clientId: string;
  /** KeyObject, CryptoKey, private JWK or PEM (plain or encrypted). Read once. */
  readonly privateKey: SigningKeyInput;
  readonly passphrase?: string;
  /** Default RS256 for RSA keys (as the source document), else by key type. */
  readonly alg?: JwsAlgorithm;
  readonly kid?: string;
  /** Claim that carries the client ID (default `clientcode`). */
  readonly clientIdClaim?: string;
  /** Adds `exp = iat + lifetime` (seconds) when given. */
  readonly lifetime?: number;
  /** Adds a random `jti` to every token (for APIs that refuse replays). */
  readonly jti?: boolean;
  readonly fetch?: typeof fetch;
  /** Local clock, epoch milliseconds (tests). */
  readonly now?: () => number;
}

/**
 * Returns a fetch that signs a new direct token for every request (an RS256 signature costs about a
 * millisecond) and sends it as `Authorization: Bearer`. Does NOT cache tokens and does NOT retry on
 * 401 (a fresh token would be refused for the same reason).
 */
export function createDirectTokenFetch(options: DirectTokenFetchOptions): FetchLike {
  const { key, alg } = loadSigningKey(options.privateKey, {
    rsaDefault: 'RS256',
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.alg === undefined ? {} : { alg: options.alg }),
  });
  const localNow = options.now ?? Date.now;
  return createFetchWithToken({
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    retryOnUnauthorized: false,
    getToken: () => signDirectToken({
      clientId: options.clientId, privateKey: key, alg, now: Math.floor(localNow() / 1000),
      ...(options.kid === undefined ? {} : { kid: options.kid }),
      ...(options.clientIdClaim === undefined ? {} : { clientIdClaim: options.clientIdClaim }),
      ...(options.lifetime === undefined ? {} : { lifetime: options.lifetime }),
      ...(options.jti === undefined ? {} : { jti: options.jti }),
    }),
  });
}
