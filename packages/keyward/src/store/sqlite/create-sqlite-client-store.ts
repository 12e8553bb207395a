/**
 * ClientStore on one better-sqlite3 connection with prepared statements. Every multi-row change
 * (update, delete with keys) runs in a synchronous better-sqlite3 transaction, so nothing else on
 * this connection can slip in between its statements. Those transactions read before they write, so
 * they start with BEGIN IMMEDIATE (the write lock first, waiting up to busy_timeout): a deferred one
 * that read before another connection committed could not become a writer, and SQLite would answer
 * SQLITE_BUSY at once (WAL snapshot rule), as the other workers of `serve --workers N` commit all
 * the time. Does NOT validate records.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ClientKeyRecord, ClientRecord, ClientStore } from '../contract.ts';
import { StoreError } from '../errors.ts';
import { applyClientPatch, applyKeyPatch } from '../shared/patches.ts';
import { fromClientRow, fromKeyRow, toClientRow, toKeyRow, type LooseRow } from '../shared/rows.ts';
import type { ClientKeysTable, ClientsTable } from '../shared/schema.ts';
import { isForeignKeyViolation, isUniqueViolation } from '../sql/sql-dialect.ts';

const CLIENT_COLUMNS = ['client_id', 'name', 'contact', 'description', 'grant_types', 'scopes', 'access_token_ttl', 'audience_policy',
  'alg_pin', 'state', 'jwks_uri', 'registration_token_hash', 'registration_limits', 'redirect_uris', 'post_logout_redirect_uris',
  'response_types', 'id_token_signed_response_alg', 'require_pushed_authorization_requests', 'consent', 'key_max_age_days', 'created_at', 'updated_at'];
const KEY_COLUMNS = ['client_id', 'thumbprint', 'kid', 'jwk', 'alg', 'state', 'retire_at', 'not_before', 'not_after',
  'certificate_subject', 'created_at', 'revoked_at'];

const insertSql = (table: string, columns: string[]): string =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;

/** Creates the ClientStore of an open, migrated SQLite database. */
export function createSqliteClientStore(db: BetterSqlite3.Database, listClients: ClientStore['listClients']): ClientStore {
  const insertClient = db.prepare(insertSql('clients', CLIENT_COLUMNS));
  const selectClient = db.prepare('SELECT * FROM clients WHERE client_id = ?');
  const updateClientRow = db.prepare(`UPDATE clients SET ${CLIENT_COLUMNS.slice(1).map((c) => `${c} = @${c}`).join(', ')} WHERE client_id = @client_id`);
  const deleteKeys = db.prepare('DELETE FROM client_keys WHERE client_id = ?');
  const deleteClientRow = db.prepare('DELETE FROM clients WHERE client_id = ?');
  const deleteActivity = ['client_activity', 'client_networks', 'client_key_uses'].map((table) => db.prepare(`DELETE FROM ${table} WHERE client_id = ?`));
  const insertKey = db.prepare(insertSql('client_keys', KEY_COLUMNS));
  const selectKeys = db.prepare('SELECT * FROM client_keys WHERE client_id = ? ORDER BY created_at, thumbprint');
  const selectKey = db.prepare('SELECT * FROM client_keys WHERE client_id = ? AND thumbprint = ?');
  const updateKeyRow = db.prepare(`UPDATE client_keys SET state = @state, retire_at = @retire_at, revoked_at = @revoked_at,
    not_before = @not_before, not_after = @not_after WHERE client_id = @client_id AND thumbprint = @thumbprint`);

  const update = db.transaction((clientId: string, patch: Parameters<ClientStore['updateClient']>[1]): ClientRecord | undefined => {
    const row = selectClient.get(clientId) as LooseRow<ClientsTable> | undefined;
    if (!row) return undefined;
    const next = applyClientPatch(fromClientRow(row), patch);
    updateClientRow.run(toClientRow(next));
    return next;
  });
  const remove = db.transaction((clientId: string): boolean => {
    deleteKeys.run(clientId);
    for (const statement of deleteActivity) statement.run(clientId);
    return deleteClientRow.run(clientId).changes > 0;
  });
  const updateKey = db.transaction((clientId: string, thumbprint: string, patch: Parameters<ClientStore['updateKey']>[2]): ClientKeyRecord | undefined => {
    const row = selectKey.get(clientId, thumbprint) as LooseRow<ClientKeysTable> | undefined;
    if (!row) return undefined;
    const next = applyKeyPatch(fromKeyRow(row), patch);
    updateKeyRow.run(toKeyRow(next));
    return next;
  });

  return {
    async createClient(client) {
      try {
        insertClient.run(toClientRow(client));
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `client ${client.clientId} already exists; pick another client_id`, { cause: error });
        throw error;
      }
    },
    async getClient(clientId) {
      const row = selectClient.get(clientId) as LooseRow<ClientsTable> | undefined;
      return row && fromClientRow(row);
    },
    listClients,
    async updateClient(clientId, patch) {
      return update.immediate(clientId, patch);
    },
    async deleteClient(clientId) {
      return remove.immediate(clientId);
    },
    async addKey(key) {
      try {
        insertKey.run(toKeyRow(key));
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `this key (thumbprint ${key.thumbprint}) is already registered for client ${key.clientId}`, { cause: error });
        if (isForeignKeyViolation(error)) throw new StoreError('not_found', `client ${key.clientId} does not exist; create the client before adding keys`, { cause: error });
        throw error;
      }
    },
    async listKeys(clientId) {
      return (selectKeys.all(clientId) as LooseRow<ClientKeysTable>[]).map(fromKeyRow);
    },
    async updateKey(clientId, thumbprint, patch) {
      return updateKey.immediate(clientId, thumbprint, patch);
    },
  };
}
