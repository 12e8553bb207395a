/**
 * The replay cache on Redis (RFC 7523 §3 (7), RFC 7519 §4.1.7): `SET key 1 NX PX ttl` is atomic in
 * Redis, so of any number of concurrent reserves of one (client_id, jti), across nodes, exactly one
 * gets `OK`. Keys expire by themselves: purgeExpired returns 0.
 *
 * Key = `${prefix}replay:` + base64url(SHA-256(client_id + '\0' + jti)): fixed length whatever the
 * client sends, and no client_id or jti readable in Redis. Does NOT close the connection it is given.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ReplayStore } from '../contract.ts';
import { resolveReplayExpiry } from '../shared/patches.ts';

/**
 * The Redis key of one reservation. Unambiguous because a client_id never contains NUL (the server
 * issues them); one that does is a programmer error (TypeError), since ("a\0b", "c") and
 * ("a", "b\0c") would share a key. The jti may contain anything.
 */
export function deriveReplayKey(prefix: string, clientId: string, jti: string): string {
  if (clientId.includes('\0')) throw new TypeError('client_id must not contain a NUL character');
  const digest = createHash('sha256').update(clientId).update('\0').update(jti).digest('base64url');
  return `${prefix}replay:${digest}`;
}

/** Creates a ReplayStore on an open ioredis connection. */
export function createRedisReplayStore(redis: Redis, prefix: string): ReplayStore {
  return {
    async reserve(clientId, jti, expiresAt) {
      const nowMs = Date.now();
      const ttlMs = Math.max(1000, resolveReplayExpiry(expiresAt, nowMs / 1000) * 1000 - nowMs);
      const answer = await redis.set(deriveReplayKey(prefix, clientId, jti), '1', 'PX', Math.ceil(ttlMs), 'NX');
      return answer === 'OK';
    },
    async purgeExpired() {
      return 0;
    },
  };
}
