/**
 * The `jwks_uri` key source of a server node: a cache of fetched key sets, one per URI, with the
 * rules of docs/registration.md (design.md "jwks_uri"), which are core's key-set cache's
 * (createKeySetCache, shared with @keyward/verify's remote JWKS):
 *
 * - `Cache-Control: max-age` honoured within [minCacheSeconds, maxCacheSeconds]; no header →
 *   defaultCacheSeconds; `no-store`/`no-cache` → minCacheSeconds (we must cache a little or every
 *   token request would fetch).
 * - an unknown `kid` refetches at once, at most one fetch per unknownKidRefetchSeconds (1 s) per
 *   URI, so a client that rotates the keys at its URI is picked up within a second, without a
 *   restart, and an attacker sending random kids cannot make us hammer the URI.
 * - one fetch in flight per URI: concurrent callers share it, and a caller with an unknown kid while
 *   a fetch is under way waits for that fetch (it may bring the kid) instead of being refused.
 * - a failed fetch keeps the last good set (answered with `stale: true` and the error), and the URI
 *   is not retried before failureRetrySeconds (30 s) pass: the URI is the client's, so a failing
 *   one is not polled every second. A URI that never answered is tried again after
 *   unknownKidRefetchSeconds (at most one fetch a second).
 */
import { OAuthError, createKeySetCache } from '@keyward/core';
import type { CachedKeySet, KeySetCache, PublicKeyInfo } from '@keyward/core';
import { fetchJwks, type ResolveHost } from './fetch-jwks.ts';
import { systemClock, type Clock } from '../../clock.ts';

/** Options of {@link createJwksUriFetcher}; see the defaults in {@link DEFAULT_JWKS_URI_OPTIONS}. */
export interface JwksUriFetcherOptions {
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Hosts (names or IP literals) that may use http and resolve to private or loopback addresses. */
  readonly allowHosts?: readonly string[];
  readonly minCacheSeconds?: number;
  readonly maxCacheSeconds?: number;
  readonly defaultCacheSeconds?: number;
  /** At most one fetch per this many seconds per URI for unknown kids (the refetch rate). */
  readonly unknownKidRefetchSeconds?: number;
  /** After a failed fetch, the URI is not fetched again before this many seconds. */
  readonly failureRetrySeconds?: number;
  /** The clock (tests); default the system clock. */
  readonly clock?: Clock;
  /** DNS resolution (tests); default `dns.promises.lookup(host, { all: true })`. */
  readonly lookup?: ResolveHost;
}

/** The defaults (also documented in docs/registration.md). */
export const DEFAULT_JWKS_URI_OPTIONS = {
  timeoutMs: 3000,
  maxBytes: 65536,
  minCacheSeconds: 60,
  maxCacheSeconds: 86400,
  defaultCacheSeconds: 300,
  unknownKidRefetchSeconds: 1,
  failureRetrySeconds: 30,
} as const;

/** The keys of one client's jwks_uri. */
export interface JwksUriKeys {
  readonly keys: readonly PublicKeyInfo[];
  readonly fetchedAt: Date;
  /** True when the last fetch failed and these are the last good keys. */
  readonly stale: boolean;
  /** Why the last fetch failed (operator detail; never a token or key material). */
  readonly error?: string;
}

/** The fetcher. */
export interface JwksUriFetcher {
  /**
   * The key set of `uri` for `clientId`. With `kid` not in the cached set, refetches at once (at
   * most one fetch per unknownKidRefetchSeconds per URI, none before failureRetrySeconds after a
   * failure) or joins the fetch under way. Throws OAuthError 'jwks_fetch_failed' when no good set
   * was ever fetched.
   */
  getKeys(clientId: string, uri: string, options?: { kid?: string }): Promise<JwksUriKeys>;
  /** Forgets the cached set of `uri` (after the client's jwks_uri changed). */
  forget(uri: string): void;
}

/** At most this many URIs are cached per node (a registry larger than this refetches more often). */
const MAX_URIS = 10_000;

/** Creates a fetcher with its own cache: one core key-set cache (createKeySetCache) per URI. */
export function createJwksUriFetcher(options: JwksUriFetcherOptions = {}): JwksUriFetcher {
  const o = { ...DEFAULT_JWKS_URI_OPTIONS, ...options };
  const clock = options.clock ?? systemClock;
  const allowHosts = options.allowHosts ?? [];
  const caches = new Map<string, KeySetCache<PublicKeyInfo>>();

  function cacheOf(uri: string): KeySetCache<PublicKeyInfo> {
    let cache = caches.get(uri);
    if (cache === undefined) {
      if (caches.size >= MAX_URIS) caches.clear();
      cache = createKeySetCache<PublicKeyInfo>({
        load: () => fetchJwks(uri, { timeoutMs: o.timeoutMs, maxBytes: o.maxBytes, allowHosts, ...(options.lookup ? { resolve: options.lookup } : {}) }),
        kidsOf: (key) => [key.kid],
        minCacheSeconds: o.minCacheSeconds,
        maxCacheSeconds: o.maxCacheSeconds,
        defaultCacheSeconds: o.defaultCacheSeconds,
        refetchIntervalSeconds: o.unknownKidRefetchSeconds,
        failureRetrySeconds: o.failureRetrySeconds,
        now: clock,
      });
      caches.set(uri, cache);
    }
    return cache;
  }

  return {
    async getKeys(_clientId, uri, getOptions = {}) {
      let set: CachedKeySet<PublicKeyInfo>;
      try {
        set = await cacheOf(uri).get(getOptions.kid);
      } catch (cause) {
        throw cause instanceof OAuthError ? cause : new OAuthError('jwks_fetch_failed', { detail: 'the jwks_uri could not be fetched', cause });
      }
      const error = set.error === undefined ? undefined : set.error instanceof OAuthError ? (set.error.detail ?? set.error.message) : 'the jwks_uri could not be fetched';
      return { keys: set.keys, fetchedAt: new Date(set.fetchedAt), stale: error !== undefined, ...(error === undefined ? {} : { error }) };
    },
    forget(uri) {
      caches.delete(uri);
    },
  };
}
