/**
 * Tells running servers about a change the CLI made directly in the shared store (a client disabled,
 * a key revoked, the signing key rotated...), so that they drop their cached copy at once instead of
 * after `clients.cacheTtl` (or re-read their signing keys at once instead of after
 * `tokens.signingKeyRefresh`). The events are those of the servers' change feed
 * (server/services/change-feed), sent on one of its transports:
 *
 * - with `storage.redisUrl`, on Redis, where the nodes of one issuer listen (channel
 *   `<storage.keyPrefix>invalidate`);
 * - without it, on the socket of the data directory (`keyward.sock`), where a server running on the
 *   same data listens.
 */
import type { KeywardConfig } from '../../config/defaults.ts';
import type { ChangeEvent } from '../../server/services/change-feed/change-event.ts';

/**
 * Sends `events`. Never throws: the change is already stored, so a channel that does not answer only
 * delays it; returns a warning for the user in that case (else undefined). No server running is not
 * a problem (one that starts later reads the store). Does NOT wait for a node to apply the events
 * over Redis (pub/sub has no acknowledgement); over the socket the server has read them on return.
 */
export async function announceChanges(config: KeywardConfig, events: readonly ChangeEvent[]): Promise<string | undefined> {
  if (events.length === 0) return undefined;
  const { redisUrl, keyPrefix } = config.storage;
  try {
    if (!redisUrl) {
      const { sendLocalAnnouncements } = await import('../../server/services/change-feed/socket-transport.ts');
      await sendLocalAnnouncements(config, events);
      return undefined;
    }
    const { openRedisTransport } = await import('../../server/services/change-feed/redis-transport.ts');
    const transport = await openRedisTransport(redisUrl, keyPrefix, { sendOnly: true });
    try {
      for (const event of events) await transport.send(event);
    } finally {
      await transport.close();
    }
    return undefined;
  } catch (error) {
    return `the change is stored, but the running servers could not be told at once (${redisUrl ? 'Redis' : 'data directory socket'}: ${(error as Error).message}); ` +
      'they see it within clients.cacheTtl seconds (signing keys: tokens.signingKeyRefresh)';
  }
}
