/**
 * The authorization server's signing keys for mode A: a remote JWKS (RFC 7517 §5), cached, refetched
 * at once when a token names an unknown kid (at most once per refetch interval, 1 s), last good set
 * kept on failure (retried after the cooldown, 30 s).
 */
import { OAuthError } from '@keyward/core';
import { importPublicKey, toRegisteredKey } from '@keyward/core';
import type { RegisteredKey } from '@keyward/core';
import { discoverIssuer } from '../discovery.ts';
import { fetchJson, readMaxAge } from '../fetch-json.ts';
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
 * Reads every usable signature key of a JWKS document: entries with `use` other than "sig", private
 * or symmetric members, weak or unknown key types are skipped (one bad entry does not hide the rest).
 * Does NOT check kid uniqueness (the verifier tries every key with the kid).
 */
export function readJwksKeys(document: unknown): RegisteredKey[] {
  if (typeof document !== 'object' || document === null || !Array.isArray((document as { keys?: unknown }).keys)) {
    throw new OAuthError('store_unavailable', { detail: 'the JWKS is not a {"keys": [...]} document' });
  }
  const out: RegisteredKey[] = [];
  for (const jwk of (document as { keys: unknown[] }).keys) {
    if (typeof jwk !== 'object' || jwk === null) continue;
    const entry = jwk as Record<string, unknown>;
    if (entry.use !== undefined && entry.use !== 'sig') continue;
    try {
      out.push(toRegisteredKey(importPublicKey(entry)));
    } catch {
      // RFC 7517 §5: ignore keys we do not understand (or refuse by policy) rather than fail the set.
    }
  }
  return out;
}

/**
 * Creates the cached remote JWKS. Rules:
 * - the cache lives for the server's Cache-Control max-age clamped to [min, max] (RFC 9111 §5.2.2.1);
 * - an unknown `kid` triggers a refetch at once, at most once per `refetchIntervalSeconds` (1 s), so
 *   a new signing key works with its first token and a flood of random kids costs one request per
 *   interval (RFC 7517 §4.5: kid is how the server announces a rotation);
 * - a failed fetch keeps the last good set and the next attempt (expiry or unknown kid) waits
 *   `cooldownSeconds` (30 s); with no set at all the caller gets 'store_unavailable' (503);
 * - one refetch at a time: concurrent callers, unknown kid included, share it.
 * Does NOT verify anything and does NOT follow redirects.
 */
export function createRemoteJwks(options: RemoteJwksOptions): RemoteJwks {
  if (options.jwksUri === undefined && options.issuer === undefined) throw new TypeError('createRemoteJwks: give jwksUri or issuer');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const bounds = { min: options.minCacheSeconds ?? 30, max: options.maxCacheSeconds ?? 600, fallback: 300 };
  const cooldownMs = (options.cooldownSeconds ?? 30) * 1000;
  const intervalMs = (options.refetchIntervalSeconds ?? 1) * 1000;
  if (!(intervalMs >= 0) || !(cooldownMs >= 0)) throw new TypeError('createRemoteJwks: refetchIntervalSeconds and cooldownSeconds must be numbers of seconds >= 0');
  const timeoutMs = options.timeoutMs ?? 5000;
  let jwksUri = options.jwksUri;
  let keys: readonly RegisteredKey[] | undefined;
  let kids = new Set<string>();
  let expiresAt = 0;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  /** True when the last fetch failed: the next attempt waits the cooldown, not the interval. */
  let failed = false;
  let inflight: Promise<readonly RegisteredKey[]> | undefined;

  async function load(): Promise<readonly RegisteredKey[]> {
    lastAttempt = now();
    try {
      if (jwksUri === undefined) {
        const metadata = await discoverIssuer(options.issuer as string, fetchImpl, timeoutMs);
        if (metadata.jwks_uri === undefined) throw new OAuthError('store_unavailable', { detail: 'the issuer metadata has no jwks_uri' });
        jwksUri = metadata.jwks_uri;
      }
      const response = await fetchJson(fetchImpl, jwksUri, { timeoutMs });
      if (response.status !== 200) throw new OAuthError('store_unavailable', { detail: `${jwksUri} answered ${response.status}` });
      const loaded = readJwksKeys(response.json);
      keys = loaded;
      kids = new Set(loaded.flatMap((k) => [k.kid, k.thumbprint]));
      expiresAt = now() + readMaxAge(response.headers, bounds) * 1000;
      failed = false;
      return loaded;
    } catch (error) {
      // Keep the last good set; retry after the cooldown rather than on every request.
      failed = true;
      if (keys !== undefined) {
        expiresAt = now() + cooldownMs;
        return keys;
      }
      throw error instanceof OAuthError ? error : new OAuthError('store_unavailable', { detail: 'the JWKS could not be fetched', cause: error });
    }
  }

  function reload(): Promise<readonly RegisteredKey[]> {
    inflight ??= load().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return {
    getKeys(kid?: string) {
      const t = now();
      if (keys === undefined || t >= expiresAt) return reload();
      if (kid === undefined || kids.has(kid)) return keys;
      // Unknown kid: wait for the fetch under way, else refetch if the interval (cooldown after a failure) allows.
      if (inflight !== undefined) return inflight;
      if (t - lastAttempt >= (failed ? cooldownMs : intervalMs)) return reload();
      return keys;
    },
    reload,
  };
}
