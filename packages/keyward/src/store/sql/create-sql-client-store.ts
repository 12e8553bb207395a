/**
 * ClientStore over kysely (SQLite or PostgreSQL). Updates read, merge (shared/patches.ts) and write
 * inside one transaction; PostgreSQL locks the row (`FOR UPDATE`), SQLite holds the single writer.
 * deleteClient removes the keys, the client's activity rows (migration 0007; its alerts stay) and the
 * client in one transaction. Does NOT validate records.
 */
import type { ClientStore } from '../contract.ts';
import { StoreError } from '../errors.ts';
import { applyClientPatch, applyKeyPatch } from '../shared/patches.ts';
import { fromClientRow, fromKeyRow, toClientRow, toKeyRow } from '../shared/rows.ts';
import { isForeignKeyViolation, isUniqueViolation, type SqlContext } from './sql-dialect.ts';

/** Creates the ClientStore of a SQL database. */
export function createSqlClientStore({ db, dialect }: SqlContext): ClientStore {
  return {
    async createClient(client) {
      try {
        await db.insertInto('clients').values(toClientRow(client)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `client ${client.clientId} already exists; pick another client_id`, { cause: error });
        throw error;
      }
    },
    async getClient(clientId) {
      const row = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row && fromClientRow(row);
    },
    async listClients(options = {}) {
      let query = db.selectFrom('clients').selectAll().orderBy('client_id');
      if (options.after !== undefined) query = query.where('client_id', '>', options.after);
      if (options.limit !== undefined) query = query.limit(Math.max(0, Math.floor(options.limit)));
      return (await query.execute()).map(fromClientRow);
    },
    async updateClient(clientId, patch) {
      return db.transaction().execute(async (trx) => {
        let select = trx.selectFrom('clients').selectAll().where('client_id', '=', clientId);
        if (dialect === 'postgres') select = select.forUpdate();
        const row = await select.executeTakeFirst();
        if (!row) return undefined;
        const next = applyClientPatch(fromClientRow(row), patch);
        const { client_id: _id, created_at: _created, ...fields } = toClientRow(next);
        await trx.updateTable('clients').set(fields).where('client_id', '=', clientId).execute();
        return next;
      });
    },
    async deleteClient(clientId) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('client_keys').where('client_id', '=', clientId).execute();
        for (const table of ['client_activity', 'client_networks', 'client_key_uses'] as const) await trx.deleteFrom(table).where('client_id', '=', clientId).execute();
        const result = await trx.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
    async addKey(key) {
      try {
        await db.insertInto('client_keys').values(toKeyRow(key)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `this key (thumbprint ${key.thumbprint}) is already registered for client ${key.clientId}`, { cause: error });
        if (isForeignKeyViolation(error)) throw new StoreError('not_found', `client ${key.clientId} does not exist; create the client before adding keys`, { cause: error });
        throw error;
      }
    },
    async listKeys(clientId) {
      const rows = await db.selectFrom('client_keys').selectAll().where('client_id', '=', clientId).orderBy('created_at').orderBy('thumbprint').execute();
      return rows.map(fromKeyRow);
    },
    async updateKey(clientId, thumbprint, patch) {
      return db.transaction().execute(async (trx) => {
        let select = trx.selectFrom('client_keys').selectAll().where('client_id', '=', clientId).where('thumbprint', '=', thumbprint);
        if (dialect === 'postgres') select = select.forUpdate();
        const row = await select.executeTakeFirst();
        if (!row) return undefined;
        const next = applyKeyPatch(fromKeyRow(row), patch);
        const r = toKeyRow(next);
        await trx.updateTable('client_keys')
          .set({ state: r.state, retire_at: r.retire_at, revoked_at: r.revoked_at, not_before: r.not_before, not_after: r.not_after })
          .where('client_id', '=', clientId).where('thumbprint', '=', thumbprint).execute();
        return next;
      });
    },
  };
}
