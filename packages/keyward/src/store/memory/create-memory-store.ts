/**
 * The in-memory Store: for unit tests and `KEYWARD_DATA_DIR=:memory:`. Nothing survives the process.
 *
 * Every method runs its whole read-check-write without an `await` in between, so within one process
 * it is atomic (JavaScript runs one callback at a time): `replay.reserve` and
 * `consumeInitialAccessToken` cannot be won twice. It does NOT coordinate across processes: use
 * SQLite, PostgreSQL or Redis when several processes serve one issuer.
 *
 * Records are copied in and out (`structuredClone`), so callers cannot change stored data by
 * mutating an object.
 */
import type {
  AuditEvent, AuditQuery, ClientKeyRecord, ClientRecord, InitialAccessTokenRecord, IssuedTokenRecord,
  SigningKeyRecord, Store,
} from '../contract.ts';
import { StoreError } from '../errors.ts';
import { applyClientPatch, applyKeyPatch, applySigningKeyPatch, holdsScopeBeyond, resolveAuditLimit, resolveReplayExpiry } from '../shared/patches.ts';

const copy = <T>(value: T): T => structuredClone(value);

/** Creates an empty in-memory Store. */
export function createMemoryStore(): Store {
  const clients = new Map<string, ClientRecord>();
  /** clientId → thumbprint → key. */
  const keys = new Map<string, Map<string, ClientKeyRecord>>();
  const signingKeys = new Map<string, SigningKeyRecord>();
  const tokens = new Map<string, IssuedTokenRecord>();
  /** `${clientId}\0${jti}` → expiry (epoch seconds); unambiguous as client_ids never contain NUL. */
  const replay = new Map<string, number>();
  const audit: AuditEvent[] = [];
  let auditId = 0;
  const initialTokens = new Map<string, InitialAccessTokenRecord>();
  let closed = false;

  const revokeWhere = (match: (t: IssuedTokenRecord) => boolean): number => {
    let count = 0;
    for (const [jti, token] of tokens) {
      if (!token.revoked && match(token)) {
        tokens.set(jti, { ...token, revoked: true });
        count += 1;
      }
    }
    return count;
  };

  return {
    clients: {
      async createClient(client) {
        if (clients.has(client.clientId)) throw new StoreError('conflict', `client ${client.clientId} already exists; pick another client_id`);
        clients.set(client.clientId, copy(client));
      },
      async getClient(clientId) {
        const client = clients.get(clientId);
        return client && copy(client);
      },
      async listClients(options = {}) {
        const sorted = [...clients.keys()].sort().filter((id) => options.after === undefined || id > options.after);
        const page = options.limit === undefined ? sorted : sorted.slice(0, Math.max(0, options.limit));
        return page.map((id) => copy(clients.get(id) as ClientRecord));
      },
      async updateClient(clientId, patch) {
        const client = clients.get(clientId);
        if (!client) return undefined;
        const next = applyClientPatch(client, copy(patch));
        clients.set(clientId, next);
        return copy(next);
      },
      async deleteClient(clientId) {
        keys.delete(clientId);
        return clients.delete(clientId);
      },
      async addKey(key) {
        if (!clients.has(key.clientId)) throw new StoreError('not_found', `client ${key.clientId} does not exist; create the client before adding keys`);
        let byThumbprint = keys.get(key.clientId);
        if (!byThumbprint) keys.set(key.clientId, (byThumbprint = new Map()));
        if (byThumbprint.has(key.thumbprint)) throw new StoreError('conflict', `this key (thumbprint ${key.thumbprint}) is already registered for client ${key.clientId}`);
        byThumbprint.set(key.thumbprint, copy(key));
      },
      async listKeys(clientId) {
        // Oldest first, like the SQL adapters (created_at, then thumbprint).
        return [...(keys.get(clientId)?.values() ?? [])]
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.thumbprint < b.thumbprint ? -1 : a.thumbprint > b.thumbprint ? 1 : 0))
          .map(copy);
      },
      async updateKey(clientId, thumbprint, patch) {
        const byThumbprint = keys.get(clientId);
        const key = byThumbprint?.get(thumbprint);
        if (!byThumbprint || !key) return undefined;
        const next = applyKeyPatch(key, copy(patch));
        byThumbprint.set(thumbprint, next);
        return copy(next);
      },
    },
    signingKeys: {
      async addSigningKey(key) {
        if (signingKeys.has(key.kid)) throw new StoreError('conflict', `signing key ${key.kid} already exists`);
        signingKeys.set(key.kid, copy(key));
      },
      async listSigningKeys() {
        return [...signingKeys.values()]
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0))
          .map(copy);
      },
      async updateSigningKey(kid, patch) {
        const key = signingKeys.get(kid);
        if (key) signingKeys.set(kid, applySigningKeyPatch(key, copy(patch)));
      },
    },
    tokens: {
      async recordToken(token) {
        if (tokens.has(token.jti)) throw new StoreError('conflict', `an access token with jti ${token.jti} is already recorded`);
        tokens.set(token.jti, copy(token));
      },
      async getToken(jti) {
        const token = tokens.get(jti);
        return token && copy(token);
      },
      async revokeToken(jti) {
        const token = tokens.get(jti);
        if (!token) return false;
        tokens.set(jti, { ...token, revoked: true });
        return true;
      },
      async revokeTokensByKey(clientId, keyThumbprint) {
        return revokeWhere((t) => t.clientId === clientId && t.keyThumbprint === keyThumbprint);
      },
      async revokeTokensByClient(clientId) {
        return revokeWhere((t) => t.clientId === clientId);
      },
      async revokeTokensBeyondScopes(clientId, allowedScopes) {
        return revokeWhere((t) => t.clientId === clientId && holdsScopeBeyond(t.scope, allowedScopes));
      },
      async purgeExpiredTokens(nowSeconds) {
        let count = 0;
        for (const [jti, token] of tokens) {
          if (token.expiresAt < nowSeconds) {
            tokens.delete(jti);
            count += 1;
          }
        }
        return count;
      },
    },
    replay: {
      // RFC 7523 §3 (7): one use per (client_id, jti); no await between check and set.
      async reserve(clientId, jti, expiresAt) {
        const now = Date.now() / 1000;
        const id = `${clientId}\0${jti}`;
        const existing = replay.get(id);
        if (existing !== undefined && existing >= now) return false;
        replay.set(id, resolveReplayExpiry(expiresAt, now));
        return true;
      },
      async purgeExpired(nowSeconds) {
        let count = 0;
        for (const [id, expiresAt] of replay) {
          if (expiresAt < nowSeconds) {
            replay.delete(id);
            count += 1;
          }
        }
        return count;
      },
    },
    audit: {
      async appendAudit(event) {
        auditId += 1;
        audit.push({ ...copy(event), id: auditId });
      },
      async queryAudit(query: AuditQuery) {
        const limit = resolveAuditLimit(query.limit);
        const out: AuditEvent[] = [];
        for (let i = audit.length - 1; i >= 0 && out.length < limit; i -= 1) {
          const e = audit[i] as AuditEvent;
          if (query.clientId !== undefined && e.clientId !== query.clientId) continue;
          if (query.type !== undefined && e.type !== query.type) continue;
          if (query.reason !== undefined && e.reason !== query.reason) continue;
          if (query.since !== undefined && e.time.getTime() < query.since.getTime()) continue;
          if (query.until !== undefined && e.time.getTime() > query.until.getTime()) continue;
          if (query.beforeId !== undefined && (e.id ?? 0) >= query.beforeId) continue;
          out.push(copy(e));
        }
        return out;
      },
      async purgeAuditBefore(before, batch) {
        let count = 0;
        for (let i = 0; i < audit.length && count < batch; ) {
          if ((audit[i] as AuditEvent).time.getTime() < before.getTime()) {
            audit.splice(i, 1);
            count += 1;
          } else i += 1;
        }
        return count;
      },
    },
    initialAccessTokens: {
      async addInitialAccessToken(token) {
        if (initialTokens.has(token.id) || [...initialTokens.values()].some((t) => t.tokenHash === token.tokenHash)) {
          throw new StoreError('conflict', `initial access token ${token.id} already exists`);
        }
        initialTokens.set(token.id, copy(token));
      },
      async consumeInitialAccessToken(tokenHash, now) {
        for (const [id, token] of initialTokens) {
          if (token.tokenHash !== tokenHash) continue;
          if (token.expiresAt !== undefined && token.expiresAt.getTime() <= now.getTime()) return undefined;
          if (token.usesLeft !== undefined && token.usesLeft <= 0) return undefined;
          const next = token.usesLeft === undefined ? token : { ...token, usesLeft: token.usesLeft - 1 };
          initialTokens.set(id, next);
          return copy(next);
        }
        return undefined;
      },
      async findInitialAccessToken(tokenHash, now) {
        for (const token of initialTokens.values()) {
          if (token.tokenHash !== tokenHash) continue;
          if (token.expiresAt !== undefined && token.expiresAt.getTime() <= now.getTime()) return undefined;
          if (token.usesLeft !== undefined && token.usesLeft <= 0) return undefined;
          return copy(token);
        }
        return undefined;
      },
      async listInitialAccessTokens() {
        return [...initialTokens.values()]
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map(copy);
      },
    },
    async ping() {
      return !closed;
    },
    async close() {
      closed = true;
    },
  };
}
