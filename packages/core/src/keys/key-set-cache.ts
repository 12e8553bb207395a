/**
 * The cache of one fetched key set (a client's `jwks_uri` at the server, the server's `/jwks` at an
 * API): the one set of rules for when a key set is fetched again.
 *
 * - The set lives for the answer's `Cache-Control: max-age`, clamped to [min, max] seconds (RFC 9111
 *   §5.2.2.1); without one, `defaultCacheSeconds`; `no-store`/`no-cache`, the minimum (a little
 *   caching, or every request would fetch).
 * - A `kid` not in the set refetches at once (RFC 7517 §4.5: a new kid is how a key holder announces
 *   a rotation), at most once per `refetchIntervalSeconds`, so a rotation is seen by its first token
 *   and a flood of random kids costs one fetch per interval.
 * - One fetch at a time: concurrent callers, unknown kid included, share the fetch under way.
 * - A failed fetch keeps the last good set, answered with the error (stale), and the next attempt
 *   waits `failureRetrySeconds`, whatever asks for it. With no good set yet, the error is thrown, and
 *   the next attempt waits `refetchIntervalSeconds`.
 *
 * The fetching itself (transport, address rules, reading the document) is the `load` function's.
 * Pure apart from `load`: the clock is injected. Does NOT verify anything.
 */

/** What `load` returns: the keys and how long the answer may be cached. */
export interface LoadedKeySet<K> {
  readonly keys: readonly K[];
  /** The answer's `Cache-Control: max-age`, not yet clamped; undefined without one. */
  readonly maxAgeSeconds?: number | undefined;
  /** True when the answer said `no-store` or `no-cache`. */
  readonly noStore?: boolean;
}

/** Options of {@link createKeySetCache}. */
export interface KeySetCacheOptions<K> {
  /** Fetches and reads the set; throws when it cannot (the error is kept for the answers). */
  readonly load: () => Promise<LoadedKeySet<K>>;
  /** The names a key is found by (its `kid`, its thumbprint). */
  readonly kidsOf: (key: K) => readonly string[];
  readonly minCacheSeconds: number;
  readonly maxCacheSeconds: number;
  readonly defaultCacheSeconds: number;
  readonly refetchIntervalSeconds: number;
  readonly failureRetrySeconds: number;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;
}

/** A cached key set as answered. */
export interface CachedKeySet<K> {
  readonly keys: readonly K[];
  /** When these keys were fetched (epoch milliseconds). */
  readonly fetchedAt: number;
  /** Set when the last fetch failed and these are the last good keys. */
  readonly error?: unknown;
}

/** The cache of one key set. */
export interface KeySetCache<K> {
  /**
   * The set, without waiting when it is fresh and knows `kid` (or no kid is asked): the fast path of
   * every verification. Otherwise a promise, fetching when the rules above allow.
   */
  get(kid?: string): CachedKeySet<K> | Promise<CachedKeySet<K>>;
  /** Fetches now (or joins the fetch under way). */
  reload(): Promise<CachedKeySet<K>>;
}

/**
 * Reads a `Cache-Control` header value for a key set's lifetime: `max-age` in seconds (RFC 9111
 * §5.2.2.1; a malformed one is ignored) and whether `no-store` or `no-cache` was given (RFC 9111
 * §5.2.2.4-5), which wins over `max-age` in {@link createKeySetCache}.
 */
export function readCacheControl(value: string | null | undefined): { maxAgeSeconds: number | undefined; noStore: boolean } {
  if (value === null || value === undefined) return { maxAgeSeconds: undefined, noStore: false };
  const directives = value.toLowerCase().split(',').map((part) => part.trim());
  const noStore = directives.some((directive) => directive === 'no-store' || directive === 'no-cache');
  const maxAge = /^max-age\s*=\s*"?(\d+)"?$/.exec(directives.find((directive) => directive.startsWith('max-age')) ?? '');
  return { maxAgeSeconds: maxAge === null ? undefined : Number(maxAge[1]), noStore };
}

/** Creates the cache; fetches nothing until asked. */
export function createKeySetCache<K>(options: KeySetCacheOptions<K>): KeySetCache<K> {
  const { load, kidsOf, now } = options;
  for (const name of ['minCacheSeconds', 'maxCacheSeconds', 'defaultCacheSeconds', 'refetchIntervalSeconds', 'failureRetrySeconds'] as const) {
    if (!(Number.isFinite(options[name]) && options[name] >= 0)) throw new TypeError(`createKeySetCache: ${name} must be a number of seconds >= 0`);
  }
  let current: CachedKeySet<K> | undefined;
  let kids = new Set<string>();
  let expiresAt = 0;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let failure: unknown;
  let failed = false;
  let inflight: Promise<CachedKeySet<K>> | undefined;

  function lifetimeMs(loaded: LoadedKeySet<K>): number {
    if (loaded.noStore === true) return options.minCacheSeconds * 1000;
    const wanted = loaded.maxAgeSeconds ?? options.defaultCacheSeconds;
    return Math.min(options.maxCacheSeconds, Math.max(options.minCacheSeconds, wanted)) * 1000;
  }

  async function fetchSet(): Promise<CachedKeySet<K>> {
    lastAttempt = now();
    try {
      const loaded = await load();
      const at = now();
      current = { keys: loaded.keys, fetchedAt: at };
      kids = new Set(loaded.keys.flatMap((key) => kidsOf(key)));
      expiresAt = at + lifetimeMs(loaded);
      failed = false;
      failure = undefined;
      return current;
    } catch (error) {
      failed = true;
      failure = error;
      if (current === undefined) throw error;
      current = { keys: current.keys, fetchedAt: current.fetchedAt, error };
      return current;
    }
  }

  function reload(): Promise<CachedKeySet<K>> {
    inflight ??= fetchSet().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  /** May a fetch start now? After a failure, not before failureRetrySeconds (refetchIntervalSeconds with no set). */
  function mayFetch(at: number): boolean {
    const waitSeconds = failed && current !== undefined ? options.failureRetrySeconds : options.refetchIntervalSeconds;
    return at - lastAttempt >= waitSeconds * 1000;
  }

  return {
    get(kid) {
      const at = now();
      if (current === undefined) {
        if (inflight !== undefined) return inflight;
        if (failed && !mayFetch(at)) return Promise.reject(failure);
        return reload();
      }
      if (at >= expiresAt && !failed) return reload();
      if (at >= expiresAt && mayFetch(at)) return reload();
      if (kid === undefined || kids.has(kid)) return current;
      // Unknown kid: the fetch under way may bring it; else refetch if the rate allows.
      if (inflight !== undefined) return inflight;
      if (mayFetch(at)) return reload();
      return current;
    },
    reload,
  };
}
