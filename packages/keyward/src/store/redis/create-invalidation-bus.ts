/**
 * Cross-node cache invalidation over Redis pub/sub. A node that changes a client, its keys or the
 * signing keys publishes an event; every node (itself included) receives it and drops its cached
 * copy. Pub/sub is fire-and-forget: a node that is disconnected misses events, so caches must still
 * expire on their own (short TTL). Messages that are not a known event are ignored.
 *
 * Channel: `${prefix}invalidate`. Events carry identifiers only, never key material or tokens.
 */
import type { Redis } from 'ioredis';
import { connectRedis } from './connect-redis.ts';

/** What changed. */
export type InvalidationEvent =
  | { readonly type: 'client'; readonly clientId: string }
  | { readonly type: 'signing-keys' };

export interface InvalidationBus {
  /** Sends the event to every subscribed node. */
  publish(event: InvalidationEvent): Promise<void>;
  /** Calls `handler` for each event received; returns a function that unsubscribes it. */
  subscribe(handler: (event: InvalidationEvent) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** Parses one message; undefined if it is not a well-formed event. */
export function parseInvalidationEvent(message: string): InvalidationEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  return toInvalidationEvent(value);
}

/** The event `value` carries (identifiers only, other members dropped); undefined if it is not a well-formed event. */
export function toInvalidationEvent(value: unknown): InvalidationEvent | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  // 'client' covers the client and its keys (one cache entry holds both).
  if (v.type === 'client' && typeof v.clientId === 'string') return { type: 'client', clientId: v.clientId };
  if (v.type === 'signing-keys') return { type: 'signing-keys' };
  return undefined;
}

/** The subscribers of one bus: what every transport (Redis, worker IPC, the CLI socket) hands its events to. */
export interface InvalidationHandlers {
  /** Adds `handler`; returns the function that removes it. */
  add(handler: (event: InvalidationEvent) => void): () => void;
  /** Calls every handler with `event`; one that throws does not stop the others. */
  dispatch(event: InvalidationEvent): void;
  clear(): void;
}

/** Creates an empty set of subscribers. */
export function createInvalidationHandlers(): InvalidationHandlers {
  const handlers = new Set<(event: InvalidationEvent) => void>();
  return {
    add(handler) {
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
      };
    },
    dispatch(event) {
      for (const handler of handlers) {
        try {
          handler(event);
        } catch {
          // One faulty handler must not stop the others.
        }
      }
    },
    clear() {
      handlers.clear();
    },
  };
}

/** Connects the publishing and the subscribing connections (Redis needs one of each). */
export async function createInvalidationBus(redisUrl: string, prefix: string): Promise<InvalidationBus> {
  const channel = `${prefix}invalidate`;
  const publisher = await connectRedis(redisUrl);
  let subscriber: Redis | undefined;
  const handlers = createInvalidationHandlers();

  const ensureSubscriber = async (): Promise<void> => {
    if (subscriber) return;
    const connection = await connectRedis(redisUrl);
    connection.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const event = parseInvalidationEvent(message);
      if (event) handlers.dispatch(event);
    });
    await connection.subscribe(channel);
    subscriber = connection;
  };

  return {
    async publish(event) {
      await publisher.publish(channel, JSON.stringify(event));
    },
    async subscribe(handler) {
      await ensureSubscriber();
      return handlers.add(handler);
    },
    async close() {
      handlers.clear();
      await Promise.allSettled([publisher.quit(), subscriber?.quit()]);
    },
  };
}
