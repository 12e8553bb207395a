/**
 * SignInSessionStore over kysely (SQLite or PostgreSQL), migration 0004. touchSession is one
 * `UPDATE ... WHERE both expiries are after now RETURNING *`: an expired session is never revived,
 * and two nodes touching one session at once both see a consistent row. Does NOT validate records.
 */
import type { SignInSessionStore } from '../contract.ts';
import { StoreError } from '../errors.ts';
import { fromSessionRow, toSessionRow } from '../shared/user-rows.ts';
import { isForeignKeyViolation, isUniqueViolation, type SqlContext } from './sql-dialect.ts';

/** Creates the SignInSessionStore of a SQL database. */
export function createSqlSignInSessionStore({ db }: SqlContext): SignInSessionStore {
  return {
    async createSession(session) {
      try {
        await db.insertInto('sign_in_sessions').values(toSessionRow(session)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', 'this sign-in session already exists', { cause: error });
        if (isForeignKeyViolation(error)) throw new StoreError('not_found', `user ${session.sub} does not exist`, { cause: error });
        throw error;
      }
    },
    async touchSession(idHash, now, idleExpiresAt) {
      const at = now.getTime();
      const row = await db.updateTable('sign_in_sessions')
        .set({ last_seen_at: at, idle_expires_at: idleExpiresAt.getTime() })
        .where('id_hash', '=', idHash)
        .where('idle_expires_at', '>', at)
        .where('absolute_expires_at', '>', at)
        .returningAll()
        .executeTakeFirst();
      return row && fromSessionRow(row);
    },
    async deleteSession(idHash) {
      const result = await db.deleteFrom('sign_in_sessions').where('id_hash', '=', idHash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async deleteUserSessions(sub) {
      const result = await db.deleteFrom('sign_in_sessions').where('sub', '=', sub).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async purgeExpiredSessions(now) {
      const at = now.getTime();
      const result = await db.deleteFrom('sign_in_sessions')
        .where((eb) => eb.or([eb('idle_expires_at', '<=', at), eb('absolute_expires_at', '<=', at)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
