export { connectRedis } from './connect-redis.ts';
export { createRedisReplayStore, deriveReplayKey } from './create-redis-replay-store.ts';
export { openRedisReplay } from './open-redis-replay.ts';
