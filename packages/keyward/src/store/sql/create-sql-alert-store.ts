/**
 * AlertStore over kysely (SQLite and PostgreSQL): alerts and client activity (migration 0007).
 *
 * - raiseAlert is one `INSERT ... ON CONFLICT (id) DO NOTHING`: the database decides which of the
 *   nodes raising the same alert (same stable id) stored it, and only that call answers true.
 * - listAlerts reads newest first by (raised_at, id); the cursor is the last id of the previous
 *   page, looked up first (an unknown cursor answers an empty page).
 * - setAlertState is one `UPDATE ... WHERE state IN (from) RETURNING`: atomic on both databases, no
 *   read first, so of concurrent moves out of one state exactly one succeeds.
 * - claimPendingDeliveries reads the alerts whose delivery lease ended, then takes each with one
 *   `UPDATE ... WHERE delivery_lease_until <= now RETURNING`: of concurrent claims one moves the lease.
 * - recordClientActivity runs in one transaction: `INSERT ... ON CONFLICT DO NOTHING` answers the
 *   first use of the client, network and key (only one of concurrent first uses inserts the row);
 *   an existing row is read `FOR UPDATE` (PostgreSQL) and moved forward. On SQLite the opener
 *   replaces it with a group-committed version on its own connection (sqlite/
 *   create-sqlite-activity-recorder.ts), as a kysely transaction could interleave with the batched
 *   writes on that connection.
 *
 * Does NOT check state transitions (the alert service does) nor validate records.
 */
import type { Transaction } from 'kysely';
import type { AlertStore, AlertState, ClientActivityBefore } from '../contract.ts';
import { ALERT_STATES } from '../contract.ts';
import { activityBefore, fromAlertRow, resolveAlertLimit, toAlertRow, writeDeliveries } from '../shared/alert-rows.ts';
import { readNumber } from '../shared/rows.ts';
import type { Database } from '../shared/schema.ts';
import type { SqlContext } from './sql-dialect.ts';

/** Creates the AlertStore of a SQL database. */
export function createSqlAlertStore({ db, dialect }: SqlContext): AlertStore {
  /** Records `at` in client_activity; answers the first and last use before it (undefined: first). */
  const touchClient = async (trx: Transaction<Database>, clientId: string, at: number): Promise<{ firstSeen?: Date; lastSeen?: Date }> => {
    const inserted = await trx.insertInto('client_activity').values({ client_id: clientId, first_seen: at, last_seen: at })
      .onConflict((oc) => oc.column('client_id').doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return {};
    let select = trx.selectFrom('client_activity').select(['first_seen', 'last_seen']).where('client_id', '=', clientId);
    if (dialect === 'postgres') select = select.forUpdate();
    const row = await select.executeTakeFirstOrThrow();
    const firstSeen = readNumber(row.first_seen);
    const lastSeen = readNumber(row.last_seen);
    await trx.updateTable('client_activity').set({ first_seen: Math.min(firstSeen, at), last_seen: Math.max(lastSeen, at) })
      .where('client_id', '=', clientId).execute();
    return { firstSeen: new Date(firstSeen), lastSeen: new Date(lastSeen) };
  };

  /** Records `at` in client_networks; answers the last use from that network before it. */
  const touchNetwork = async (trx: Transaction<Database>, clientId: string, network: string, at: number): Promise<Date | undefined> => {
    const inserted = await trx.insertInto('client_networks').values({ client_id: clientId, network, last_seen: at })
      .onConflict((oc) => oc.columns(['client_id', 'network']).doNothing()).executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return undefined;
    let select = trx.selectFrom('client_networks').select('last_seen').where('client_id', '=', clientId).where('network', '=', network);
    if (dialect === 'postgres') select = select.forUpdate();
    const lastSeen = readNumber((await select.executeTakeFirstOrThrow()).last_seen);
    await trx.updateTable('client_networks').set({ last_seen: Math.max(lastSeen, at) })
      .where('client_id', '=', clientId).where('network', '=', network).execute();
    return new Date(lastSeen);
  };

  return {
    async raiseAlert(alert) {
      const result = await db.insertInto('alerts').values(toAlertRow(alert))
        .onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async getAlert(id) {
      const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromAlertRow(row);
    },
    async listAlerts(q) {
      let query = db.selectFrom('alerts').selectAll();
      if (q.beforeId !== undefined) {
        const cursor = await db.selectFrom('alerts').select(['raised_at', 'id']).where('id', '=', q.beforeId).executeTakeFirst();
        if (!cursor) return [];
        const raisedAt = readNumber(cursor.raised_at);
        query = query.where((eb) => eb.or([
          eb('raised_at', '<', raisedAt),
          eb.and([eb('raised_at', '=', raisedAt), eb('id', '<', cursor.id)]),
        ]));
      }
      if (q.state !== undefined) query = query.where('state', '=', q.state);
      if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
      if (q.clientId !== undefined) query = query.where('client_id', '=', q.clientId);
      const rows = await query.orderBy('raised_at', 'desc').orderBy('id', 'desc').limit(resolveAlertLimit(q.limit)).execute();
      return rows.map(fromAlertRow);
    },
    async countAlerts() {
      const rows = await db.selectFrom('alerts').select((eb) => ['state', eb.fn.countAll().as('count')]).groupBy('state').execute();
      const counts = Object.fromEntries(ALERT_STATES.map((state) => [state, 0])) as Record<AlertState, number>;
      for (const row of rows) {
        if ((ALERT_STATES as readonly string[]).includes(row.state)) counts[row.state as AlertState] = readNumber(row.count);
      }
      return counts;
    },
    async setAlertState(id, state, by, at, from) {
      let update = db.updateTable('alerts').set({ state, updated_by: by, updated_at: at.getTime() }).where('id', '=', id);
      if (from !== undefined) {
        if (from.length === 0) return undefined;
        update = update.where('state', 'in', [...from]);
      }
      const row = await update.returningAll().executeTakeFirst();
      return row && fromAlertRow(row);
    },
    async setAlertDeliveries(id, deliveries, leaseUntil) {
      await db.updateTable('alerts').set({ deliveries: writeDeliveries(deliveries), delivery_lease_until: leaseUntil?.getTime() ?? null }).where('id', '=', id).execute();
    },
    async claimPendingDeliveries(now, leaseUntil, limit) {
      const due = await db.selectFrom('alerts').select('id').where('delivery_lease_until', '<=', now.getTime())
        .orderBy('delivery_lease_until').orderBy('id').limit(Math.max(0, Math.floor(limit))).execute();
      const claimed = [];
      for (const { id } of due) {
        // The condition again in the write: a node that claimed it meanwhile moved the lease on.
        const row = await db.updateTable('alerts').set({ delivery_lease_until: leaseUntil.getTime() })
          .where('id', '=', id).where('delivery_lease_until', '<=', now.getTime()).returningAll().executeTakeFirst();
        if (row) claimed.push(fromAlertRow(row));
      }
      return claimed;
    },
    async recordClientActivity({ clientId, network, keyThumbprint, at }) {
      const time = at.getTime();
      // One lock order (client, network, key) for every caller: concurrent transactions never deadlock.
      return db.transaction().execute(async (trx): Promise<ClientActivityBefore> => {
        const client = await touchClient(trx, clientId, time);
        const networkLastSeen = network === undefined ? undefined : await touchNetwork(trx, clientId, network, time);
        let keyFirstUse = false;
        if (keyThumbprint !== undefined) {
          const inserted = await trx.insertInto('client_key_uses').values({ client_id: clientId, key_thumbprint: keyThumbprint, first_used_at: time })
            .onConflict((oc) => oc.columns(['client_id', 'key_thumbprint']).doNothing()).executeTakeFirst();
          keyFirstUse = Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
        }
        return activityBefore(client.firstSeen, client.lastSeen, networkLastSeen, keyFirstUse);
      });
    },
  };
}
