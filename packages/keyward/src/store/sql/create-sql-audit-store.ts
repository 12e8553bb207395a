/**
 * AuditStore over kysely. Queries return the newest events first (by id), filtered by every given
 * field (exact match; `since` and `until` inclusive; `beforeId` the paging cursor), at most `limit`
 * (default 100, maximum 10,000). Does NOT
 * scrub `details`: callers must never put a token, secret or private key there.
 */
import type { AuditStore } from '../contract.ts';
import { resolveAuditLimit } from '../shared/patches.ts';
import { fromAuditRow, toAuditRow } from '../shared/rows.ts';
import type { SqlContext } from './sql-dialect.ts';

/** Creates the AuditStore of a SQL database. */
export function createSqlAuditStore({ db }: SqlContext): AuditStore {
  return {
    async appendAudit(event) {
      await db.insertInto('audit_events').values(toAuditRow(event)).execute();
    },
    async queryAudit(q) {
      let query = db.selectFrom('audit_events').selectAll();
      if (q.clientId !== undefined) query = query.where('client_id', '=', q.clientId);
      if (q.type !== undefined) query = query.where('type', '=', q.type);
      if (q.reason !== undefined) query = query.where('reason', '=', q.reason);
      if (q.since !== undefined) query = query.where('time', '>=', q.since.getTime());
      if (q.until !== undefined) query = query.where('time', '<=', q.until.getTime());
      if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
      const rows = await query.orderBy('id', 'desc').limit(resolveAuditLimit(q.limit)).execute();
      return rows.map(fromAuditRow);
    },
    async purgeAuditBefore(before, batch) {
      // The oldest `batch` ids first: ids grow with time, so this walks the primary key from its start.
      const doomed = db.selectFrom('audit_events').select('id').where('time', '<', before.getTime()).orderBy('id').limit(batch);
      const result = await db.deleteFrom('audit_events').where('id', 'in', doomed).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
