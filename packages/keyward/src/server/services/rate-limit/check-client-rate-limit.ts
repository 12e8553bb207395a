/**
 * The per-client limit of the token endpoint, called by the token route once the client is
 * authenticated (never on a claimed, unproven client_id).
 */
import type { ServerContext } from '../../context.ts';
import { RateLimitedError } from './create-token-rate-limiter.ts';

/** Throws RateLimitedError (429 `rate_limited`) when `clientId` is over its budget, and counts it. */
export async function checkClientRateLimit(ctx: ServerContext, clientId: string): Promise<void> {
  if (!ctx.config.rateLimit.enabled) return;
  try {
    await ctx.rateLimiter.checkClient(clientId);
  } catch (error) {
    if (error instanceof RateLimitedError) ctx.metrics.recordRateLimited('client');
    throw error;
  }
}
