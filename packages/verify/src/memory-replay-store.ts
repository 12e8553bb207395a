/**
 * A bounded in-process replay cache for one API process (direct mode's optional jti check). For
 * several processes or nodes, pass a shared ReplayStore instead (the Redis or SQL store of the `keyward` package).
 */
import type { ReplayStore } from './types.ts';

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Most reservations held (default 100000). When full, new reservations are REFUSED (reserve answers
   * false) rather than old ones dropped: dropping would let a replay through.
   */
  readonly maxEntries?: number;
  /** Clock in milliseconds (default Date.now). */
  readonly now?: () => number;
}

/**
 * An in-memory ReplayStore. `reserve` is atomic within the process (single-threaded). Expired
 * entries are purged on every `reserve` in small batches (and by purgeExpired), so memory stays
 * bounded by the number of tokens live at once. Does NOT share state between processes.
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  // Insertion order ≈ expiry order for tokens of similar lifetime; the sweep checks each anyway.
  const entries = new Map<string, number>();

  function sweep(nowSeconds: number, budget: number): number {
    let removed = 0;
    for (const [key, expiresAt] of entries) {
      if (budget-- <= 0) break;
      if (expiresAt < nowSeconds) {
        entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  return {
    get size() {
      return entries.size;
    },
    async reserve(clientId, jti, expiresAt) {
      const t = now() / 1000;
      sweep(t, 16);
      const key = `${clientId.length}:${clientId}:${jti}`;
      const held = entries.get(key);
      if (held !== undefined && held >= t) return false;
      if (held === undefined && entries.size >= maxEntries && sweep(t, entries.size) === 0) return false;
      entries.delete(key);
      entries.set(key, expiresAt);
      return true;
    },
    async purgeExpired(nowSeconds) {
      return sweep(nowSeconds, entries.size);
    },
  };
}
