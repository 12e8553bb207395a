/**
 * AuditStore over kysely. Queries return the newest events first (by id), filtered by every given
 * field (exact match; `since` inclusive), at most `limit` (default 100, maximum 10,000). Does NOT
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
      const rows = await query.orderBy('id', 'desc').limit(resolveAuditLimit(q.limit)).execute();
      return rows.map(fromAuditRow);
    },
  };
}
