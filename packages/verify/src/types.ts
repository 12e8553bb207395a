/**
 * Types shared by the verifier, its two modes, its key sources and its adapters.
 */
import type { RegisteredKey } from '@keyward/core';

/** Which kind of token authenticated the request. */
export type VerifyMode = 'access_token' | 'direct';

/** Who called, once every check passed. Adapters attach it to the request as `keyward`. */
export interface Principal {
  /** The client: `client_id` of an access token (RFC 9068 §2.2), or the direct token's client-id claim. */
  readonly clientId: string;
  /** Granted scopes: the access token's `scope` claim split on spaces; for direct tokens the scopes the key source knows for the client (often none). */
  readonly scopes: readonly string[];
  /** Every claim of the verified token (trusted: the signature verified). */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly mode: VerifyMode;
}

/**
 * The replay port of direct mode: an atomic reservation of (client_id, jti) until `expiresAt`
 * (epoch seconds), false when already reserved (RFC 7519 §4.1.7). createMemoryReplayStore
 * implements it for one process; the memory, SQL and Redis stores of the `keyward` package
 * implement the same shape (`store.replay`) for several processes. Declared here, not imported
 * from `keyward`, so that this package never depends on the server.
 */
export interface ReplayStore {
  reserve(clientId: string, jti: string, expiresAt: number): Promise<boolean>;
  /** Deletes reservations that expired before `nowSeconds`; returns how many. */
  purgeExpired(nowSeconds: number): Promise<number>;
}

/** The keys (and state) of one client, as a key source knows them. */
export interface ClientKeys {
  /** 'disabled' refuses every token of the client ('client_disabled'). */
  readonly state: 'enabled' | 'disabled';
  readonly keys: readonly RegisteredKey[];
  /** Scopes the client may use, when the source knows them (store source); direct principals get these. */
  readonly scopes?: readonly string[];
}

/**
 * Where direct mode finds a client's public keys. `getClientKeys` may answer synchronously from a
 * cache (the fast path) or return a promise. `undefined` means "no such client".
 */
export interface ClientKeySource {
  getClientKeys(clientId: string): ClientKeys | undefined | Promise<ClientKeys | undefined>;
  /**
   * Asks the source to refetch the client's keys now, because a token named a kid it does not know
   * or did not verify with the cached keys. The source rate-limits this (cooldown) and answers
   * `undefined` when it did not refetch. Optional.
   */
  refreshClientKeys?(clientId: string): Promise<ClientKeys | undefined> | undefined;
  /** Stops timers and frees caches. Optional. */
  close?(): void;
  /**
   * The issuer of the authorization server the keys come from, when the source knows it (the
   * registry source does): direct mode then refuses that server's assertions and tokens.
   */
  readonly issuer?: string;
}

/** A minimal `fetch` (the global one fits); injectable for tests and proxies. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
