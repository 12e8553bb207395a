/**
 * Cross-node invalidation: every node of one issuer subscribes to the Redis invalidation
 * bus (store/redis, channel `<storage.keyPrefix>invalidate`) and publishes on it every change made
 * through its registry (admin API, RFC 7591/7592 registration). On an event a node drops its cached
 * client and keys, so disabling a client or revoking a key on one node takes effect on every node
 * within the pub/sub latency (milliseconds), not after `clients.cacheTtl`.
 *
 * A `signing-keys` event makes the node re-read its signing keys at once.
 *
 * The worker processes of one `keyward serve --workers N` without Redis use the same events over
 * IPC through their main process (workers/worker-link.ts), passed in as `options.bus`.
 *
 * The local CLI announces its own direct store changes (cli/lib/announce-changes.ts): on the same
 * Redis channel, or without Redis on the data directory's socket, which a lone node passes in here
 * as `options.bus` (local-announcements.ts) and the main process of `serve --workers N` relays.
 *
 * Does NOT guarantee delivery: Redis pub/sub drops messages for a node that is disconnected at that
 * moment. That case still sees the change within `clients.cacheTtl` seconds, so keep that short.
 */
import type { ServerContext } from '../../context.ts';
import type { InvalidationBus, InvalidationEvent } from '../../../store/redis/create-invalidation-bus.ts';

/** The running subscription of one node. */
export interface ClusterSync {
  /** Unsubscribes and closes the Redis connections. */
  close(): Promise<void>;
}

const NOOP: ClusterSync = { close: async () => {} };

/**
 * Starts the subscription when `storage.redisUrl` is set (else returns a no-op). Throws
 * StoreError('unavailable') when Redis does not answer at start: a node configured for a cluster
 * does not silently run alone.
 */
export async function startClusterSync(ctx: ServerContext, options: { bus?: InvalidationBus } = {}): Promise<ClusterSync> {
  const { redisUrl, keyPrefix } = ctx.config.storage;
  if (options.bus === undefined && !redisUrl) return NOOP;
  const bus = options.bus ?? await (await import('../../../store/redis/create-invalidation-bus.ts')).createInvalidationBus(redisUrl!, keyPrefix);

  let unsubscribe: () => void;
  try {
    unsubscribe = await bus.subscribe((event) => {
      // The cache itself makes a load that raced with the change lose (client-cache.ts).
      if (event.type === 'client') ctx.clients.invalidate(event.clientId);
      else if (event.type === 'signing-keys') {
        void ctx.signingKeys.refresh().catch((error: unknown) => ctx.logger.warn({ err: error }, 'signing-key refresh after an invalidation event failed'));
      }
    });
  } catch (error) {
    await bus.close().catch(() => undefined);
    throw error;
  }

  const publish = async (event: InvalidationEvent): Promise<void> => {
    try {
      await bus.publish(event);
    } catch (error) {
      ctx.logger.warn({ err: error, event: event.type }, 'could not publish a cache invalidation; other nodes see the change within clients.cacheTtl');
    }
  };
  const stopListening = ctx.registry.onChange((clientId) => {
    void publish({ type: 'client', clientId });
  });

  return {
    async close() {
      stopListening();
      unsubscribe();
      await bus.close();
    },
  };
}
