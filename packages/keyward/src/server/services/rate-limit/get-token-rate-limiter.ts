/**
 * The token rate limiter of a server node, created on first use from its configuration (Redis
 * counters when `storage.redisUrl` is set), and closed with the node.
 */
import type { ServerContext } from '../../context.ts';
import { createTokenRateLimiter, type TokenRateLimiter } from './create-token-rate-limiter.ts';

const byContext = new WeakMap<ServerContext, TokenRateLimiter>();

/** The limiter of `ctx`'s node. */
export function getTokenRateLimiter(ctx: ServerContext): TokenRateLimiter {
  let limiter = byContext.get(ctx);
  if (limiter === undefined) {
    const { redisUrl, keyPrefix } = ctx.config.storage;
    limiter = createTokenRateLimiter(ctx.config.rateLimit, { ...(redisUrl ? { redisUrl } : {}), keyPrefix });
    byContext.set(ctx, limiter);
  }
  return limiter;
}

/** Closes the limiter of `ctx` if one was created (its Redis connection). */
export async function closeTokenRateLimiter(ctx: ServerContext): Promise<void> {
  const limiter = byContext.get(ctx);
  byContext.delete(ctx);
  await limiter?.close();
}
