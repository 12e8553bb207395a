/**
 * THE clock shape of a server node, its registry service and its caches: a function returning the
 * current time in epoch milliseconds, as Date.now does (and as @keyward/verify and @keyward/client
 * take theirs). Injected, so tests can move the time.
 *
 * Milliseconds, because every reader either needs them (cache expiry, signing-key activation, the
 * jwks_uri refetch rate) or derives its shape from them exactly: JWT NumericDate seconds with
 * {@link epochSeconds} (RFC 7519 §2), a stored Date with `new Date(clock())`. A seconds clock
 * could not give the first readers their precision back.
 */

/** The current time in epoch milliseconds. */
export type Clock = () => number;

/** The system clock. */
export const systemClock: Clock = () => Date.now();

/** The current time of `clock` as a JWT NumericDate: whole seconds since the epoch (RFC 7519 §2). */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}
