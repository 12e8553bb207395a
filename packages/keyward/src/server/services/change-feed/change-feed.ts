/**
 * THE change feed of a process: how a change to a client, its keys or the signing keys reaches
 * every cache that holds a copy, in this process and in the others serving the same issuer.
 *
 * One port, {@link ChangeFeed}: the registry service publishes on it, the client cache and the
 * signing keys subscribe to it (subscribe-caches.ts). Behind it at most one
 * {@link ChangeTransport} carries the events between processes:
 *
 * - Redis publish/subscribe between the nodes of one issuer (redis-transport.ts);
 * - node:cluster IPC between the workers of one `keyward serve --workers N`, through their main
 *   process (workers/worker-link.ts);
 * - the data directory's socket `keyward.sock`, on which a lone server hears the local CLI
 *   (socket-transport.ts).
 *
 * Delivery is best effort: a process that is disconnected misses events, so every cache still
 * expires on its own (`clients.cacheTtl`, `tokens.signingKeyRefresh`).
 */
import type { ChangeEvent } from './change-event.ts';

/** Called with each event. */
export type ChangeHandler = (event: ChangeEvent) => void;

/** The change feed of one process. */
export interface ChangeFeed {
  /**
   * Delivers `event` to every subscriber of this process before it returns, then sends it to the
   * other processes through the transport, in the background (a failure is logged as a warning:
   * they see the change when their cached copy expires). Never throws.
   */
  publish(event: ChangeEvent): void;
  /** Calls `handler` with every event, published here or received; returns the function that unsubscribes it. */
  subscribe(handler: ChangeHandler): () => void;
  /** Unsubscribes everyone and closes the transport. */
  close(): Promise<void>;
}

/**
 * One way events travel between processes: an adapter of the feed. A transport does NOT validate
 * what it receives (the feed does, for every transport alike) and does NOT hand a process back its
 * own publications (the feed delivered them already).
 */
export interface ChangeTransport {
  /** Names the transport in log lines: `redis`, `worker-ipc` or `socket`. */
  readonly name: string;
  /** Sends `event` to the other processes; rejects when it could not. */
  send(event: ChangeEvent): Promise<void>;
  /** Hands every message received from another process, not yet validated, to `handler`; returns the function that stops it. */
  receive(handler: (message: unknown) => void): () => void;
  close(): Promise<void>;
}
