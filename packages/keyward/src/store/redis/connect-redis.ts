/**
 * Opens an ioredis connection and checks that the server answers, with a bounded wait: a Redis that
 * is down gives a StoreError('unavailable') within `connectTimeoutMs`, never a hang.
 */
import { Redis } from 'ioredis';
import { StoreError } from '../errors.ts';
import { redactUrl } from '../postgres/open-postgres-store.ts';

/** Connects to `redisUrl` and PINGs it; throws StoreError('unavailable') if it does not answer. */
export async function connectRedis(redisUrl: string, connectTimeoutMs = 3000): Promise<Redis> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 2,
    // Reconnect after a lost connection (a few hundred ms apart), but never queue for ever.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  // Errors also reject the pending command; the listener keeps them from crashing the process.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new StoreError('unavailable', `cannot connect to Redis at ${redactUrl(redisUrl)}: ${(error as Error).message}; check KEYWARD_REDIS_URL and that the server runs`, { cause: error });
  }
  return client;
}
