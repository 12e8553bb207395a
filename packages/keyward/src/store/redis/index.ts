export { connectRedis } from './connect-redis.ts';
export { createRedisReplayStore, deriveReplayKey } from './create-redis-replay-store.ts';
export { createInvalidationBus, parseInvalidationEvent, type InvalidationBus, type InvalidationEvent } from './create-invalidation-bus.ts';
export { openRedisReplay } from './open-redis-replay.ts';
