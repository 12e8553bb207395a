/**
 * The change feed of one process (the port is in change-feed.ts): subscribers in this process, and
 * at most one transport to the others. Every message a transport hands in is validated here, the
 * same way for every transport: one that is not a well-formed event is dropped with a warning (the
 * log line names the transport, never the message, which may hold anything) and never reaches a
 * cache; nothing a transport receives can throw out of the feed.
 */
import type { ChangeEvent } from './change-event.ts';
import { toChangeEvent } from './change-event.ts';
import type { ChangeFeed, ChangeTransport } from './change-feed.ts';
import { createHandlerSet } from './handler-set.ts';

/** Where the feed's warnings go (a pino Logger fits). */
export interface ChangeFeedLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** Options of {@link createChangeFeed}: a transport comes with a logger, for the warnings about what it receives. */
export type ChangeFeedOptions =
  | { readonly transport: ChangeTransport; readonly logger: ChangeFeedLogger }
  | { readonly transport?: undefined; readonly logger?: ChangeFeedLogger };

/** Creates a feed over `transport`; without one, the feed reaches this process only. */
export function createChangeFeed(options: ChangeFeedOptions = {}): ChangeFeed {
  const { transport, logger } = options;
  const subscribers = createHandlerSet<ChangeEvent>();
  const dispatch = (event: ChangeEvent): void => {
    subscribers.call(event, (error) => logger?.warn({ err: error, event: event.type }, 'a change feed subscriber failed; the others still got the event'));
  };
  const stopReceiving = transport?.receive((message) => {
    const event = toChangeEvent(message);
    if (event === undefined) {
      logger?.warn({ transport: transport.name }, 'dropped a malformed change event');
      return;
    }
    dispatch(event);
  });

  return {
    publish(event) {
      dispatch(event);
      if (transport === undefined) return;
      // An async wrapper: a transport that throws instead of rejecting is caught the same way.
      (async () => transport.send(event))().catch((error: unknown) => {
        logger?.warn({ err: error, event: event.type, transport: transport.name }, 'could not publish a change to the other processes; they see it within clients.cacheTtl');
      });
    },
    subscribe(handler) {
      return subscribers.add(handler);
    },
    async close() {
      stopReceiving?.();
      subscribers.clear();
      await transport?.close();
    },
  };
}
