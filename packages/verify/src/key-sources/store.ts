/**
 * Direct-mode keys from a Keyward storage adapter (the same SQLite/PostgreSQL/memory store the
 * server uses), for an API deployed beside the server's database.
 */
import { importPublicKey, toRegisteredKey } from '@keyward/core';
import type { JwsAlgorithm, KeyState, PublicJwk, RegisteredKey } from '@keyward/core';
import type { ClientKeySource } from '../types.ts';
import { createCachedKeySource } from './cached-key-source.ts';

/** A registered key as a client store keeps it (the fields of `keyward`'s ClientKeyRecord this source reads). */
export interface StoredClientKey {
  readonly kid: string;
  /** RFC 7638 thumbprint. */
  readonly thumbprint: string;
  readonly jwk: PublicJwk;
  readonly alg?: JwsAlgorithm;
  readonly state: KeyState;
  readonly retireAt?: Date;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/**
 * The two reads this source makes of a client store. `keyward`'s ClientStore (memory, SQLite,
 * PostgreSQL: `store.clients`) has this shape; it is declared here so that this package never
 * depends on the server.
 */
export interface ClientKeyStore {
  getClient(clientId: string): Promise<{ readonly state: 'enabled' | 'disabled'; readonly scopes: readonly string[] } | undefined>;
  listKeys(clientId: string): Promise<readonly StoredClientKey[]>;
}

/** Options of {@link createStoreKeySource}. */
export interface StoreKeySourceOptions {
  /** Any client store (`store.clients` of createMemoryStore, the SQLite or PostgreSQL adapter...). */
  readonly clients: ClientKeyStore;
  /** Answers are reused this long, in seconds (default 30): the rotation/revocation bound. */
  readonly cacheSeconds?: number;
  /** At most one forced re-read per client per this many seconds (default 1). */
  readonly cooldownSeconds?: number;
  /** After a failed read (last good keys kept), the next attempt waits this long (default 5). */
  readonly retrySeconds?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** A stored key record as the verifier sees it (lifecycle kept; the JWK imported once per load). */
export function toRegisteredKeyFromRecord(record: StoredClientKey): RegisteredKey {
  const info = importPublicKey(record.jwk as unknown as Record<string, unknown>, { kid: record.kid, ...(record.alg === undefined ? {} : { alg: record.alg }) });
  return toRegisteredKey(info, {
    kid: record.kid,
    thumbprint: record.thumbprint,
    state: record.state,
    ...(record.retireAt === undefined ? {} : { retireAt: record.retireAt }),
    ...(record.notBefore === undefined ? {} : { notBefore: record.notBefore }),
    ...(record.notAfter === undefined ? {} : { notAfter: record.notAfter }),
  });
}

/**
 * A key source over a ClientStore: the client's state and scopes from getClient, its keys (with
 * their lifecycle: active, retiring until retireAt, revoked) from listKeys. A revoked or removed key
 * is refused at most `cacheSeconds` after the change; a new key is seen at once (unknown-kid
 * refetch, cooldown permitting). Keys that no longer import (policy tightened) are skipped.
 * Does NOT follow a client's jwks_uri (direct mode uses registered keys only).
 */
export function createStoreKeySource(options: StoreKeySourceOptions): ClientKeySource {
  const ttl = options.cacheSeconds ?? 30;
  return createCachedKeySource({
    cooldownSeconds: options.cooldownSeconds ?? 1,
    retrySeconds: options.retrySeconds ?? 5,
    maxEntries: options.maxEntries ?? 10_000,
    now: options.now ?? Date.now,
    async load(clientId) {
      const client = await options.clients.getClient(clientId);
      if (client === undefined) return { entry: undefined, ttlSeconds: ttl };
      const keys: RegisteredKey[] = [];
      for (const record of await options.clients.listKeys(clientId)) {
        try {
          keys.push(toRegisteredKeyFromRecord(record));
        } catch {
          // A stored key the current policy refuses is not usable; the others still are.
        }
      }
      return { entry: { state: client.state, keys, scopes: Object.freeze([...client.scopes]) }, ttlSeconds: ttl };
    },
  });
}
