/**
 * Tells running servers about a change the CLI made directly in the shared store (a client disabled,
 * a key revoked, the signing key rotated...), so that they drop their cached copy at once instead of
 * after `clients.cacheTtl` (or re-read their signing keys at once instead of after
 * `tokens.signingKeyRefresh`):
 *
 * - with `storage.redisUrl`, on the Redis invalidation bus the nodes of one issuer listen to
 *   (channel `<storage.keyPrefix>invalidate`);
 * - without it, on the socket of the data directory (`keyward.sock`), where a server running on the
 *   same data listens (server/services/cluster/local-announcements.ts).
 */
import type { KeywardConfig } from '../../config/defaults.ts';
import type { InvalidationEvent } from '../../store/redis/create-invalidation-bus.ts';

/**
 * Sends `events`. Never throws: the change is already stored, so a channel that does not answer only
 * delays it; returns a warning for the user in that case (else undefined). No server running is not
 * a problem (one that starts later reads the store). Does NOT wait for a node to apply the events
 * over Redis (pub/sub has no acknowledgement); over the socket the server has read them on return.
 */
export async function announceChanges(config: KeywardConfig, events: readonly InvalidationEvent[]): Promise<string | undefined> {
  if (events.length === 0) return undefined;
  const { redisUrl, keyPrefix } = config.storage;
  try {
    if (!redisUrl) {
      const { sendLocalAnnouncements } = await import('../../server/services/cluster/local-announcements.ts');
      await sendLocalAnnouncements(config, events);
      return undefined;
    }
    const { createInvalidationBus } = await import('../../store/redis/create-invalidation-bus.ts');
    const bus = await createInvalidationBus(redisUrl, keyPrefix);
    try {
      for (const event of events) await bus.publish(event);
    } finally {
      await bus.close();
    }
    return undefined;
  } catch (error) {
    return `the change is stored, but the running servers could not be told at once (${redisUrl ? 'Redis' : 'data directory socket'}: ${(error as Error).message}); ` +
      'they see it within clients.cacheTtl seconds (signing keys: tokens.signingKeyRefresh)';
  }
}
