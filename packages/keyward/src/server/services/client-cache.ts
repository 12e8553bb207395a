/**
 * Caches client records with their keys already parsed into KeyObjects, so the token endpoint never
 * imports a key per request. Entries live `clients.cacheTtl` seconds (a change made by another process
 * that was not announced shows up within that time) and are dropped at once by `invalidate`.
 * Parsed keys are cached per (client, thumbprint) across reloads.
 *
 * The race an invalidation must win: a load that read the store just before a change was committed
 * (here or on another node) finishes after the invalidation and would cache the old state until the
 * entry expires. So every invalidation moves an epoch, a load caches its result only when the epoch
 * did not move while it ran, and an invalidated client's load in flight is not joined by new callers.
 */
import { importPublicKey } from '@keyward/core';
import type { RegisteredKey } from '@keyward/core';
import type { ClientKeyRecord, ClientRecord, ClientStore } from '../../store/contract.ts';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../clock.ts';

/** A client and its keys, ready for verifyClientAssertion. */
export interface CachedClient {
  readonly client: ClientRecord;
  readonly keys: readonly RegisteredKey[];
  readonly keyRecords: readonly ClientKeyRecord[];
}

/** The cache. */
export interface ClientCache {
  /** The client (from cache when fresh), or undefined when it does not exist. */
  get(clientId: string): Promise<CachedClient | undefined>;
  /** Drops one client (after a change made through this node). */
  invalidate(clientId: string): void;
  clear(): void;
}

/** A cache over `store` with entries fresh for `ttlSeconds` on `clock` (default the system clock). */
export function createClientCache(store: ClientStore, options: { ttlSeconds: number; logger: Logger; clock?: Clock }): ClientCache {
  const clock = options.clock ?? systemClock;
  const entries = new Map<string, { value: CachedClient; expires: number }>();
  const inflight = new Map<string, Promise<CachedClient | undefined>>();
  const parsedKeys = new Map<string, RegisteredKey['key']>();
  const MAX_ENTRIES = 10_000;
  /** Moved by every invalidation (see the module comment). */
  let epoch = 0;

  function toRegistered(record: ClientKeyRecord): RegisteredKey | undefined {
    const cacheKey = `${record.clientId}\0${record.thumbprint}`;
    let key = parsedKeys.get(cacheKey);
    if (key === undefined) {
      try {
        key = importPublicKey(record.jwk as unknown as Record<string, unknown>).key;
      } catch (error) {
        options.logger.warn({ clientId: record.clientId, kid: record.kid, err: error }, 'a stored client key could not be read; it is skipped');
        return undefined;
      }
      parsedKeys.set(cacheKey, key);
    }
    return {
      kid: record.kid,
      thumbprint: record.thumbprint,
      key,
      state: record.state,
      ...(record.alg ? { alg: record.alg } : {}),
      ...(record.retireAt ? { retireAt: record.retireAt } : {}),
      ...(record.notBefore ? { notBefore: record.notBefore } : {}),
      ...(record.notAfter ? { notAfter: record.notAfter } : {}),
    };
  }

  async function load(clientId: string): Promise<CachedClient | undefined> {
    const startedAt = epoch;
    const client = await store.getClient(clientId);
    if (client === undefined) return undefined;
    const keyRecords = await store.listKeys(clientId);
    const keys = keyRecords.map(toRegistered).filter((key): key is RegisteredKey => key !== undefined);
    const value: CachedClient = { client, keys, keyRecords };
    if (options.ttlSeconds > 0 && epoch === startedAt) {
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(clientId, { value, expires: clock() + options.ttlSeconds * 1000 });
    }
    return value;
  }

  return {
    async get(clientId) {
      const hit = entries.get(clientId);
      if (hit !== undefined && hit.expires > clock()) return hit.value;
      let pending = inflight.get(clientId);
      if (pending === undefined) {
        const loading = load(clientId).finally(() => {
          if (inflight.get(clientId) === loading) inflight.delete(clientId);
        });
        inflight.set(clientId, loading);
        pending = loading;
      }
      return pending;
    },
    invalidate(clientId) {
      epoch += 1;
      entries.delete(clientId);
      inflight.delete(clientId);
    },
    clear() {
      entries.clear();
      parsedKeys.clear();
    },
  };
}
