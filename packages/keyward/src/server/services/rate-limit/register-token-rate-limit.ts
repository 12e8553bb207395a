/**
 * The per-source-address limit of POST /token (and POST /par, which verifies the same client
 * assertions) as a middleware, checked before the body is read.
 * Registered before the token route in build-app.ts. The per-client limit is checked inside the
 * token route, once the client is authenticated.
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { errorResponse } from '../../middleware/errors.ts';
import { getSourceAddress } from '../../middleware/source-address.ts';
import { RateLimitedError, withRetryAfter } from './create-token-rate-limiter.ts';

/** Installs the source-address limit on POST /token and POST /par. Does nothing when `rateLimit.enabled` is false. */
export function registerTokenRateLimit(app: Hono, ctx: ServerContext): void {
  if (!ctx.config.rateLimit.enabled) return;
  for (const path of ['/token', '/par']) app.use(path, async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const address = getSourceAddress(c, ctx.config.server.trustProxy) ?? 'unknown';
    try {
      await ctx.rateLimiter.checkSourceAddress(address);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      ctx.metrics.recordTokenOutcome({ outcome: 'refused', reason: 'rate_limited' });
      ctx.metrics.recordRateLimited('source_address');
      return withRetryAfter(error, errorResponse(error, ctx.logger));
    }
    return next();
  });
}
