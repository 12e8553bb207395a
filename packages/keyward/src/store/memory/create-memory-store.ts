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
  AuditEvent, AuditQuery, AuthorizationCodeRecord, AuthorizationRequestRecord, ClientKeyRecord, ClientRecord, ConsentGrantRecord,
  InitialAccessTokenRecord, IssuedTokenRecord, PasskeyEnrolmentRecord, PasskeyRecord, RefreshTokenRecord, SignInSessionRecord, SigningKeyRecord, Store, UserRecord,
} from '../contract.ts';
import { StoreError } from '../errors.ts';
import {
  CODE_REUSE_MEMORY, applyClientPatch, applyKeyPatch, applySigningKeyPatch, applyUserPatch, holdsScopeBeyond, resolveAuditLimit, resolveReplayExpiry,
} from '../shared/patches.ts';
import { usernameKey } from '../shared/user-rows.ts';
import { createMemoryAlertStore } from './create-memory-alert-store.ts';

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
  const users = new Map<string, UserRecord>();
  /** Lower-case username → sub (usernames are unique case-insensitively). */
  const usernames = new Map<string, string>();
  const passkeys = new Map<string, PasskeyRecord>();
  const enrolments = new Map<string, { record: PasskeyEnrolmentRecord; used: boolean }>();
  const sessions = new Map<string, SignInSessionRecord>();
  const requests = new Map<string, { record: AuthorizationRequestRecord; used: boolean }>();
  const codes = new Map<string, { record: AuthorizationCodeRecord; used: boolean }>();
  const refreshTokens = new Map<string, { record: RefreshTokenRecord; used: boolean; revoked: boolean }>();
  /** `${sub}\0${clientId}` → consent. */
  const consents = new Map<string, ConsentGrantRecord>();
  const alertStore = createMemoryAlertStore();
  let closed = false;
  const taken = (username: string): StoreError =>
    new StoreError('conflict', `the username ${JSON.stringify(username)} is taken (usernames are compared without regard to case); pick another`);
  const deleteSessionsWhere = (match: (s: SignInSessionRecord) => boolean): number => {
    let count = 0;
    for (const [idHash, session] of sessions) {
      if (match(session)) {
        sessions.delete(idHash);
        count += 1;
      }
    }
    return count;
  };

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
        alertStore.forgetClientActivity(clientId);
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
      async revokeTokensByGrant(grantId) {
        return revokeWhere((t) => t.grantId === grantId);
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
    users: {
      async createUser(user) {
        if (users.has(user.sub)) throw new StoreError('conflict', `a user with sub ${user.sub} already exists`);
        const key = usernameKey(user.username);
        if (usernames.has(key)) throw taken(user.username);
        users.set(user.sub, copy(user));
        usernames.set(key, user.sub);
      },
      async getUser(sub) {
        const user = users.get(sub);
        return user && copy(user);
      },
      async findUserByUsername(username) {
        const sub = usernames.get(usernameKey(username));
        const user = sub === undefined ? undefined : users.get(sub);
        return user && copy(user);
      },
      async listUsers(options = {}) {
        const after = options.after === undefined ? undefined : usernameKey(options.after);
        const sorted = [...usernames.keys()].sort().filter((key) => after === undefined || key > after);
        const page = options.limit === undefined ? sorted : sorted.slice(0, Math.max(0, Math.floor(options.limit)));
        return page.map((key) => copy(users.get(usernames.get(key) as string) as UserRecord));
      },
      async updateUser(sub, patch) {
        const user = users.get(sub);
        if (!user) return undefined;
        const next = applyUserPatch(user, copy(patch));
        const oldKey = usernameKey(user.username);
        const newKey = usernameKey(next.username);
        if (newKey !== oldKey) {
          if (usernames.has(newKey)) throw taken(next.username);
          usernames.delete(oldKey);
          usernames.set(newKey, sub);
        }
        users.set(sub, next);
        return copy(next);
      },
      async deleteUser(sub) {
        const user = users.get(sub);
        if (!user) return false;
        users.delete(sub);
        usernames.delete(usernameKey(user.username));
        for (const [id, passkey] of passkeys) if (passkey.sub === sub) passkeys.delete(id);
        for (const [hash, enrolment] of enrolments) if (enrolment.record.sub === sub) enrolments.delete(hash);
        deleteSessionsWhere((session) => session.sub === sub);
        return true;
      },
      async addPasskey(passkey) {
        if (!users.has(passkey.sub)) throw new StoreError('not_found', `user ${passkey.sub} does not exist`);
        if (passkeys.has(passkey.credentialId)) throw new StoreError('conflict', 'this passkey is already registered');
        passkeys.set(passkey.credentialId, copy(passkey));
      },
      async listPasskeys(sub) {
        return [...passkeys.values()].filter((p) => p.sub === sub)
          .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.credentialId < b.credentialId ? -1 : a.credentialId > b.credentialId ? 1 : 0))
          .map(copy);
      },
      async findPasskey(credentialId) {
        const passkey = passkeys.get(credentialId);
        return passkey && copy(passkey);
      },
      async recordPasskeyUse(credentialId, counter, at) {
        const passkey = passkeys.get(credentialId);
        if (!passkey) return false;
        passkeys.set(credentialId, { ...passkey, counter, lastUsedAt: new Date(at.getTime()) });
        return true;
      },
      async deletePasskey(sub, credentialId) {
        if (passkeys.get(credentialId)?.sub !== sub) return false;
        return passkeys.delete(credentialId);
      },
      async putPasskeyEnrolment(enrolment) {
        if (!users.has(enrolment.sub)) throw new StoreError('not_found', `user ${enrolment.sub} does not exist`);
        if (enrolments.has(enrolment.tokenHash)) throw new StoreError('conflict', 'a passkey enrolment with this hash is already stored');
        enrolments.set(enrolment.tokenHash, { record: copy(enrolment), used: false });
      },
      async findPasskeyEnrolment(tokenHash, now) {
        const entry = enrolments.get(tokenHash);
        return entry && !entry.used && entry.record.expiresAt.getTime() > now.getTime() ? copy(entry.record) : undefined;
      },
      async consumePasskeyEnrolment(tokenHash, now) {
        const entry = enrolments.get(tokenHash);
        if (entry === undefined || entry.used || entry.record.expiresAt.getTime() <= now.getTime()) return undefined;
        entry.used = true;
        return copy(entry.record);
      },
      async purgeExpiredPasskeyEnrolments(now) {
        let purged = 0;
        for (const [hash, entry] of enrolments) {
          if (entry.record.expiresAt.getTime() <= now.getTime()) {
            enrolments.delete(hash);
            purged += 1;
          }
        }
        return purged;
      },
    },
    signInSessions: {
      async createSession(session) {
        if (!users.has(session.sub)) throw new StoreError('not_found', `user ${session.sub} does not exist`);
        if (sessions.has(session.idHash)) throw new StoreError('conflict', 'this sign-in session already exists');
        sessions.set(session.idHash, copy(session));
      },
      async touchSession(idHash, now, idleExpiresAt) {
        const session = sessions.get(idHash);
        const at = now.getTime();
        if (!session || session.idleExpiresAt.getTime() <= at || session.absoluteExpiresAt.getTime() <= at) return undefined;
        const next = { ...session, lastSeenAt: new Date(at), idleExpiresAt: new Date(idleExpiresAt.getTime()) };
        sessions.set(idHash, next);
        return copy(next);
      },
      async deleteSession(idHash) {
        return sessions.delete(idHash);
      },
      async deleteUserSessions(sub) {
        return deleteSessionsWhere((session) => session.sub === sub);
      },
      async purgeExpiredSessions(now) {
        const at = now.getTime();
        return deleteSessionsWhere((session) => session.idleExpiresAt.getTime() <= at || session.absoluteExpiresAt.getTime() <= at);
      },
    },
    authorizations: {
      async putRequest(request) {
        if (requests.has(request.id)) throw new StoreError('conflict', 'an authorization request with this id is already stored');
        requests.set(request.id, { record: copy(request), used: false });
      },
      async getRequest(id, nowSeconds) {
        const entry = requests.get(id);
        return entry && !entry.used && entry.record.expiresAt >= Math.floor(nowSeconds) ? copy(entry.record) : undefined;
      },
      async consumeRequest(id, nowSeconds) {
        const entry = requests.get(id);
        if (entry === undefined || entry.used || entry.record.expiresAt < Math.floor(nowSeconds)) return undefined;
        entry.used = true;
        return copy(entry.record);
      },
      async putCode(code) {
        if (codes.has(code.codeHash)) throw new StoreError('conflict', 'an authorization code with this hash is already stored');
        codes.set(code.codeHash, { record: copy(code), used: false });
      },
      async consumeCode(codeHash) {
        const entry = codes.get(codeHash);
        if (entry === undefined) return undefined;
        const firstUse = !entry.used;
        entry.used = true;
        return { record: copy(entry.record), firstUse };
      },
      async putRefreshToken(token) {
        if (refreshTokens.has(token.tokenHash)) throw new StoreError('conflict', 'a refresh token with this hash is already stored');
        refreshTokens.set(token.tokenHash, { record: copy(token), used: false, revoked: false });
      },
      async consumeRefreshToken(tokenHash) {
        const entry = refreshTokens.get(tokenHash);
        if (entry === undefined) return undefined;
        const firstUse = !entry.used && !entry.revoked;
        if (firstUse) entry.used = true;
        return { record: copy(entry.record), firstUse };
      },
      async findRefreshToken(tokenHash) {
        const entry = refreshTokens.get(tokenHash);
        return entry && copy(entry.record);
      },
      async revokeRefreshTokens(grantId) {
        let count = 0;
        for (const entry of refreshTokens.values()) {
          if (entry.record.grantId === grantId && !entry.revoked) {
            entry.revoked = true;
            count += 1;
          }
        }
        return count;
      },
      async revokeRefreshTokensOf(sub, clientId) {
        const grants = new Set<string>();
        for (const entry of refreshTokens.values()) {
          if (entry.record.sub === sub && entry.record.clientId === clientId && !entry.revoked) {
            entry.revoked = true;
            grants.add(entry.record.grantId);
          }
        }
        return [...grants].sort();
      },
      async listCodeGrantsOf(sub, clientId) {
        const grants = new Set<string>();
        for (const entry of codes.values()) if (entry.record.sub === sub && entry.record.clientId === clientId) grants.add(entry.record.grantId);
        return [...grants].sort();
      },
      async putConsent(grant) {
        const key = `${grant.sub}\0${grant.clientId}`;
        const existing = consents.get(key);
        consents.set(key, copy(existing ? { ...grant, createdAt: existing.createdAt } : grant));
      },
      async getConsent(sub, clientId) {
        const grant = consents.get(`${sub}\0${clientId}`);
        return grant && copy(grant);
      },
      async listConsents(sub) {
        return [...consents.values()].filter((g) => g.sub === sub).sort((a, b) => (a.clientId < b.clientId ? -1 : 1)).map(copy);
      },
      async deleteConsent(sub, clientId) {
        return consents.delete(`${sub}\0${clientId}`);
      },
      async purgeExpired(nowSeconds) {
        const now = Math.floor(nowSeconds);
        let count = 0;
        for (const [map, before] of [[requests, now], [codes, now - CODE_REUSE_MEMORY], [refreshTokens, now]] as const) {
          for (const [key, entry] of map as Map<string, { record: { expiresAt: number } }>) {
            if (entry.record.expiresAt < before) {
              map.delete(key);
              count += 1;
            }
          }
        }
        return count;
      },
    },
    alerts: alertStore.alerts,
    async ping() {
      return !closed;
    },
    async close() {
      closed = true;
    },
  };
}
