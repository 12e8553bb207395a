/**
 * Tells running server nodes about a change the CLI made directly in the shared store (a client
 * disabled, a key revoked, the signing key rotated...), over the Redis invalidation bus that the
 * nodes of one issuer already listen to (`storage.redisUrl`, channel `<storage.keyPrefix>invalidate`).
 * The nodes then drop their cached copy at once instead of after `clients.cacheTtl` (or re-read
 * their signing keys at once instead of after `tokens.signingKeyRefresh`).
 *
 * Without `storage.redisUrl` there is no bus a separate process can reach: nothing is sent, and the
 * nodes (or the workers of one `serve --workers N`) see the change within those bounds.
 */
import type { KeywardConfig } from '../../core/config/defaults.ts';
import type { InvalidationEvent } from '../../store/redis/create-invalidation-bus.ts';

/**
 * Publishes `events` when Redis is configured. Never throws: the change is already stored, so a bus
 * that does not answer only delays it; returns a warning for the user in that case (else undefined).
 * Does NOT wait for any node to receive the events (Redis pub/sub has no acknowledgement).
 */
export async function announceChanges(config: KeywardConfig, events: readonly InvalidationEvent[]): Promise<string | undefined> {
  const { redisUrl, keyPrefix } = config.storage;
  if (!redisUrl || events.length === 0) return undefined;
  try {
    const { createInvalidationBus } = await import('../../store/redis/create-invalidation-bus.ts');
    const bus = await createInvalidationBus(redisUrl, keyPrefix);
    try {
      for (const event of events) await bus.publish(event);
    } finally {
      await bus.close();
    }
    return undefined;
  } catch (error) {
    return `the change is stored, but the running servers could not be told at once (Redis: ${(error as Error).message}); ` +
      'they see it within clients.cacheTtl seconds (signing keys: tokens.signingKeyRefresh)';
  }
}
