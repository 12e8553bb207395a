/**
 * Throttling of failed sign-ins (OWASP Authentication Cheat Sheet, NIST SP 800-63B §5.2.2), with
 * rate-limiter-flexible 11: one budget of failures per username (lower case, whether or not the
 * user exists, so the answer never tells which usernames exist) and one per source address, each
 * over `signIn.failureWindowSeconds`. Only failures count; a successful sign-in clears its
 * username's count. Counters live in Redis when `storage.redisUrl` is set (every node shares
 * them), else in this process; like the token limits, they fail open per node if Redis is away.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { KeywardConfig } from '../../../config/defaults.ts';

/** The failure counters of one node. */
export interface SignInThrottle {
  /**
   * Seconds until `usernameKey` and `address` may try again, or 0 when neither is over its budget
   * (`usernameKey` undefined: the address alone, as for a passkey, which names no username).
   */
  blockedFor(usernameKey: string | undefined, address: string): Promise<number>;
  /** Counts one failure against both (the address alone when `usernameKey` is undefined). */
  recordFailure(usernameKey: string | undefined, address: string): Promise<void>;
  /** Clears the username's failures (after a successful sign-in). */
  recordSuccess(usernameKey: string): Promise<void>;
  close(): Promise<void>;
}

/** Creates the throttle: Redis counters under `<keyPrefix>signin:` when `redisUrl` is given, else memory. */
export function createSignInThrottle(settings: KeywardConfig['signIn'], options: { redisUrl?: string; keyPrefix?: string } = {}): SignInThrottle {
  let redis: Redis | undefined;
  if (options.redisUrl) {
    redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (times) => Math.min(times * 200, 2000) });
    redis.on('error', () => {});
  }
  const make = (name: string, points: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix: `signin-${name}`, points, duration: settings.failureWindowSeconds });
    if (redis === undefined) return memory;
    return new RateLimiterRedis({ storeClient: redis, keyPrefix: `${options.keyPrefix ?? 'keyward:'}signin:${name}`, points, duration: settings.failureWindowSeconds, insuranceLimiter: memory });
  };
  const byUsername = make('user', settings.maxFailuresPerUsername);
  const byAddress = make('addr', settings.maxFailuresPerAddress);
  const limits: Array<[RateLimiterAbstract, number]> = [[byUsername, settings.maxFailuresPerUsername], [byAddress, settings.maxFailuresPerAddress]];

  return {
    async blockedFor(usernameKey, address) {
      let wait = 0;
      for (const [[limiter, points], key] of [[limits[0]!, usernameKey], [limits[1]!, address]] as const) {
        if (key === undefined) continue;
        const state = await limiter.get(key).catch(() => null);
        if (state !== null && state.consumedPoints >= points) wait = Math.max(wait, Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
      return wait;
    },
    async recordFailure(usernameKey, address) {
      // consume() rejects once over the budget: the count is what matters here, not the rejection.
      await Promise.all([
        usernameKey === undefined ? undefined : byUsername.consume(usernameKey).catch(() => undefined),
        byAddress.consume(address).catch(() => undefined),
      ]);
    },
    async recordSuccess(usernameKey) {
      await byUsername.delete(usernameKey).catch(() => undefined);
    },
    async close() {
      if (redis !== undefined) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
