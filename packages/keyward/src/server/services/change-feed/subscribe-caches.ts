/**
 * What a server node does with each change event: a `client` event drops the cached client and its
 * parsed keys (client-cache.ts makes a load that raced with the change lose), a `signing-keys`
 * event re-reads the signing keys and so the JWKS document at once.
 */
import type { Logger } from 'pino';
import type { ClientCache } from '../client-cache.ts';
import type { SigningKeyService } from '../signing-keys.ts';
import type { ChangeFeed } from './change-feed.ts';

/** Subscribes the caches of a node to `changes`; returns the function that unsubscribes them. */
export function subscribeCaches(changes: ChangeFeed, caches: { clients: ClientCache; signingKeys: SigningKeyService; logger: Logger }): () => void {
  const { clients, signingKeys, logger } = caches;
  return changes.subscribe((event) => {
    switch (event.type) {
      case 'client':
        clients.invalidate(event.clientId);
        return;
      case 'signing-keys':
        void signingKeys.refresh().catch((error: unknown) => logger.warn({ err: error }, 'signing-key refresh after a change event failed'));
        return;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  });
}
