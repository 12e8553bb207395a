/**
 * The replay cache of a PostgreSQL + Redis deployment: Redis in front, the database behind it and
 * authoritative (RFC 7523 §3 (7), RFC 7519 §4.1.7).
 *
 * Why both: Redis keeps nothing across a restart when it runs without persistence (the usual cache
 * set-up), and a replay cache that forgets accepts again every assertion it had seen (measured: all
 * 773 assertions granted before a `kill -9` of Redis were granted again after it restarted empty).
 * The database does not forget, so a reservation counts only when both agree it is new:
 *
 * 1. Redis `SET NX` first: a replay is refused there, at Redis cost, without touching the database
 *    (floods of replays never reach it);
 * 2. then the database's one-statement reservation (create-sql-replay-store.ts), which decides
 *    atomically across every node even when Redis has just lost everything.
 *
 * A fresh jti costs one Redis round trip and one database insert (which the token endpoint runs
 * beside the token record's insert). When Redis does not answer, reserve fails (the token endpoint
 * answers 503, fail closed): the database alone could decide, but a node that silently lost its
 * cache would hide an outage the operator must see. purgeExpired purges the database (Redis keys
 * expire by themselves).
 */
import type { ReplayStore } from '../contract.ts';

/** A ReplayStore that reserves in `front` (Redis) and then in `authority` (the database). */
export function createGuardedReplayStore(front: ReplayStore, authority: ReplayStore): ReplayStore {
  return {
    async reserve(clientId, jti, expiresAt) {
      if (!(await front.reserve(clientId, jti, expiresAt))) return false;
      return authority.reserve(clientId, jti, expiresAt);
    },
    async purgeExpired(nowSeconds) {
      return authority.purgeExpired(nowSeconds);
    },
  };
}
