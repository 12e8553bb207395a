/**
 * SigningKeyStore over kysely. The private JWK is stored as JSON text in the database: protect the
 * database (the SQLite data directory is created 0700). Never log a row of this table.
 */
import type { SigningKeyStore } from '../contract.ts';
import { StoreError } from '../errors.ts';
import { applySigningKeyPatch } from '../shared/patches.ts';
import { fromSigningKeyRow, toSigningKeyRow } from '../shared/rows.ts';
import { isUniqueViolation, type SqlContext } from './sql-dialect.ts';

/** Creates the SigningKeyStore of a SQL database. */
export function createSqlSigningKeyStore({ db }: SqlContext): SigningKeyStore {
  return {
    async addSigningKey(key) {
      try {
        await db.insertInto('signing_keys').values(toSigningKeyRow(key)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `signing key ${key.kid} already exists`, { cause: error });
        throw error;
      }
    },
    async listSigningKeys() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
      return rows.map(fromSigningKeyRow);
    },
    async updateSigningKey(kid, patch) {
      await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
        if (!row) return;
        const next = toSigningKeyRow(applySigningKeyPatch(fromSigningKeyRow(row), patch));
        await trx.updateTable('signing_keys').set({ state: next.state, retire_at: next.retire_at, activate_at: next.activate_at, private_jwk: next.private_jwk }).where('kid', '=', kid).execute();
      });
    },
  };
}
