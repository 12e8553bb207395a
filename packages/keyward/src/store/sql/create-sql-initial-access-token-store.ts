/**
 * InitialAccessTokenStore over kysely (RFC 7591 §3: initial access tokens, stored as hashes).
 * consume is one UPDATE ... RETURNING, so of concurrent consumers of the last use exactly one wins.
 */
import type { InitialAccessTokenStore } from '../contract.ts';
import { StoreError } from '../errors.ts';
import { fromInitialAccessTokenRow, toInitialAccessTokenRow } from '../shared/rows.ts';
import { isUniqueViolation, type SqlContext } from './sql-dialect.ts';

/** Creates the InitialAccessTokenStore of a SQL database. */
export function createSqlInitialAccessTokenStore({ db }: SqlContext): InitialAccessTokenStore {
  return {
    async addInitialAccessToken(token) {
      try {
        await db.insertInto('initial_access_tokens').values(toInitialAccessTokenRow(token)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `initial access token ${token.id} already exists`, { cause: error });
        throw error;
      }
    },
    async consumeInitialAccessToken(tokenHash, now) {
      const row = await db.updateTable('initial_access_tokens')
        .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
        .where('token_hash', '=', tokenHash)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.getTime())]))
        .where((eb) => eb.or([eb('uses_left', 'is', null), eb('uses_left', '>', 0)]))
        .returningAll()
        .executeTakeFirst();
      return row && fromInitialAccessTokenRow(row);
    },
    async findInitialAccessToken(tokenHash, now) {
      const row = await db.selectFrom('initial_access_tokens').selectAll()
        .where('token_hash', '=', tokenHash)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.getTime())]))
        .where((eb) => eb.or([eb('uses_left', 'is', null), eb('uses_left', '>', 0)]))
        .executeTakeFirst();
      return row && fromInitialAccessTokenRow(row);
    },
    async listInitialAccessTokens() {
      const rows = await db.selectFrom('initial_access_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(fromInitialAccessTokenRow);
    },
  };
}
