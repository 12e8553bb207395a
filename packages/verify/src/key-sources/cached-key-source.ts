/**
 * The cache every direct-mode key source shares: per client, bounded (LRU), one fetch at a time per
 * client, a time to live per answer, a cooldown on forced refetches, the last good keys kept when a
 * fetch fails. The sources (registry, directory, store) only say how to load one client.
 */
import { OAuthError } from '@keyward/core';
import { BoundedCache } from '../bounded-cache.ts';
import type { ClientKeys, ClientKeySource } from '../types.ts';

/** One load: the client's keys (undefined = unknown client) and how long to trust the answer. */
export interface LoadedClientKeys {
  readonly entry: ClientKeys | undefined;
  /** Seconds this answer may be reused. */
  readonly ttlSeconds: number;
}

/** Options of {@link createCachedKeySource}. */
export interface CachedKeySourceOptions {
  readonly load: (clientId: string) => Promise<LoadedClientKeys>;
  /** At most one forced refetch per client per this many seconds (unknown kid, bad signature). */
  readonly cooldownSeconds: number;
  /** After a failed fetch with keys still cached, retry after this many seconds. */
  readonly retrySeconds?: number;
  /** Most clients cached (LRU). */
  readonly maxEntries: number;
  /** Clock in milliseconds. */
  readonly now: () => number;
}

interface Slot {
  entry: ClientKeys | undefined;
  /** True once a load succeeded (entry may still be undefined: an unknown client). */
  loaded: boolean;
  expiresAt: number;
  lastFetch: number;
  inflight: Promise<ClientKeys | undefined> | undefined;
}

/**
 * Wraps `load` into a {@link ClientKeySource}. Fresh answers are returned synchronously (the hot
 * path allocates nothing). A failed load keeps the last good answer (and retries after
 * `retrySeconds`, default the cooldown); with nothing cached it throws 'store_unavailable' (503).
 * Does NOT validate keys (load does).
 */
export function createCachedKeySource(options: CachedKeySourceOptions): ClientKeySource {
  const cache = new BoundedCache<string, Slot>(options.maxEntries);
  const cooldownMs = options.cooldownSeconds * 1000;
  const retryMs = (options.retrySeconds ?? options.cooldownSeconds) * 1000;
  const now = options.now;

  function fetchClient(clientId: string, slot: Slot): Promise<ClientKeys | undefined> {
    if (slot.inflight !== undefined) return slot.inflight;
    slot.lastFetch = now();
    const promise = options.load(clientId).then(
      (loaded) => {
        slot.entry = loaded.entry;
        slot.loaded = true;
        slot.expiresAt = now() + Math.max(0, loaded.ttlSeconds) * 1000;
        return slot.entry;
      },
      (error: unknown) => {
        if (slot.loaded) {
          // Keep the last good keys; try again later rather than on every request.
          slot.expiresAt = now() + retryMs;
          return slot.entry;
        }
        cache.delete(clientId);
        throw error instanceof OAuthError ? error : new OAuthError('store_unavailable', { detail: 'the client keys could not be loaded', cause: error });
      },
    ).finally(() => {
      slot.inflight = undefined;
    });
    slot.inflight = promise;
    return promise;
  }

  function slotFor(clientId: string): Slot {
    let slot = cache.get(clientId);
    if (slot === undefined) {
      slot = { entry: undefined, loaded: false, expiresAt: 0, lastFetch: Number.NEGATIVE_INFINITY, inflight: undefined };
      cache.set(clientId, slot);
    }
    return slot;
  }

  return {
    getClientKeys(clientId) {
      const slot = slotFor(clientId);
      if (slot.loaded && now() < slot.expiresAt) return slot.entry;
      return fetchClient(clientId, slot);
    },
    refreshClientKeys(clientId) {
      const slot = slotFor(clientId);
      if (slot.inflight !== undefined) return slot.inflight;
      if (now() - slot.lastFetch < cooldownMs) return undefined;
      return fetchClient(clientId, slot);
    },
    close() {
      cache.clear();
    },
  };
}
