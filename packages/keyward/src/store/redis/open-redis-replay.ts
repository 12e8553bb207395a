/**
 * Combines a Store (PostgreSQL) with a Redis replay cache: every port from `base`, and a replay port
 * with Redis in front of the database's own (create-guarded-replay-store.ts: the database stays
 * authoritative, so a Redis that restarts empty forgets nothing). ping is true only when both
 * answer; close closes both.
 */
import type { Store } from '../contract.ts';
import { connectRedis } from './connect-redis.ts';
import { createGuardedReplayStore } from './create-guarded-replay-store.ts';
import { createRedisReplayStore } from './create-redis-replay-store.ts';

/** Connects to Redis and returns `base` with its replay port on Redis. */
export async function openRedisReplay(base: Store, redisUrl: string, prefix: string): Promise<Store> {
  const redis = await connectRedis(redisUrl);
  return {
    clients: base.clients,
    signingKeys: base.signingKeys,
    tokens: base.tokens,
    replay: createGuardedReplayStore(createRedisReplayStore(redis, prefix), base.replay),
    audit: base.audit,
    initialAccessTokens: base.initialAccessTokens,
    users: base.users,
    signInSessions: base.signInSessions,
    authorizations: base.authorizations,
    alerts: base.alerts,
    async ping() {
      const [db, cache] = await Promise.all([base.ping(), redis.ping().then((r) => r === 'PONG', () => false)]);
      return db && cache;
    },
    async close() {
      await Promise.allSettled([base.close(), redis.quit()]);
    },
  };
}
