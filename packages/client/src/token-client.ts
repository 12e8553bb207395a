/**
 * `createTokenClient`: gets access tokens with `private_key_jwt` (RFC 7523 §2.2) and the
 * client_credentials grant (RFC 6749 §4.4), caches them until shortly before they expire, sends one
 * request at a time per scope/resource, and retries once when the server's clock differs from ours.
 */
import type { KeyObject } from 'node:crypto';
import { loadSigningKey, type SigningKeyInput } from '@keyward/core';
import { signClientAssertion } from '@keyward/core';
import type { JwsAlgorithm } from '@keyward/core';
import { discoverAuthorizationServer, type AuthorizationServerMetadata } from './discovery.ts';
import { TokenRequestError } from './errors.ts';
import { createFetchWithToken, type FetchLike } from './fetch-with-token.ts';
import { buildTokenRequest, processTokenResponse, type TokenResponse } from './token-request.ts';

/** Options of {@link createTokenClient}. Give `issuer` (recommended) or `tokenEndpoint`. */
export interface TokenClientOptions {
  /** The authorization server's issuer identifier: discovery finds the token endpoint, and it is the assertion's `aud`. */
  readonly issuer?: string;
  /** The token endpoint, when the server has no discovery document. The `aud` is then `audience`, else this URL. */
  readonly tokenEndpoint?: string;
  /** Overrides the assertion's `aud` (default: the issuer, else the token endpoint). */
  readonly audience?: string;
  /** Your client ID (`iss` and `sub` of the assertions). */
  readonly clientId: string;
  /** KeyObject, CryptoKey, private JWK or PEM (PKCS#1, PKCS#8, SEC1, encrypted, `openssl genrsa -des3`). Read once. */
  readonly privateKey: SigningKeyInput;
  /** Passphrase of an encrypted PEM. */
  readonly passphrase?: string;
  /** Signing algorithm (default: from the key: RS256, ES256/384/512, EdDSA). */
  readonly alg?: JwsAlgorithm;
  /** `kid` header: the registered key's kid (recommended when the client has several keys). */
  readonly kid?: string;
  /** Lifetime of each assertion in seconds (default 60). */
  readonly assertionLifetime?: number;
  /** Renew a cached token this many seconds before it expires (default 30; at most half its lifetime). */
  readonly expiryMargin?: number;
  /** Scope used by `fetch` and by getToken() without a scope. */
  readonly scope?: string;
  /** fetch implementation (default: the global fetch). */
  readonly fetch?: typeof fetch;
  /** The local clock in epoch milliseconds (default Date.now; tests inject one). */
  readonly now?: () => number;
  /** Clock difference (ms) above which an `invalid_client` answer triggers one retry on the server's time. Default 5000. */
  readonly clockSkewThreshold?: number;
}

/** What to ask for: both optional. */
export interface TokenRequestParams {
  readonly scope?: string;
  /** RFC 8707 resource indicator(s). */
  readonly resource?: string | readonly string[];
}

/** A token client. */
export interface TokenClient {
  /** The access token for this scope/resource: from the cache while fresh, else from the server. */
  getToken(params?: TokenRequestParams): Promise<string>;
  /** Like getToken, but the whole token response. */
  getTokenResponse(params?: TokenRequestParams): Promise<TokenResponse>;
  /** A fetch that sends `Authorization: Bearer <access token>` (default scope); renews once on a 401. */
  readonly fetch: FetchLike;
  /** Forgets every cached token. */
  clearCache(): void;
  /** The learned difference server clock − local clock, in milliseconds (0 until a retry learned one). */
  readonly clockOffset: number;
}

interface CacheEntry {
  readonly response: TokenResponse;
  /** Local epoch ms after which the entry is not used. */
  readonly renewAt: number;
}

/**
 * Creates a token client. The private key is read (and decrypted) once, here: a wrong passphrase
 * throws at once (KeyError), not at the first request.
 *
 * Behaviour:
 * - cache per scope + resource, used until `expires_in` − margin (no `expires_in`: not cached);
 * - single flight: concurrent callers for the same scope/resource share one request;
 * - every attempt signs a new assertion with a fresh random `jti` (RFC 7523 §3 (7): servers refuse replays);
 * - one retry after `invalid_client` when the server's `Date` header shows a clock difference over
 *   `clockSkewThreshold`; the difference is then applied to every later assertion.
 * Does NOT verify access tokens (they are opaque to the client) and never logs tokens or keys.
 */
export function createTokenClient(options: TokenClientOptions): TokenClient {
  if (options.issuer === undefined && options.tokenEndpoint === undefined) throw new TypeError('createTokenClient: give issuer (recommended) or tokenEndpoint');
  if (typeof options.clientId !== 'string' || options.clientId === '') throw new TypeError('createTokenClient: clientId is required');
  const { key, alg } = loadSigningKey(options.privateKey, {
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.alg === undefined ? {} : { alg: options.alg }),
  });
  const signingKey: KeyObject = key;
  const fetchImpl = options.fetch ?? fetch;
  const localNow = options.now ?? Date.now;
  const threshold = options.clockSkewThreshold ?? 5000;
  const cache = new Map<string, CacheEntry>();
  const inflight = new Map<string, Promise<TokenResponse>>();
  let offset = 0;
  let metadata: Promise<{ tokenEndpoint: string; audience: string }> | undefined;

  const endpoints = (): Promise<{ tokenEndpoint: string; audience: string }> => {
    metadata ??= (async () => {
      if (options.issuer !== undefined) {
        const found: AuthorizationServerMetadata = await discoverAuthorizationServer(options.issuer, { fetch: fetchImpl });
        // draft-ietf-oauth-rfc7523bis §5: the audience is the issuer identifier.
        return { tokenEndpoint: options.tokenEndpoint ?? found.token_endpoint, audience: options.audience ?? options.issuer };
      }
      const tokenEndpoint = options.tokenEndpoint as string;
      return { tokenEndpoint, audience: options.audience ?? tokenEndpoint };
    })();
    // A failed discovery is retried on the next call.
    metadata.catch(() => { metadata = undefined; });
    return metadata;
  };

  const requestOnce = async (params: TokenRequestParams, tokenEndpoint: string, audience: string): Promise<TokenResponse> => {
    const now = Math.floor((localNow() + offset) / 1000);
    // A fresh assertion, so a fresh jti, on every attempt (RFC 7523 §3 (7)).
    const assertion = await signClientAssertion({
      clientId: options.clientId, audience, privateKey: signingKey, alg, now,
      ...(options.kid === undefined ? {} : { kid: options.kid }),
      ...(options.assertionLifetime === undefined ? {} : { lifetime: options.assertionLifetime }),
    });
    const request = buildTokenRequest({
      tokenEndpoint, clientAssertion: assertion,
      ...(params.scope === undefined ? {} : { scope: params.scope }),
      ...(params.resource === undefined ? {} : { resource: params.resource }),
    });
    return processTokenResponse(await fetchImpl(request));
  };

  const requestToken = async (params: TokenRequestParams): Promise<TokenResponse> => {
    const { tokenEndpoint, audience } = await endpoints();
    const sentAt = localNow();
    try {
      return await requestOnce(params, tokenEndpoint, audience);
    } catch (error) {
      if (!(error instanceof TokenRequestError) || error.error !== 'invalid_client' || error.serverDate === undefined) throw error;
      // The Date header has one-second resolution: take the middle of the second, against the
      // middle of our request's round trip.
      const measured = error.serverDate + 500 - (sentAt + localNow()) / 2;
      if (Math.abs(measured - offset) <= threshold) throw error;
      offset = measured;
      return requestOnce(params, tokenEndpoint, audience);
    }
  };

  const getTokenResponse = async (params: TokenRequestParams = {}): Promise<TokenResponse> => {
    const effective: TokenRequestParams = { ...params, ...(params.scope === undefined && options.scope !== undefined ? { scope: options.scope } : {}) };
    const cacheKey = keyOf(effective);
    const cached = cache.get(cacheKey);
    if (cached !== undefined && localNow() < cached.renewAt) return cached.response;
    const pending = inflight.get(cacheKey);
    if (pending !== undefined) return pending;
    const promise = (async () => {
      const receivedBefore = localNow();
      const response = await requestToken(effective);
      if (response.expires_in !== undefined) {
        const margin = Math.min(options.expiryMargin ?? 30, response.expires_in / 2);
        cache.set(cacheKey, { response, renewAt: receivedBefore + (response.expires_in - margin) * 1000 });
      }
      return response;
    })();
    inflight.set(cacheKey, promise);
    try {
      return await promise;
    } finally {
      inflight.delete(cacheKey);
    }
  };

  const client: TokenClient = {
    getTokenResponse,
    async getToken(params) {
      return (await getTokenResponse(params)).access_token;
    },
    fetch: createFetchWithToken({
      fetch: fetchImpl,
      getToken: async ({ fresh }) => {
        if (fresh) cache.delete(keyOf(options.scope === undefined ? {} : { scope: options.scope }));
        return (await getTokenResponse()).access_token;
      },
    }),
    clearCache() {
      cache.clear();
    },
    get clockOffset() {
      return offset;
    },
  };
  return client;
}

function keyOf(params: TokenRequestParams): string {
  const resources = params.resource === undefined ? [] : typeof params.resource === 'string' ? [params.resource] : [...params.resource].sort();
  return JSON.stringify([params.scope ?? '', resources]);
}
