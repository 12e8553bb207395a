export { createTokenRateLimiter, RateLimitedError, withRetryAfter, type TokenRateLimiter, type TokenRateLimitSettings } from './create-token-rate-limiter.ts';
export { checkClientRateLimit } from './check-client-rate-limit.ts';
export { registerTokenRateLimit } from './register-token-rate-limit.ts';
