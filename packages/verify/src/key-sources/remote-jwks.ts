/**
 * The authorization server's signing keys for mode A: a remote JWKS (RFC 7517 §5), cached, refetched
 * at once when a token names an unknown kid (at most once per refetch interval, 1 s), last good set
 * kept on failure (retried after the cooldown, 30 s).
 */
import { OAuthError, createKeySetCache, readCacheControl, readJwkSet, toRegisteredKey } from '@keyward/core';
import type { RegisteredKey } from '@keyward/core';
import { discoverIssuer } from '../discovery.ts';
import { fetchJson } from '../fetch-json.ts';
import type { FetchLike } from '../types.ts';

/** Options of {@link createRemoteJwks}. */
export interface RemoteJwksOptions {
  /** The JWKS URL. When absent, `issuer` is used for RFC 8414 discovery of `jwks_uri`. */
  readonly jwksUri?: string;
  readonly issuer?: string;
  readonly fetch?: FetchLike;
  /** Cache bounds in seconds for the server's Cache-Control max-age (defaults 30 and 600; 300 when absent). */
  readonly minCacheSeconds?: number;
  readonly maxCacheSeconds?: number;
  /**
   * An unknown kid refetches the set at once, but at most once per this many seconds for this key
   * set (default 1): a rotation at the server is seen by the next token, a flood of random kids
   * costs at most one request per interval.
   */
  readonly refetchIntervalSeconds?: number;
  /** After a failed fetch (the last good set is kept), the next attempt waits this long (default 30). */
  readonly cooldownSeconds?: number;
  readonly timeoutMs?: number;
  /** Clock in milliseconds (default Date.now). */
  readonly now?: () => number;
}

/** A remote JWKS as the access-token mode uses it. */
export interface RemoteJwks {
  /** The cached keys; refetches first when the cache expired, or when `kid` is unknown and the refetch interval allows. */
  getKeys(kid?: string): readonly RegisteredKey[] | Promise<readonly RegisteredKey[]>;
  /** Forces a refetch (still single-flight). */
  reload(): Promise<readonly RegisteredKey[]>;
}

/**
 * Reads every usable signature key of a JWKS document with core's readJwkSet (RFC 7517 §5): entries
 * with `use` other than "sig", private or symmetric members, weak or unknown key types are skipped
 * (one bad entry does not hide the rest). A document that is not a JWK Set is 'store_unavailable'
 * (503: the API cannot judge tokens, which is not the caller's fault). Does NOT check kid uniqueness
 * (the verifier tries every key with the kid).
 */
export function readJwksKeys(document: unknown): RegisteredKey[] {
  const reading = readJwkSet(document);
  if (reading === undefined) throw new OAuthError('store_unavailable', { detail: 'the JWKS is not a {"keys": [...]} document' });
  return reading.keys.map((info) => toRegisteredKey(info));
}

/**
 * Creates the cached remote JWKS: core's key-set cache (createKeySetCache: max-age within
 * [min, max], an unknown `kid` refetched at once at most once per `refetchIntervalSeconds`, single
 * flight, last good set kept after a failure and retried after `cooldownSeconds`) over one bounded
 * GET that does NOT follow redirects. With no set at all the caller gets 'store_unavailable' (503).
 * Does NOT verify anything.
 */
export function createRemoteJwks(options: RemoteJwksOptions): RemoteJwks {
  if (options.jwksUri === undefined && options.issuer === undefined) throw new TypeError('createRemoteJwks: give jwksUri or issuer');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  let jwksUri = options.jwksUri;
  const cache = createKeySetCache<RegisteredKey>({
    async load() {
      try {
        if (jwksUri === undefined) {
          const metadata = await discoverIssuer(options.issuer as string, fetchImpl, timeoutMs);
          if (metadata.jwks_uri === undefined) throw new OAuthError('store_unavailable', { detail: 'the issuer metadata has no jwks_uri' });
          jwksUri = metadata.jwks_uri;
        }
        const response = await fetchJson(fetchImpl, jwksUri, { timeoutMs });
        if (response.status !== 200) throw new OAuthError('store_unavailable', { detail: `${jwksUri} answered ${response.status}` });
        return { keys: readJwksKeys(response.json), ...readCacheControl(response.headers.get('cache-control')) };
      } catch (error) {
        throw error instanceof OAuthError ? error : new OAuthError('store_unavailable', { detail: 'the JWKS could not be fetched', cause: error });
      }
    },
    kidsOf: (key) => [key.kid, key.thumbprint],
    minCacheSeconds: options.minCacheSeconds ?? 30,
    maxCacheSeconds: options.maxCacheSeconds ?? 600,
    defaultCacheSeconds: 300,
    refetchIntervalSeconds: options.refetchIntervalSeconds ?? 1,
    failureRetrySeconds: options.cooldownSeconds ?? 30,
    now: options.now ?? Date.now,
  });
  return {
    getKeys(kid?: string) {
      const answer = cache.get(kid);
      return answer instanceof Promise ? answer.then((set) => set.keys) : answer.keys;
    },
    reload: async () => (await cache.reload()).keys,
  };
}
