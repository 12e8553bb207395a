/**
 * ReplayStore over kysely. One statement decides, so the database makes it atomic across
 * connections, processes and nodes (RFC 7523 §3 (7), RFC 7519 §4.1.7):
 *
 *   INSERT INTO replay (client_id, jti, expires_at) VALUES (?, ?, ?)
 *   ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
 *     WHERE replay.expires_at < now
 *   RETURNING client_id
 *
 * A row comes back when the pair was free, or held by a reservation that has already expired (not
 * purged yet); otherwise nothing comes back and the jti is a replay.
 */
import type { ReplayStore } from '../contract.ts';
import { resolveReplayExpiry } from '../shared/patches.ts';
import type { SqlContext } from './sql-dialect.ts';

/** Creates the ReplayStore of a SQL database. */
export function createSqlReplayStore({ db }: SqlContext): ReplayStore {
  return {
    async reserve(clientId, jti, expiresAt) {
      const now = Math.floor(Date.now() / 1000);
      const row = await db.insertInto('replay')
        .values({ client_id: clientId, jti, expires_at: resolveReplayExpiry(expiresAt, Date.now() / 1000) })
        .onConflict((oc) => oc.columns(['client_id', 'jti'])
          .doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') }))
          .where('replay.expires_at', '<', now))
        .returning('client_id')
        .executeTakeFirst();
      return row !== undefined;
    },
    async purgeExpired(nowSeconds) {
      const result = await db.deleteFrom('replay').where('expires_at', '<', Math.floor(nowSeconds)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
