/**
 * Throttling of sign-ins (OWASP Authentication Cheat Sheet, NIST SP 800-63B §5.2.2), with
 * rate-limiter-flexible 11, each budget over `signIn.failureWindowSeconds`:
 *
 * - failures per username (lower case, whether or not the user exists, so the answer never tells
 *   which usernames exist); a successful sign-in clears its username's count;
 * - failures per source address;
 * - successes per source address (`signIn.maxSuccessesPerAddress`): credential stuffing with pairs
 *   that work fails nothing, so one address signing in too many times is held back too (OWASP
 *   Credential Stuffing Prevention Cheat Sheet). A success never clears it.
 *
 * Counters live in Redis when `storage.redisUrl` is set (every node shares them), else in this
 * process; like the token limits, they fail open per node if Redis is away.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { KeywardConfig } from '../../../config/defaults.ts';

/** Which budget held a sign-in back (for the audit log and the page). */
export type SignInLimit = 'failures_per_username' | 'failures_per_address' | 'successes_per_address';

/** Whether a sign-in may be tried now: `retryAfter` 0, or the seconds to wait and the budget that is spent. */
export interface ThrottleState {
  readonly retryAfter: number;
  readonly limit?: SignInLimit;
}

/** The sign-in counters of one node. */
export interface SignInThrottle {
  /**
   * Whether `usernameKey` and `address` may try now: `retryAfter` 0 when no budget is spent, else
   * the longest wait and its budget (`usernameKey` undefined: the address alone, as for a passkey,
   * which names no username). `signIn: false` leaves the success budget out, for a step that is
   * not a sign-in (a passkey enrolment link).
   */
  blockedFor(usernameKey: string | undefined, address: string, options?: { signIn?: boolean }): Promise<ThrottleState>;
  /** Counts one failure against both (the address alone when `usernameKey` is undefined). */
  recordFailure(usernameKey: string | undefined, address: string): Promise<void>;
  /** Counts one success of `address` and clears the username's failures (when given). */
  recordSuccess(usernameKey: string | undefined, address: string): Promise<void>;
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
  const successesByAddress = make('addr-ok', settings.maxSuccessesPerAddress);
  const budgets: ReadonlyArray<{ limit: SignInLimit; limiter: RateLimiterAbstract; points: number; of: 'username' | 'address' }> = [
    { limit: 'failures_per_username', limiter: byUsername, points: settings.maxFailuresPerUsername, of: 'username' },
    { limit: 'failures_per_address', limiter: byAddress, points: settings.maxFailuresPerAddress, of: 'address' },
    { limit: 'successes_per_address', limiter: successesByAddress, points: settings.maxSuccessesPerAddress, of: 'address' },
  ];

  return {
    async blockedFor(usernameKey, address, options = {}) {
      let blocked: ThrottleState = { retryAfter: 0 };
      for (const { limit, limiter, points, of } of budgets) {
        const key = of === 'username' ? usernameKey : address;
        if (key === undefined || (limit === 'successes_per_address' && options.signIn === false)) continue;
        const state = await limiter.get(key).catch(() => null);
        if (state === null || state.consumedPoints < points) continue;
        const wait = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
        if (wait > blocked.retryAfter) blocked = { retryAfter: wait, limit };
      }
      return blocked;
    },
    async recordFailure(usernameKey, address) {
      // consume() rejects once over the budget: the count is what matters here, not the rejection.
      await Promise.all([
        usernameKey === undefined ? undefined : byUsername.consume(usernameKey).catch(() => undefined),
        byAddress.consume(address).catch(() => undefined),
      ]);
    },
    async recordSuccess(usernameKey, address) {
      await Promise.all([
        usernameKey === undefined ? undefined : byUsername.delete(usernameKey).catch(() => undefined),
        successesByAddress.consume(address).catch(() => undefined),
      ]);
    },
    async close() {
      if (redis !== undefined) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}
