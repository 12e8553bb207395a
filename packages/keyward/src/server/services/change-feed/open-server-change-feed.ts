/**
 * The change feed of one server node, with the transport its deployment needs:
 *
 * - `storage.redisUrl` set: Redis, between every node (and every worker) of the issuer, and from
 *   the local CLI;
 * - else a worker of `keyward serve --workers N`: IPC through the main process, which also relays
 *   the CLI's announcements from the data directory's socket;
 * - else a lone process on its own data directory: the socket `keyward.sock`, where the local CLI
 *   announces its changes;
 * - else (a store passed in by the caller, `:memory:`): this process only.
 */
import type { Logger } from 'pino';
import type { KeywardConfig } from '../../../config/defaults.ts';
import type { WorkerLink } from '../../workers/worker-link.ts';
import type { ChangeFeed, ChangeTransport } from './change-feed.ts';
import { createChangeFeed } from './create-change-feed.ts';
import { openRedisTransport } from './redis-transport.ts';
import { listenOnAnnouncementSocket } from './socket-transport.ts';

/** Options of {@link openServerChangeFeed}. */
export interface ServerChangeFeedOptions {
  readonly logger: Logger;
  /** Set in a worker process of `keyward serve --workers N`. */
  readonly workerLink?: WorkerLink;
  /** True when the node owns the configured data directory (it opened the store itself). */
  readonly ownsDataDir: boolean;
}

/** Opens the transport now (throws StoreError('unavailable') when Redis does not answer) and returns the feed. */
export async function openServerChangeFeed(config: KeywardConfig, options: ServerChangeFeedOptions): Promise<ChangeFeed> {
  const { redisUrl, keyPrefix } = config.storage;
  const { logger, workerLink } = options;
  let transport: ChangeTransport | undefined;
  if (redisUrl) transport = await openRedisTransport(redisUrl, keyPrefix);
  else if (workerLink !== undefined) transport = workerLink.changes;
  else if (options.ownsDataDir) transport = await listenOnAnnouncementSocket(config, logger);
  return transport === undefined ? createChangeFeed({ logger }) : createChangeFeed({ transport, logger });
}
