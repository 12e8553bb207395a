/**
 * The change feed between the nodes of one issuer: Redis publish/subscribe on the channel
 * `<storage.keyPrefix>invalidate`, one JSON event per message. The local CLI publishes on the same
 * channel when `storage.redisUrl` is set (cli/lib/announce-changes.ts).
 *
 * Redis hands a message to every subscriber, its publisher included: each message carries the
 * random `origin` of the transport that sent it, and a transport drops its own (the feed delivered
 * them already). Nodes that do not know `origin` ignore it. Pub/sub is fire-and-forget: a node
 * disconnected at that moment misses the event (ioredis re-subscribes when it reconnects), so caches
 * still expire on their own.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../../store/redis/connect-redis.ts';
import type { ChangeEvent } from './change-event.ts';
import { decodeChangeMessage } from './change-event.ts';
import type { ChangeTransport } from './change-feed.ts';
import { createHandlerSet } from './handler-set.ts';

/**
 * Connects the publishing connection and, unless `sendOnly` (a CLI command that only announces),
 * the subscribing one (Redis needs one of each), both now. Throws StoreError('unavailable') when
 * Redis does not answer: a node configured for a cluster does not silently run alone.
 */
export async function openRedisTransport(redisUrl: string, prefix: string, options: { sendOnly?: boolean } = {}): Promise<ChangeTransport> {
  const channel = `${prefix}invalidate`;
  const origin = randomUUID();
  const receivers = createHandlerSet<unknown>();
  const publisher = await connectRedis(redisUrl);
  let subscriber: Redis | undefined;
  if (options.sendOnly !== true) {
    try {
      subscriber = await connectRedis(redisUrl);
      subscriber.on('message', (from: string, text: string) => {
        if (from !== channel) return;
        const message = decodeChangeMessage(text);
        if (typeof message === 'object' && message !== null && (message as { origin?: unknown }).origin === origin) return;
        receivers.call(message);
      });
      await subscriber.subscribe(channel);
    } catch (error) {
      publisher.disconnect();
      subscriber?.disconnect();
      throw error;
    }
  }

  return {
    name: 'redis',
    async send(event: ChangeEvent) {
      await publisher.publish(channel, JSON.stringify({ ...event, origin }));
    },
    receive(handler) {
      return receivers.add(handler);
    },
    async close() {
      receivers.clear();
      await Promise.allSettled([publisher.quit(), subscriber?.quit()]);
    },
  };
}
