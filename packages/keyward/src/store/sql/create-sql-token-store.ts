/**
 * TokenStore over kysely: issued access tokens for introspection (RFC 7662) and revocation
 * (RFC 7009). Each revoke is one UPDATE (by scope: one SELECT, then UPDATEs by jti); counts are the rows
 * that changed from not revoked to revoked.
 */
import type { TokenStore } from '../contract.ts';
import { StoreError } from '../errors.ts';
import { holdsScopeBeyond } from '../shared/patches.ts';
import { fromTokenRow, toTokenRow } from '../shared/rows.ts';
import { isUniqueViolation, type SqlContext } from './sql-dialect.ts';

/** Creates the TokenStore of a SQL database. */
export function createSqlTokenStore({ db }: SqlContext): TokenStore {
  return {
    async recordToken(token) {
      try {
        await db.insertInto('issued_tokens').values(toTokenRow(token)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', `an access token with jti ${token.jti} is already recorded`, { cause: error });
        throw error;
      }
    },
    async getToken(jti) {
      const row = await db.selectFrom('issued_tokens').selectAll().where('jti', '=', jti).executeTakeFirst();
      return row && fromTokenRow(row);
    },
    async revokeToken(jti) {
      const result = await db.updateTable('issued_tokens').set({ revoked: 1 }).where('jti', '=', jti).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async revokeTokensByKey(clientId, keyThumbprint) {
      const result = await db.updateTable('issued_tokens').set({ revoked: 1 })
        .where('client_id', '=', clientId).where('key_thumbprint', '=', keyThumbprint).where('revoked', '=', 0).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async revokeTokensByClient(clientId) {
      const result = await db.updateTable('issued_tokens').set({ revoked: 1 })
        .where('client_id', '=', clientId).where('revoked', '=', 0).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async revokeTokensByGrant(grantId) {
      const result = await db.updateTable('issued_tokens').set({ revoked: 1 })
        .where('grant_id', '=', grantId).where('revoked', '=', 0).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async revokeTokensBeyondScopes(clientId, allowedScopes) {
      // Scope strings are matched here, not in SQL: LIKE is case-insensitive in SQLite and treats
      // `%` and `_` (both legal in a scope) as wildcards.
      const rows = await db.selectFrom('issued_tokens').select(['jti', 'scope'])
        .where('client_id', '=', clientId).where('revoked', '=', 0).execute();
      const jtis = rows.filter((row) => holdsScopeBeyond(row.scope, allowedScopes)).map((row) => row.jti);
      let count = 0;
      for (let i = 0; i < jtis.length; i += 500) {
        const result = await db.updateTable('issued_tokens').set({ revoked: 1 })
          .where('jti', 'in', jtis.slice(i, i + 500)).where('revoked', '=', 0).executeTakeFirst();
        count += Number(result.numUpdatedRows);
      }
      return count;
    },
    async purgeExpiredTokens(nowSeconds) {
      const result = await db.deleteFrom('issued_tokens').where('expires_at', '<', Math.floor(nowSeconds)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
