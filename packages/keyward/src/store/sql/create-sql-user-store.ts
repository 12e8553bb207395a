/**
 * UserStore over kysely (SQLite or PostgreSQL): end users and their passkeys (migration 0004).
 * Usernames are unique case-insensitively through the UNIQUE `username_key` column (lower case,
 * shared/user-rows.ts), so two concurrent creations of `Alice` and `alice` cannot both succeed.
 * An update is one statement with the patch rules of shared/patches.ts (toUserPatchRow); deleteUser
 * removes the passkeys and sign-in sessions with the user. Does NOT validate records.
 */
import type { PasskeyEnrolmentRecord, UserStore } from '../contract.ts';
import { readNumber } from '../shared/rows.ts';
import { StoreError } from '../errors.ts';
import { fromPasskeyRow, fromUserRow, toPasskeyRow, toUserPatchRow, toUserRow, usernameKey } from '../shared/user-rows.ts';
import { isForeignKeyViolation, isUniqueViolation, type SqlContext } from './sql-dialect.ts';

const taken = (username: string, error: unknown): StoreError =>
  new StoreError('conflict', `the username ${JSON.stringify(username)} is taken (usernames are compared without regard to case); pick another`, { cause: error });

function readEnrolment(row: { token_hash: string; sub: string; created_at: unknown; expires_at: unknown }): PasskeyEnrolmentRecord {
  return { tokenHash: row.token_hash, sub: row.sub, createdAt: new Date(readNumber(row.created_at)), expiresAt: new Date(readNumber(row.expires_at)) };
}

/** Creates the UserStore of a SQL database. */
export function createSqlUserStore({ db }: SqlContext): UserStore {
  return {
    async createUser(user) {
      try {
        await db.insertInto('users').values(toUserRow(user)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) {
          const sameSub = await db.selectFrom('users').select('sub').where('sub', '=', user.sub).executeTakeFirst();
          if (sameSub) throw new StoreError('conflict', `a user with sub ${user.sub} already exists`, { cause: error });
          throw taken(user.username, error);
        }
        throw error;
      }
    },
    async getUser(sub) {
      const row = await db.selectFrom('users').selectAll().where('sub', '=', sub).executeTakeFirst();
      return row && fromUserRow(row);
    },
    async findUserByUsername(username) {
      const row = await db.selectFrom('users').selectAll().where('username_key', '=', usernameKey(username)).executeTakeFirst();
      return row && fromUserRow(row);
    },
    async listUsers(options = {}) {
      let query = db.selectFrom('users').selectAll().orderBy('username_key');
      if (options.after !== undefined) query = query.where('username_key', '>', usernameKey(options.after));
      if (options.limit !== undefined) query = query.limit(Math.max(0, Math.floor(options.limit)));
      return (await query.execute()).map(fromUserRow);
    },
    async updateUser(sub, patch) {
      // One UPDATE ... RETURNING, no read first: atomic on both databases, and on SQLite it never
      // meets the snapshot conflict of a read-then-write transaction among several writers.
      const row = toUserPatchRow(patch);
      try {
        const updated = await db.updateTable('users').set(row).where('sub', '=', sub).returningAll().executeTakeFirst();
        return updated && fromUserRow(updated);
      } catch (error) {
        if (isUniqueViolation(error)) throw taken(patch.username ?? '', error);
        throw error;
      }
    },
    async deleteUser(sub) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sign_in_sessions').where('sub', '=', sub).execute();
        await trx.deleteFrom('user_passkeys').where('sub', '=', sub).execute();
        await trx.deleteFrom('passkey_enrolments').where('sub', '=', sub).execute();
        const result = await trx.deleteFrom('users').where('sub', '=', sub).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
    async addPasskey(passkey) {
      try {
        await db.insertInto('user_passkeys').values(toPasskeyRow(passkey)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', 'this passkey is already registered', { cause: error });
        if (isForeignKeyViolation(error)) throw new StoreError('not_found', `user ${passkey.sub} does not exist`, { cause: error });
        throw error;
      }
    },
    async listPasskeys(sub) {
      const rows = await db.selectFrom('user_passkeys').selectAll().where('sub', '=', sub).orderBy('created_at').orderBy('credential_id').execute();
      return rows.map(fromPasskeyRow);
    },
    async findPasskey(credentialId) {
      const row = await db.selectFrom('user_passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
      return row && fromPasskeyRow(row);
    },
    async recordPasskeyUse(credentialId, counter, at) {
      const result = await db.updateTable('user_passkeys').set({ counter, last_used_at: at.getTime() }).where('credential_id', '=', credentialId).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async deletePasskey(sub, credentialId) {
      const result = await db.deleteFrom('user_passkeys').where('sub', '=', sub).where('credential_id', '=', credentialId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async putPasskeyEnrolment(enrolment) {
      try {
        await db.insertInto('passkey_enrolments').values({
          token_hash: enrolment.tokenHash, sub: enrolment.sub, created_at: enrolment.createdAt.getTime(), expires_at: enrolment.expiresAt.getTime(), used: 0,
        }).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new StoreError('conflict', 'a passkey enrolment with this hash is already stored', { cause: error });
        if (isForeignKeyViolation(error)) throw new StoreError('not_found', `user ${enrolment.sub} does not exist`, { cause: error });
        throw error;
      }
    },
    async findPasskeyEnrolment(tokenHash, now) {
      const row = await db.selectFrom('passkey_enrolments').selectAll().where('token_hash', '=', tokenHash)
        .where('used', '=', 0).where('expires_at', '>', now.getTime()).executeTakeFirst();
      return row && readEnrolment(row);
    },
    async consumePasskeyEnrolment(tokenHash, now) {
      // One conditional UPDATE: the database decides which of concurrent callers used it.
      const row = await db.updateTable('passkey_enrolments').set({ used: 1 }).where('token_hash', '=', tokenHash)
        .where('used', '=', 0).where('expires_at', '>', now.getTime()).returningAll().executeTakeFirst();
      return row && readEnrolment(row);
    },
    async purgeExpiredPasskeyEnrolments(now) {
      const result = await db.deleteFrom('passkey_enrolments').where('expires_at', '<=', now.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
