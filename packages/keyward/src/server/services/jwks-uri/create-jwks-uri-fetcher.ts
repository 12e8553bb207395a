/**
 * The `jwks_uri` key source of a server node: a cache of fetched key sets, one per URI, with the
 * rules of docs/registration.md (design.md "jwks_uri"):
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
 *   one is not polled every second.
 */
import { OAuthError } from '@keyward/core';
import type { PublicKeyInfo } from '@keyward/core';
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

interface Entry {
  keys: readonly PublicKeyInfo[];
  fetchedAt: number;
  expiresAt: number;
  /** Set when the last attempt failed. */
  error?: string;
  /** No retry before this time after a failure. */
  retryAfter: number;
}

/** Creates a fetcher with its own cache. */
export function createJwksUriFetcher(options: JwksUriFetcherOptions = {}): JwksUriFetcher {
  const o = { ...DEFAULT_JWKS_URI_OPTIONS, ...options };
  const clock = options.clock ?? systemClock;
  const allowHosts = options.allowHosts ?? [];
  const entries = new Map<string, Entry>();
  const failures = new Map<string, { error: OAuthError; retryAfter: number }>();
  const inflight = new Map<string, Promise<Entry>>();
  /** When each URI was last fetched (any cause): the unknown-kid rate counts from it. */
  const lastFetch = new Map<string, number>();
  const MAX_ENTRIES = 10_000;

  function clampSeconds(maxAge: number | undefined, noStore: boolean): number {
    if (noStore) return o.minCacheSeconds;
    const wanted = maxAge ?? o.defaultCacheSeconds;
    return Math.min(o.maxCacheSeconds, Math.max(o.minCacheSeconds, wanted));
  }

  function refresh(uri: string): Promise<Entry> {
    let pending = inflight.get(uri);
    if (pending !== undefined) return pending;
    if (lastFetch.size >= MAX_ENTRIES) lastFetch.clear();
    lastFetch.set(uri, clock());
    pending = (async () => {
      const previous = entries.get(uri);
      try {
        const fetched = await fetchJwks(uri, { timeoutMs: o.timeoutMs, maxBytes: o.maxBytes, allowHosts, ...(options.lookup ? { resolve: options.lookup } : {}) });
        const at = clock();
        const entry: Entry = { keys: fetched.keys, fetchedAt: at, expiresAt: at + clampSeconds(fetched.maxAge, fetched.noStore) * 1000, retryAfter: 0 };
        if (entries.size >= MAX_ENTRIES) entries.clear();
        entries.set(uri, entry);
        failures.delete(uri);
        return entry;
      } catch (cause) {
        const error = cause instanceof OAuthError ? cause : new OAuthError('jwks_fetch_failed', { detail: 'the jwks_uri could not be fetched', cause });
        const retryAfter = clock() + o.failureRetrySeconds * 1000;
        if (previous === undefined) {
          failures.set(uri, { error, retryAfter });
          throw error;
        }
        // Keep the last good set; mark it stale and do not retry before failureRetrySeconds.
        const stale: Entry = { ...previous, error: error.detail ?? error.message, retryAfter };
        entries.set(uri, stale);
        return stale;
      }
    })().finally(() => inflight.delete(uri));
    inflight.set(uri, pending);
    return pending;
  }

  function answer(entry: Entry): JwksUriKeys {
    return { keys: entry.keys, fetchedAt: new Date(entry.fetchedAt), stale: entry.error !== undefined, ...(entry.error ? { error: entry.error } : {}) };
  }

  return {
    async getKeys(clientId, uri, getOptions = {}) {
      const at = clock();
      let entry = entries.get(uri);
      if (entry === undefined) {
        const failure = failures.get(uri);
        if (failure !== undefined && failure.retryAfter > at) throw failure.error;
        return answer(await refresh(uri));
      }
      if (entry.expiresAt <= at && entry.retryAfter <= at) {
        entry = await refresh(uri);
      }
      const kid = getOptions.kid;
      if (kid !== undefined && !entry.keys.some((key) => key.kid === kid)) {
        // Unknown kid: the client may have rotated. Join the fetch under way, or refetch at once,
        // at most one fetch per unknownKidRefetchSeconds per URI and none soon after a failure.
        const pending = inflight.get(uri);
        const last = lastFetch.get(uri);
        if (pending !== undefined) entry = await pending;
        else if ((last === undefined || last + o.unknownKidRefetchSeconds * 1000 <= at) && entry.retryAfter <= at) entry = await refresh(uri);
      }
      return answer(entry);
    },
    forget(uri) {
      entries.delete(uri);
      failures.delete(uri);
    },
  };
}
