/**
 * Rate limits of the token endpoint (rate-limiter-flexible 11): one budget per source address,
 * checked before any work, and one per authenticated client, checked after the client proved
 * possession of its key (so nobody can spend another client's budget by claiming its client_id).
 *
 * Counters live in Redis when `storage.redisUrl` is set (shared by every node), else in this
 * process. If Redis stops answering, each node falls back to its own in-memory counters (the
 * insurance limiter): rate limits fail open per node, unlike the replay check, which fails closed.
 *
 * Does NOT limit the other endpoints, and does NOT write refusals to the audit log (a flood would
 * flood the log too); they are counted in `keyward_rate_limited_total`.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { OAuthError } from '@keyward/core';

/** A 429 refusal that knows when to retry (RFC 6585 §4, RFC 9110 §10.2.3 Retry-After). */
export class RateLimitedError extends OAuthError {
  /** Whole seconds until a retry may succeed (at least 1). */
  readonly retryAfter: number;
  constructor(limit: 'source_address' | 'client', retryAfter: number) {
    super('rate_limited', { detail: `the ${limit === 'client' ? 'per-client' : 'per-source-address'} token rate limit is reached; retry after ${retryAfter} s` });
    this.retryAfter = retryAfter;
  }
}

/** Settings of {@link createTokenRateLimiter} (config `rateLimit.*`). */
export interface TokenRateLimitSettings {
  readonly enabled: boolean;
  /** Token requests per `window` seconds from one source address. */
  readonly perSourceAddress: number;
  /** Token requests per `window` seconds by one authenticated client. */
  readonly perClient: number;
  /** Window in seconds. */
  readonly window: number;
}

/** The limiter of one node. */
export interface TokenRateLimiter {
  /** Throws RateLimitedError when `address` is over its budget. */
  checkSourceAddress(address: string): Promise<void>;
  /** Throws RateLimitedError when `clientId` is over its budget. */
  checkClient(clientId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates the limiter: Redis counters under `<keyPrefix>rl:` when `redisUrl` is given, else memory.
 * Does NOT wait for Redis to connect (the first calls wait for it; when it fails, the in-memory
 * insurance limiter counts).
 */
export function createTokenRateLimiter(settings: TokenRateLimitSettings, options: { redisUrl?: string; keyPrefix?: string } = {}): TokenRateLimiter {
  if (!settings.enabled) {
    return { checkSourceAddress: async () => {}, checkClient: async () => {}, close: async () => {} };
  }
  let redis: Redis | undefined;
  const make = (name: string, points: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: settings.window });
    if (redis === undefined) return memory;
    return new RateLimiterRedis({ storeClient: redis, keyPrefix: `${options.keyPrefix ?? 'keyward:'}rl:${name}`, points, duration: settings.window, insuranceLimiter: memory });
  };
  if (options.redisUrl) {
    // Commands wait for the first connection; once Redis is away, a counter call fails after one
    // reconnection attempt and the insurance limiter answers.
    redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (times) => Math.min(times * 200, 2000) });
    redis.on('error', () => {});
  }
  const byAddress = make('addr', settings.perSourceAddress);
  const byClient = make('client', settings.perClient);

  const consume = async (limiter: RateLimiterAbstract, key: string, limit: 'source_address' | 'client'): Promise<void> => {
    try {
      await limiter.consume(key, 1);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw new RateLimitedError(limit, Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      // A store error that even the insurance limiter could not absorb: do not refuse for it.
    }
  };

  return {
    checkSourceAddress: (address) => consume(byAddress, address, 'source_address'),
    checkClient: (clientId) => consume(byClient, clientId, 'client'),
    async close() {
      if (redis !== undefined) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}

/** Adds `Retry-After` to `response` when `error` is a RateLimitedError; returns the response. */
export function withRetryAfter(error: unknown, response: Response): Response {
  if (error instanceof RateLimitedError) response.headers.set('retry-after', String(error.retryAfter));
  return response;
}
