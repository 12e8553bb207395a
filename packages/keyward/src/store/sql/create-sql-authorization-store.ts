/**
 * AuthorizationStore over kysely (SQLite and PostgreSQL): pending authorization requests, codes,
 * refresh tokens and consents. Every "use once" is one conditional UPDATE (`... WHERE used = 0`):
 * the database decides which of concurrent callers changed the row, so exactly one sees its first
 * use, across connections and nodes.
 */
import type {
  AuthorizationCodeRecord, AuthorizationRequestRecord, AuthorizationStore, ConsentGrantRecord, RefreshTokenRecord,
} from '../contract.ts';
import { StoreError } from '../errors.ts';
import { CODE_REUSE_MEMORY } from '../shared/patches.ts';
import { readJson, readNumber } from '../shared/rows.ts';
import { isUniqueViolation, type SqlContext } from './sql-dialect.ts';

type CodePayload = Omit<AuthorizationCodeRecord, 'codeHash' | 'clientId' | 'grantId' | 'expiresAt'>;
type RefreshPayload = Omit<RefreshTokenRecord, 'tokenHash' | 'clientId' | 'grantId' | 'expiresAt'>;

function codePayload(code: AuthorizationCodeRecord): CodePayload {
  const { codeHash: _h, clientId: _c, grantId: _g, expiresAt: _e, ...rest } = code;
  return rest;
}

function refreshPayload(token: RefreshTokenRecord): RefreshPayload {
  const { tokenHash: _h, clientId: _c, grantId: _g, expiresAt: _e, ...rest } = token;
  return rest;
}

function conflict(what: string, error: unknown): never {
  if (isUniqueViolation(error)) throw new StoreError('conflict', `${what} is already stored`, { cause: error });
  throw error;
}

/** Creates the AuthorizationStore of a SQL database. */
export function createSqlAuthorizationStore({ db }: SqlContext): AuthorizationStore {
  const readRequest = (row: { id: unknown; client_id: unknown; request: unknown; created_at: unknown; expires_at: unknown }): AuthorizationRequestRecord => ({
    id: row.id as string,
    clientId: row.client_id as string,
    request: readJson<Record<string, unknown>>(row.request),
    createdAt: readNumber(row.created_at),
    expiresAt: readNumber(row.expires_at),
  });
  const readConsent = (row: { sub: unknown; client_id: unknown; scopes: unknown; created_at: unknown; updated_at: unknown }): ConsentGrantRecord => ({
    sub: row.sub as string,
    clientId: row.client_id as string,
    scopes: readJson<string[]>(row.scopes),
    createdAt: new Date(readNumber(row.created_at)),
    updatedAt: new Date(readNumber(row.updated_at)),
  });
  return {
    async putRequest(request) {
      await db.insertInto('authorization_requests').values({
        id: request.id, client_id: request.clientId, request: JSON.stringify(request.request),
        created_at: request.createdAt, expires_at: request.expiresAt, used: 0,
      }).execute().catch((error: unknown) => conflict('an authorization request with this id', error));
    },
    async getRequest(id, nowSeconds) {
      const row = await db.selectFrom('authorization_requests').selectAll().where('id', '=', id)
        .where('used', '=', 0).where('expires_at', '>=', Math.floor(nowSeconds)).executeTakeFirst();
      return row && readRequest(row);
    },
    async consumeRequest(id, nowSeconds) {
      const result = await db.updateTable('authorization_requests').set({ used: 1 })
        .where('id', '=', id).where('used', '=', 0).where('expires_at', '>=', Math.floor(nowSeconds)).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      const row = await db.selectFrom('authorization_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row && readRequest(row);
    },
    async putCode(code) {
      await db.insertInto('authorization_codes').values({
        code_hash: code.codeHash, client_id: code.clientId, grant_id: code.grantId,
        payload: JSON.stringify(codePayload(code)), expires_at: code.expiresAt, used: 0,
      }).execute().catch((error: unknown) => conflict('an authorization code with this hash', error));
    },
    async consumeCode(codeHash) {
      const result = await db.updateTable('authorization_codes').set({ used: 1 })
        .where('code_hash', '=', codeHash).where('used', '=', 0).executeTakeFirst();
      const row = await db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      if (row === undefined) return undefined;
      const record: AuthorizationCodeRecord = {
        ...readJson<CodePayload>(row.payload),
        codeHash: row.code_hash, clientId: row.client_id, grantId: row.grant_id, expiresAt: readNumber(row.expires_at),
      };
      return { record, firstUse: Number(result.numUpdatedRows) === 1 };
    },
    async putRefreshToken(token) {
      await db.insertInto('refresh_tokens').values({
        token_hash: token.tokenHash, client_id: token.clientId, grant_id: token.grantId, sub: token.sub,
        payload: JSON.stringify(refreshPayload(token)), expires_at: token.expiresAt, used: 0, revoked: 0,
      }).execute().catch((error: unknown) => conflict('a refresh token with this hash', error));
    },
    async consumeRefreshToken(tokenHash) {
      const result = await db.updateTable('refresh_tokens').set({ used: 1 })
        .where('token_hash', '=', tokenHash).where('used', '=', 0).where('revoked', '=', 0).executeTakeFirst();
      const row = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      if (row === undefined) return undefined;
      const record: RefreshTokenRecord = {
        ...readJson<RefreshPayload>(row.payload),
        tokenHash: row.token_hash, clientId: row.client_id, grantId: row.grant_id, expiresAt: readNumber(row.expires_at),
      };
      return { record, firstUse: Number(result.numUpdatedRows) === 1 };
    },
    async findRefreshToken(tokenHash) {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && { ...readJson<RefreshPayload>(row.payload), tokenHash: row.token_hash, clientId: row.client_id, grantId: row.grant_id, expiresAt: readNumber(row.expires_at) };
    },
    async revokeRefreshTokens(grantId) {
      const result = await db.updateTable('refresh_tokens').set({ revoked: 1 })
        .where('grant_id', '=', grantId).where('revoked', '=', 0).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async revokeRefreshTokensOf(sub, clientId) {
      const rows = await db.selectFrom('refresh_tokens').select('grant_id').distinct()
        .where('sub', '=', sub).where('client_id', '=', clientId).where('revoked', '=', 0).execute();
      await db.updateTable('refresh_tokens').set({ revoked: 1 }).where('sub', '=', sub).where('client_id', '=', clientId).where('revoked', '=', 0).execute();
      return rows.map((row) => row.grant_id).sort();
    },
    async listCodeGrantsOf(sub, clientId) {
      // The end user is inside the payload: read the client's codes (a day's worth at most) and filter.
      const rows = await db.selectFrom('authorization_codes').select(['grant_id', 'payload']).where('client_id', '=', clientId).execute();
      return [...new Set(rows.filter((row) => readJson<CodePayload>(row.payload).sub === sub).map((row) => row.grant_id))].sort();
    },
    async putConsent(grant) {
      const row = {
        sub: grant.sub, client_id: grant.clientId, scopes: JSON.stringify(grant.scopes),
        created_at: grant.createdAt.getTime(), updated_at: grant.updatedAt.getTime(),
      };
      await db.insertInto('consent_grants').values(row)
        .onConflict((oc) => oc.columns(['sub', 'client_id']).doUpdateSet({ scopes: row.scopes, updated_at: row.updated_at })).execute();
    },
    async getConsent(sub, clientId) {
      const row = await db.selectFrom('consent_grants').selectAll().where('sub', '=', sub).where('client_id', '=', clientId).executeTakeFirst();
      return row && readConsent(row);
    },
    async listConsents(sub) {
      const rows = await db.selectFrom('consent_grants').selectAll().where('sub', '=', sub).orderBy('client_id').execute();
      return rows.map(readConsent);
    },
    async deleteConsent(sub, clientId) {
      const result = await db.deleteFrom('consent_grants').where('sub', '=', sub).where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async purgeExpired(nowSeconds) {
      const now = Math.floor(nowSeconds);
      let count = 0;
      for (const table of ['authorization_requests', 'authorization_codes', 'refresh_tokens'] as const) {
        const before = table === 'authorization_codes' ? now - CODE_REUSE_MEMORY : now;
        const result = await db.deleteFrom(table).where('expires_at', '<', before).executeTakeFirst();
        count += Number(result.numDeletedRows);
      }
      return count;
    },
  };
}
