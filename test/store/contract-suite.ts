/**
 * The shared contract suite: every Store adapter (memory, SQLite, PostgreSQL, PostgreSQL + Redis)
 * runs these same tests, so they agree on every port method. Each test opens a fresh, empty store.
 *
 * `open` may also return `openPeer`: another Store on the same data through its own connection
 * (another SQLite handle on the same file, another PostgreSQL pool, another Redis client). The replay
 * race then spreads its 50 reserves over several connections.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type {
  AlertRecord, ClientKeyRecord, ClientRecord, IssuedTokenRecord, PasskeyRecord, SignInSessionRecord, SigningKeyRecord, Store, UserRecord,
} from '../../packages/keyward/src/store/contract.ts';
import { isStoreError } from '../../packages/keyward/src/store/errors.ts';

export interface OpenedStore {
  readonly store: Store;
  readonly cleanup: () => Promise<void>;
  /** Opens another Store on the same data over a separate connection (closed by cleanup or the caller). */
  readonly openPeer?: () => Promise<Store>;
  /** Replay reservations also live in Redis, which expires them by itself (in real time, not by purge). */
  readonly replayExpiresByItself?: boolean;
}

const T0 = new Date('2026-01-02T03:04:05.678Z');

export function makeClient(clientId: string, extra: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId,
    name: `Client ${clientId}`,
    grantTypes: ['client_credentials'],
    scopes: ['read', 'write'],
    accessTokenTtl: 300,
    audiencePolicy: 'strict',
    state: 'enabled',
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  };
}

export function makeKey(clientId: string, n: number, extra: Partial<ClientKeyRecord> = {}): ClientKeyRecord {
  const thumbprint = `thumb-${n}-${'x'.repeat(36)}`;
  return {
    clientId,
    kid: `kid-${n}`,
    thumbprint,
    jwk: { kty: 'EC', kid: `kid-${n}`, crv: 'P-256', x: `x${n}`, y: `y${n}`, alg: 'ES256', use: 'sig' },
    alg: 'ES256',
    state: 'active',
    createdAt: new Date(T0.getTime() + n),
    ...extra,
  };
}

export function makeUser(sub: string, username: string, extra: Partial<UserRecord> = {}): UserRecord {
  return { sub, username, status: 'active', requirePasskey: false, createdAt: T0, updatedAt: T0, ...extra };
}

function makePasskey(sub: string, n: number, extra: Partial<PasskeyRecord> = {}): PasskeyRecord {
  return { credentialId: `cred-${n}`, sub, publicKey: `pk-${n}`, counter: 0, transports: ['internal', 'hybrid'], createdAt: new Date(T0.getTime() + n), ...extra };
}

function makeSession(idHash: string, sub: string, nowMs: number, extra: Partial<SignInSessionRecord> = {}): SignInSessionRecord {
  return {
    idHash, sub, authTime: Math.floor(nowMs / 1000), amr: ['pwd'], createdAt: new Date(nowMs), lastSeenAt: new Date(nowMs),
    idleExpiresAt: new Date(nowMs + 1_800_000), absoluteExpiresAt: new Date(nowMs + 43_200_000), ...extra,
  };
}

function makeToken(jti: string, extra: Partial<IssuedTokenRecord> = {}): IssuedTokenRecord {
  return {
    jti, clientId: 'c1', keyThumbprint: 'k1', scope: 'read', audience: ['https://api.example'],
    issuedAt: 1_700_000_000, expiresAt: 1_700_000_300, revoked: false, ...extra,
  };
}

export function makeAlert(id: string, extra: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id, kind: 'issuance_spike', clientId: 'c1', windowStart: T0, windowEnd: new Date(T0.getTime() + 300_000), observed: 120, expected: 10,
    firstEventAt: new Date(T0.getTime() + 1000), lastEventAt: new Date(T0.getTime() + 299_000), state: 'open',
    raisedAt: new Date(T0.getTime() + 300_000), updatedAt: new Date(T0.getTime() + 300_000), deliveries: [], ...extra,
  };
}

/** Runs every contract test against the adapter `name`; `options.skip` (a message) skips the suite when its service is down. */
export function runStoreContract(name: string, open: () => Promise<OpenedStore>, options: { skip?: string | false } = {}): void {
  const withStore = (fn: (store: Store, opened: OpenedStore) => Promise<void>) => async () => {
    const opened = await open();
    try {
      await fn(opened.store, opened);
    } finally {
      await opened.cleanup();
    }
  };

  describe(`Store contract: ${name}`, { skip: options.skip ?? false }, () => {
    // ---- clients --------------------------------------------------------------------------------
    test('clients: create, get (every field round-trips), unknown is undefined', withStore(async (store) => {
      const full = makeClient('c-full', {
        contact: 'ops@example.com', description: 'd', algPin: 'PS256', jwksUri: 'https://c.example/jwks',
        registrationTokenHash: 'h', audiencePolicy: 'legacy', state: 'disabled',
        registrationLimits: { scopes: ['read', 'keyward:keys.read'], grantTypes: ['client_credentials'] },
      });
      await store.clients.createClient(full);
      await store.clients.createClient(makeClient('c-min'));
      assert.deepEqual(await store.clients.getClient('c-full'), full);
      assert.deepEqual(await store.clients.getClient('c-min'), makeClient('c-min'));
      assert.equal(await store.clients.getClient('nobody'), undefined);
    }));

    test('clients: a duplicate client_id is a conflict and keeps the first', withStore(async (store) => {
      await store.clients.createClient(makeClient('dup'));
      await assert.rejects(store.clients.createClient(makeClient('dup', { name: 'other' })), (e) => isStoreError(e, 'conflict'));
      assert.equal((await store.clients.getClient('dup'))?.name, 'Client dup');
    }));

    test('clients: list is ordered by client_id with limit and after', withStore(async (store) => {
      for (const id of ['c3', 'c1', 'c4', 'c2']) await store.clients.createClient(makeClient(id));
      assert.deepEqual((await store.clients.listClients()).map((c) => c.clientId), ['c1', 'c2', 'c3', 'c4']);
      assert.deepEqual((await store.clients.listClients({ limit: 2 })).map((c) => c.clientId), ['c1', 'c2']);
      assert.deepEqual((await store.clients.listClients({ after: 'c2', limit: 1 })).map((c) => c.clientId), ['c3']);
      assert.deepEqual((await store.clients.listClients({ after: 'c4' })), []);
    }));

    test('clients: update patches fields, clears optional ones given as undefined, bumps updatedAt', withStore(async (store) => {
      await store.clients.createClient(makeClient('u', { contact: 'a@b', description: 'keep' }));
      const later = new Date(T0.getTime() + 60_000);
      const updated = await store.clients.updateClient('u', { name: 'New', state: 'disabled', scopes: ['read'], contact: undefined, registrationLimits: { grantTypes: ['client_credentials'] }, updatedAt: later });
      const expected = { ...makeClient('u', { description: 'keep' }), name: 'New', state: 'disabled', scopes: ['read'], registrationLimits: { grantTypes: ['client_credentials'] }, updatedAt: later };
      assert.deepEqual(updated, expected);
      assert.deepEqual(await store.clients.getClient('u'), expected);
      const bumped = await store.clients.updateClient('u', { accessTokenTtl: 60 });
      assert.ok(bumped && bumped.updatedAt.getTime() > later.getTime(), 'updatedAt defaults to now');
      assert.equal(bumped?.createdAt.getTime(), T0.getTime());
      assert.equal(await store.clients.updateClient('nobody', { name: 'x' }), undefined);
    }));

    test('clients: delete removes the client and its keys; unknown gives false', withStore(async (store) => {
      await store.clients.createClient(makeClient('d'));
      await store.clients.addKey(makeKey('d', 1));
      await store.clients.addKey(makeKey('d', 2));
      assert.equal(await store.clients.deleteClient('d'), true);
      assert.equal(await store.clients.getClient('d'), undefined);
      assert.deepEqual(await store.clients.listKeys('d'), []);
      assert.equal(await store.clients.deleteClient('d'), false);
      // The same id can be registered again, with no ghost keys.
      await store.clients.createClient(makeClient('d'));
      assert.deepEqual(await store.clients.listKeys('d'), []);
    }));

    // ---- keys -----------------------------------------------------------------------------------
    test('keys: add and list (per client, oldest first, every field round-trips)', withStore(async (store) => {
      await store.clients.createClient(makeClient('k'));
      await store.clients.createClient(makeClient('other'));
      const cert = makeKey('k', 2, { certificateSubject: 'CN=k', notBefore: new Date(T0.getTime() - 1000), notAfter: new Date(T0.getTime() + 1e9) });
      await store.clients.addKey(cert);
      await store.clients.addKey(makeKey('k', 1));
      await store.clients.addKey(makeKey('other', 3));
      assert.deepEqual(await store.clients.listKeys('k'), [makeKey('k', 1), cert]);
      assert.deepEqual(await store.clients.listKeys('nobody'), []);
    }));

    test('keys: the same thumbprint twice for one client is a conflict; for two clients it is fine', withStore(async (store) => {
      await store.clients.createClient(makeClient('a'));
      await store.clients.createClient(makeClient('b'));
      await store.clients.addKey(makeKey('a', 1));
      await assert.rejects(store.clients.addKey(makeKey('a', 1, { kid: 'other' })), (e) => isStoreError(e, 'conflict'));
      await store.clients.addKey(makeKey('b', 1));
      assert.equal((await store.clients.listKeys('a')).length, 1);
    }));

    test('keys: adding a key to an unknown client is refused (not_found)', withStore(async (store) => {
      await assert.rejects(store.clients.addKey(makeKey('ghost', 1)), (e) => isStoreError(e, 'not_found'));
    }));

    test('keys: update state and dates; clear with undefined; unknown gives undefined', withStore(async (store) => {
      await store.clients.createClient(makeClient('s'));
      await store.clients.addKey(makeKey('s', 1, { notAfter: new Date(T0.getTime() + 5) }));
      const retireAt = new Date(T0.getTime() + 86_400_000);
      const retiring = await store.clients.updateKey('s', makeKey('s', 1).thumbprint, { state: 'retiring', retireAt, notAfter: undefined });
      assert.deepEqual(retiring, makeKey('s', 1, { state: 'retiring', retireAt }));
      const revokedAt = new Date(T0.getTime() + 10);
      await store.clients.updateKey('s', makeKey('s', 1).thumbprint, { state: 'revoked', revokedAt });
      assert.deepEqual(await store.clients.listKeys('s'), [makeKey('s', 1, { state: 'revoked', retireAt, revokedAt })]);
      assert.equal(await store.clients.updateKey('s', 'no-such-thumbprint', { state: 'revoked' }), undefined);
      assert.equal(await store.clients.updateKey('nobody', makeKey('s', 1).thumbprint, { state: 'revoked' }), undefined);
    }));

    // ---- signing keys ---------------------------------------------------------------------------
    test('signing keys: add, list (private JWK round-trips), update state and retireAt', withStore(async (store) => {
      const key = (kid: string, n: number): SigningKeyRecord => ({
        kid, alg: 'ES256', state: 'active', createdAt: new Date(T0.getTime() + n),
        privateJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: `secret-${kid}`, kid },
        publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid, alg: 'ES256', use: 'sig' },
      });
      await store.signingKeys.addSigningKey(key('sk1', 1));
      await store.signingKeys.addSigningKey(key('sk2', 2));
      await assert.rejects(store.signingKeys.addSigningKey(key('sk1', 3)), (e) => isStoreError(e, 'conflict'));
      assert.deepEqual(await store.signingKeys.listSigningKeys(), [key('sk1', 1), key('sk2', 2)]);
      const retireAt = new Date(T0.getTime() + 3600_000);
      await store.signingKeys.updateSigningKey('sk1', { state: 'published', retireAt });
      await store.signingKeys.updateSigningKey('nobody', { state: 'retired' });
      const listed = await store.signingKeys.listSigningKeys();
      assert.deepEqual(listed[0], { ...key('sk1', 1), state: 'published', retireAt });
      await store.signingKeys.updateSigningKey('sk1', { state: 'retired' });
      assert.equal((await store.signingKeys.listSigningKeys())[0]?.state, 'retired');
    }));

    test('signing keys: activateAt round-trips; the private JWK is replaced by a re-wrapped form, the rest kept', withStore(async (store) => {
      const activateAt = new Date(T0.getTime() + 120_000);
      const pending: SigningKeyRecord = {
        kid: 'sk-pending', alg: 'ES256', state: 'active', createdAt: T0, activateAt,
        privateJwk: { keyward_wrapped: 'A256GCM', kek: 'k1', iv: 'iv1', ct: 'ct1', tag: 'tag1' },
        publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'sk-pending', alg: 'ES256', use: 'sig' },
      };
      await store.signingKeys.addSigningKey(pending);
      assert.deepEqual(await store.signingKeys.listSigningKeys(), [pending]);
      const rewrapped = { keyward_wrapped: 'A256GCM', kek: 'k2', iv: 'iv2', ct: 'ct2', tag: 'tag2' };
      await store.signingKeys.updateSigningKey('sk-pending', { privateJwk: rewrapped });
      assert.deepEqual(await store.signingKeys.listSigningKeys(), [{ ...pending, privateJwk: rewrapped }]);
      await store.signingKeys.updateSigningKey('sk-pending', { activateAt: undefined });
      const { activateAt: _cleared, ...withoutActivation } = pending;
      assert.deepEqual(await store.signingKeys.listSigningKeys(), [{ ...withoutActivation, privateJwk: rewrapped }]);
    }));

    // ---- issued tokens --------------------------------------------------------------------------
    test('tokens: record and get; a duplicate jti is a conflict', withStore(async (store) => {
      const token = makeToken('t1', { audience: ['a', 'b'], scope: 'read write' });
      await store.tokens.recordToken(token);
      assert.deepEqual(await store.tokens.getToken('t1'), token);
      assert.equal(await store.tokens.getToken('nope'), undefined);
      await assert.rejects(store.tokens.recordToken(token), (e) => isStoreError(e, 'conflict'));
    }));

    test('tokens: revoke one, by key, by client (counts only newly revoked)', withStore(async (store) => {
      await store.tokens.recordToken(makeToken('a1', { clientId: 'A', keyThumbprint: 'k1' }));
      await store.tokens.recordToken(makeToken('a2', { clientId: 'A', keyThumbprint: 'k1' }));
      await store.tokens.recordToken(makeToken('a3', { clientId: 'A', keyThumbprint: 'k2' }));
      await store.tokens.recordToken(makeToken('b1', { clientId: 'B', keyThumbprint: 'k1' }));
      assert.equal(await store.tokens.revokeToken('a1'), true);
      assert.equal(await store.tokens.revokeToken('missing'), false);
      assert.equal((await store.tokens.getToken('a1'))?.revoked, true);
      assert.equal(await store.tokens.revokeTokensByKey('A', 'k1'), 1, 'a1 was already revoked; only a2');
      assert.equal((await store.tokens.getToken('a2'))?.revoked, true);
      assert.equal((await store.tokens.getToken('a3'))?.revoked, false);
      assert.equal((await store.tokens.getToken('b1'))?.revoked, false, 'another client with the same thumbprint is untouched');
      assert.equal(await store.tokens.revokeTokensByClient('A'), 1);
      assert.equal((await store.tokens.getToken('a3'))?.revoked, true);
      assert.equal((await store.tokens.getToken('b1'))?.revoked, false);
      assert.equal(await store.tokens.revokeTokensByClient('A'), 0);
    }));

    test('tokens: revoke beyond scopes matches whole scope tokens of one client, case-sensitively', withStore(async (store) => {
      await store.tokens.recordToken(makeToken('s1', { clientId: 'A', scope: 'read keyward:admin' }));
      await store.tokens.recordToken(makeToken('s2', { clientId: 'A', scope: 'keyward:admin' }));
      await store.tokens.recordToken(makeToken('s3', { clientId: 'A', scope: 'read keyward:admin.x KEYWARD:ADMIN' }));
      await store.tokens.recordToken(makeToken('s4', { clientId: 'A', scope: '' }));
      await store.tokens.recordToken(makeToken('s5', { clientId: 'B', scope: 'keyward:admin' }));
      await store.tokens.recordToken(makeToken('s6', { clientId: 'A', scope: 'a%b keyward:admin' }));
      await store.tokens.revokeToken('s6');
      await store.tokens.recordToken(makeToken('s7', { clientId: 'A', scope: 'read' }));
      assert.equal(await store.tokens.revokeTokensBeyondScopes('A', ['read', 'keyward:admin.x', 'KEYWARD:ADMIN', 'a_b', '%']), 2, 's1 and s2; s6 was already revoked');
      assert.deepEqual(await Promise.all(['s1', 's2', 's3', 's4', 's5', 's7'].map(async (jti) => (await store.tokens.getToken(jti))?.revoked)), [true, true, false, false, false, false]);
      assert.equal(await store.tokens.revokeTokensBeyondScopes('A', ['read']), 1, 's3 now; LIKE wildcards are no help');
      assert.equal((await store.tokens.getToken('s7'))?.revoked, false);
      assert.equal(await store.tokens.revokeTokensBeyondScopes('A', []), 1, 's7; a token without scopes is never beyond');
      assert.equal((await store.tokens.getToken('s4'))?.revoked, false);
    }));

    test('tokens: purge deletes only records that expired before now', withStore(async (store) => {
      await store.tokens.recordToken(makeToken('old', { expiresAt: 1000 }));
      await store.tokens.recordToken(makeToken('edge', { expiresAt: 2000 }));
      await store.tokens.recordToken(makeToken('new', { expiresAt: 3000 }));
      assert.equal(await store.tokens.purgeExpiredTokens(2000), 1);
      assert.equal(await store.tokens.getToken('old'), undefined);
      assert.ok(await store.tokens.getToken('edge'));
      assert.ok(await store.tokens.getToken('new'));
    }));

    // ---- audit ----------------------------------------------------------------------------------
    test('audit: append and query newest first with every filter and the limit', withStore(async (store) => {
      const at = (s: number) => new Date(T0.getTime() + s * 1000);
      await store.audit.appendAudit({ time: at(1), type: 'token.granted', clientId: 'A', keyThumbprint: 'k', sourceAddress: '127.0.0.1', actor: 'cli', details: { scope: 'read', n: 1, nested: { ok: true } } });
      await store.audit.appendAudit({ time: at(2), type: 'token.refused', clientId: 'A', reason: 'jti_replayed' });
      await store.audit.appendAudit({ time: at(3), type: 'token.refused', clientId: 'B', reason: 'aud_mismatch' });
      await store.audit.appendAudit({ time: at(4), type: 'client.created', clientId: 'B' });
      await store.audit.appendAudit({ time: at(5), type: 'token.refused', reason: 'client_unknown' });

      const all = await store.audit.queryAudit({});
      assert.deepEqual(all.map((e) => e.time.getTime()), [5, 4, 3, 2, 1].map((s) => at(s).getTime()));
      assert.ok(all.every((e) => typeof e.id === 'number'));
      const first = all[4];
      assert.deepEqual({ ...first, id: undefined }, { id: undefined, time: at(1), type: 'token.granted', clientId: 'A', keyThumbprint: 'k', sourceAddress: '127.0.0.1', actor: 'cli', details: { scope: 'read', n: 1, nested: { ok: true } } });
      assert.deepEqual((await store.audit.queryAudit({ clientId: 'A' })).map((e) => e.type), ['token.refused', 'token.granted']);
      assert.deepEqual((await store.audit.queryAudit({ type: 'token.refused' })).map((e) => e.reason), ['client_unknown', 'aud_mismatch', 'jti_replayed']);
      assert.deepEqual((await store.audit.queryAudit({ reason: 'aud_mismatch' })).map((e) => e.clientId), ['B']);
      assert.deepEqual((await store.audit.queryAudit({ since: at(4) })).map((e) => e.type), ['token.refused', 'client.created']);
      assert.deepEqual((await store.audit.queryAudit({ type: 'token.refused', clientId: 'B', since: at(2) })).length, 1);
      assert.deepEqual((await store.audit.queryAudit({ limit: 2 })).map((e) => e.time.getTime()), [at(5).getTime(), at(4).getTime()]);
      assert.deepEqual(await store.audit.queryAudit({ limit: 0 }), []);
      assert.deepEqual(await store.audit.queryAudit({ clientId: 'nobody' }), []);
    }));

    test('audit: default limit is 100', withStore(async (store) => {
      for (let i = 0; i < 105; i += 1) await store.audit.appendAudit({ time: new Date(T0.getTime() + i), type: 'x' });
      assert.equal((await store.audit.queryAudit({})).length, 100);
      assert.equal((await store.audit.queryAudit({ limit: 1000 })).length, 105);
    }));

    test('audit: until, and paging by the id cursor visits every event once, newest first', withStore(async (store) => {
      const at = (s: number) => new Date(T0.getTime() + s * 1000);
      for (let i = 1; i <= 25; i += 1) await store.audit.appendAudit({ time: at(i), type: i % 2 === 0 ? 'token.granted' : 'token.refused' });
      assert.deepEqual((await store.audit.queryAudit({ until: at(3) })).map((e) => e.time.getTime()), [3, 2, 1].map((s) => at(s).getTime()));
      assert.deepEqual((await store.audit.queryAudit({ since: at(10), until: at(12) })).length, 3);
      const seen: number[] = [];
      let cursor: number | undefined;
      for (;;) {
        const page = await store.audit.queryAudit({ type: 'token.refused', limit: 4, ...(cursor === undefined ? {} : { beforeId: cursor }) });
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.time.getTime()));
        cursor = page[page.length - 1]!.id;
      }
      const odd = Array.from({ length: 13 }, (_, i) => at(25 - 2 * i).getTime());
      assert.deepEqual(seen, odd, 'every matching event once, newest first, across pages');
    }));

    test('audit: retention purges events older than the cutoff in bounded batches, and nothing newer', withStore(async (store) => {
      const at = (s: number) => new Date(T0.getTime() + s * 1000);
      for (let i = 1; i <= 12; i += 1) await store.audit.appendAudit({ time: at(i), type: 'x' });
      assert.equal(await store.audit.purgeAuditBefore(at(11), 4), 4, 'at most one batch');
      assert.equal(await store.audit.purgeAuditBefore(at(11), 4), 4);
      assert.equal(await store.audit.purgeAuditBefore(at(11), 4), 2, 'the rest of the old events');
      assert.equal(await store.audit.purgeAuditBefore(at(11), 4), 0);
      assert.deepEqual((await store.audit.queryAudit({})).map((e) => e.time.getTime()), [at(12).getTime(), at(11).getTime()]);
    }));

    // ---- initial access tokens ------------------------------------------------------------------
    test('initial access tokens: add, list, consume counts down, then refuses', withStore(async (store) => {
      const now = new Date(T0.getTime() + 1000);
      await store.initialAccessTokens.addInitialAccessToken({ id: 'i1', tokenHash: 'h1', createdAt: T0, usesLeft: 2, scopes: ['register'] });
      await store.initialAccessTokens.addInitialAccessToken({ id: 'i2', tokenHash: 'h2', createdAt: new Date(T0.getTime() + 1) });
      await assert.rejects(store.initialAccessTokens.addInitialAccessToken({ id: 'i1', tokenHash: 'h9', createdAt: T0 }), (e) => isStoreError(e, 'conflict'));
      assert.deepEqual(await store.initialAccessTokens.listInitialAccessTokens(), [
        { id: 'i1', tokenHash: 'h1', createdAt: T0, usesLeft: 2, scopes: ['register'] },
        { id: 'i2', tokenHash: 'h2', createdAt: new Date(T0.getTime() + 1) },
      ]);
      assert.equal((await store.initialAccessTokens.consumeInitialAccessToken('h1', now))?.usesLeft, 1);
      assert.equal((await store.initialAccessTokens.consumeInitialAccessToken('h1', now))?.usesLeft, 0);
      assert.equal(await store.initialAccessTokens.consumeInitialAccessToken('h1', now), undefined, 'used up');
      assert.equal(await store.initialAccessTokens.consumeInitialAccessToken('unknown', now), undefined);
      for (let i = 0; i < 3; i += 1) {
        const unlimited = await store.initialAccessTokens.consumeInitialAccessToken('h2', now);
        assert.equal(unlimited?.id, 'i2');
        assert.equal(unlimited?.usesLeft, undefined);
      }
    }));

    test('initial access tokens: find answers like consume would, without consuming a use', withStore(async (store) => {
      const now = new Date(T0.getTime() + 1000);
      const expiresAt = new Date(T0.getTime() + 60_000);
      await store.initialAccessTokens.addInitialAccessToken({ id: 'f1', tokenHash: 'hf1', createdAt: T0, expiresAt, usesLeft: 1, scopes: ['read'] });
      for (let i = 0; i < 3; i += 1) assert.deepEqual(await store.initialAccessTokens.findInitialAccessToken('hf1', now), { id: 'f1', tokenHash: 'hf1', createdAt: T0, expiresAt, usesLeft: 1, scopes: ['read'] });
      assert.equal(await store.initialAccessTokens.findInitialAccessToken('hf1', expiresAt), undefined, 'expired');
      assert.equal(await store.initialAccessTokens.findInitialAccessToken('unknown', now), undefined);
      assert.equal((await store.initialAccessTokens.consumeInitialAccessToken('hf1', now))?.usesLeft, 0, 'finding did not use it');
      assert.equal(await store.initialAccessTokens.findInitialAccessToken('hf1', now), undefined, 'used up');
    }));

    test('initial access tokens: an expired token is refused', withStore(async (store) => {
      const expiresAt = new Date(T0.getTime() + 60_000);
      await store.initialAccessTokens.addInitialAccessToken({ id: 'e', tokenHash: 'he', createdAt: T0, expiresAt, usesLeft: 5 });
      assert.ok(await store.initialAccessTokens.consumeInitialAccessToken('he', new Date(expiresAt.getTime() - 1)));
      assert.equal(await store.initialAccessTokens.consumeInitialAccessToken('he', expiresAt), undefined);
      assert.equal(await store.initialAccessTokens.consumeInitialAccessToken('he', new Date(expiresAt.getTime() + 1)), undefined);
    }));

    test('initial access tokens: 20 concurrent consumes of a 1-use token, exactly one wins', withStore(async (store, opened) => {
      await store.initialAccessTokens.addInitialAccessToken({ id: 'once', tokenHash: 'h-once', createdAt: T0, usesLeft: 1 });
      const peers = await openPeers(opened, 3);
      try {
        const stores = [store, ...peers];
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
          (stores[i % stores.length] as Store).initialAccessTokens.consumeInitialAccessToken('h-once', new Date(T0.getTime() + 1))));
        assert.equal(results.filter((r) => r !== undefined).length, 1);
      } finally {
        await Promise.all(peers.map((p) => p.close()));
      }
    }));

    // ---- replay ---------------------------------------------------------------------------------
    test('replay: the same (client_id, jti) twice, the second is refused (RFC 7523 §3 (7))', withStore(async (store) => {
      const exp = Math.floor(Date.now() / 1000) + 300;
      assert.equal(await store.replay.reserve('c1', 'jti-1', exp), true);
      assert.equal(await store.replay.reserve('c1', 'jti-1', exp), false);
      assert.equal(await store.replay.reserve('c1', 'jti-1', exp + 1000), false);
    }));

    test('replay: the same jti for two clients, both reserve', withStore(async (store) => {
      const exp = Math.floor(Date.now() / 1000) + 300;
      assert.equal(await store.replay.reserve('c1', 'shared', exp), true);
      assert.equal(await store.replay.reserve('c2', 'shared', exp), true);
      // The key is not a naive concatenation: ("a\0b", "c") and ("a", "b\0c") stay apart.
      assert.equal(await store.replay.reserve('ab', 'c', exp), true);
      assert.equal(await store.replay.reserve('a', 'bc', exp), true);
    }));

    test('replay: an expired reservation is purged (or expires by itself) and the jti is free again', withStore(async (store, opened) => {
      const now = Math.floor(Date.now() / 1000);
      assert.equal(await store.replay.reserve('c1', 'short', now + 1), true);
      assert.equal(await store.replay.reserve('c1', 'long', now + 3600), true);
      const purged = await store.replay.purgeExpired(now + 10);
      assert.ok(purged === 1 || purged === 0, `purged ${purged}`);
      assert.equal(await store.replay.reserve('c1', 'long', now + 3600), false, 'an unexpired reservation survives the purge');
      if (purged === 0 || opened.replayExpiresByItself) await new Promise((r) => setTimeout(r, 2100)); // Redis expires keys itself
      assert.equal(await store.replay.reserve('c1', 'short', now + 300), true);
    }));

    test('replay: a reservation whose expiry is already past still blocks an immediate duplicate', withStore(async (store) => {
      const past = Math.floor(Date.now() / 1000) - 100;
      assert.equal(await store.replay.reserve('c1', 'late', past), true);
      assert.equal(await store.replay.reserve('c1', 'late', past), false);
    }));

    test('replay: THE RACE, 50 concurrent reserves of one jti over separate connections, exactly one wins', withStore(async (store, opened) => {
      const peers = await openPeers(opened, 4);
      try {
        const stores = [store, ...peers];
        const exp = Math.floor(Date.now() / 1000) + 300;
        for (let round = 0; round < 3; round += 1) {
          const jti = `race-${round}-${randomUUID()}`;
          const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (stores[i % stores.length] as Store).replay.reserve('racer', jti, exp)));
          assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${results.filter(Boolean).length} winners`);
        }
      } finally {
        await Promise.all(peers.map((p) => p.close()));
      }
    }));

    // ---- users ----------------------------------------------------------------------------------
    test('users: create, get, find by username case-insensitively (every field round-trips)', withStore(async (store) => {
      const full = makeUser('sub-full', 'Alice.Smith', {
        name: 'Alice Smith', email: 'alice@example.com', status: 'disabled', requirePasskey: true,
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', lastSignInAt: new Date(T0.getTime() + 5),
      });
      await store.users.createUser(full);
      await store.users.createUser(makeUser('sub-min', 'bob'));
      assert.deepEqual(await store.users.getUser('sub-full'), full);
      assert.deepEqual(await store.users.getUser('sub-min'), makeUser('sub-min', 'bob'));
      assert.deepEqual(await store.users.findUserByUsername('alice.smith'), full);
      assert.deepEqual(await store.users.findUserByUsername('ALICE.SMITH'), full);
      assert.equal(await store.users.findUserByUsername('carol'), undefined);
      assert.equal(await store.users.getUser('nobody'), undefined);
    }));

    test('users: a username taken in another case, or a known sub, is a conflict and keeps the first', withStore(async (store) => {
      await store.users.createUser(makeUser('s1', 'alice'));
      await assert.rejects(store.users.createUser(makeUser('s2', 'ALICE')), (e) => isStoreError(e, 'conflict'));
      await assert.rejects(store.users.createUser(makeUser('s1', 'other')), (e) => isStoreError(e, 'conflict'));
      assert.equal(await store.users.getUser('s2'), undefined);
      assert.equal(await store.users.findUserByUsername('other'), undefined);
      assert.equal((await store.users.findUserByUsername('alice'))?.sub, 's1');
    }));

    test('users: list is ordered by lower-case username with limit and after', withStore(async (store) => {
      for (const [sub, username] of [['a', 'carol'], ['b', 'Alice'], ['c', 'dave'], ['d', 'bob']] as const) await store.users.createUser(makeUser(sub, username));
      assert.deepEqual((await store.users.listUsers()).map((u) => u.username), ['Alice', 'bob', 'carol', 'dave']);
      assert.deepEqual((await store.users.listUsers({ limit: 2 })).map((u) => u.username), ['Alice', 'bob']);
      assert.deepEqual((await store.users.listUsers({ after: 'BOB', limit: 1 })).map((u) => u.username), ['carol']);
      assert.deepEqual(await store.users.listUsers({ after: 'dave' }), []);
    }));

    test('users: update patches, clears optional fields given as undefined, renames only to a free username', withStore(async (store) => {
      await store.users.createUser(makeUser('u1', 'alice', { name: 'A', email: 'a@example.com', passwordHash: 'h1' }));
      await store.users.createUser(makeUser('u2', 'bob'));
      const later = new Date(T0.getTime() + 60_000);
      const updated = await store.users.updateUser('u1', { username: 'Alicia', email: undefined, status: 'disabled', requirePasskey: true, passwordHash: 'h2', updatedAt: later });
      const expected = makeUser('u1', 'Alicia', { name: 'A', status: 'disabled', requirePasskey: true, passwordHash: 'h2', updatedAt: later });
      assert.deepEqual(updated, expected);
      assert.deepEqual(await store.users.getUser('u1'), expected);
      assert.equal(await store.users.findUserByUsername('alice'), undefined, 'the old username is free again');
      assert.equal((await store.users.findUserByUsername('ALICIA'))?.sub, 'u1');
      await assert.rejects(store.users.updateUser('u2', { username: 'alicia' }), (e) => isStoreError(e, 'conflict'));
      assert.equal((await store.users.getUser('u2'))?.username, 'bob');
      const bumped = await store.users.updateUser('u2', { name: 'Bob' });
      assert.ok(bumped && bumped.updatedAt.getTime() > later.getTime(), 'updatedAt defaults to now');
      assert.equal(await store.users.updateUser('nobody', { name: 'x' }), undefined);
    }));

    test('users: passkeys are added, listed oldest first, used, deleted; ids are unique across users', withStore(async (store) => {
      await store.users.createUser(makeUser('p1', 'alice'));
      await store.users.createUser(makeUser('p2', 'bob'));
      await store.users.addPasskey(makePasskey('p1', 2));
      await store.users.addPasskey(makePasskey('p1', 1, { transports: [] }));
      await assert.rejects(store.users.addPasskey(makePasskey('p2', 1)), (e) => isStoreError(e, 'conflict'));
      await assert.rejects(store.users.addPasskey(makePasskey('nobody', 9)), (e) => isStoreError(e, 'not_found'));
      assert.deepEqual(await store.users.listPasskeys('p1'), [makePasskey('p1', 1, { transports: [] }), makePasskey('p1', 2)]);
      assert.deepEqual(await store.users.listPasskeys('p2'), []);
      const used = new Date(T0.getTime() + 1000);
      assert.equal(await store.users.recordPasskeyUse('cred-2', 7, used), true);
      assert.equal(await store.users.recordPasskeyUse('cred-none', 7, used), false);
      assert.deepEqual(await store.users.findPasskey('cred-2'), makePasskey('p1', 2, { counter: 7, lastUsedAt: used }));
      assert.equal(await store.users.deletePasskey('p2', 'cred-2'), false, 'another user cannot delete it');
      assert.equal(await store.users.deletePasskey('p1', 'cred-2'), true);
      assert.equal(await store.users.findPasskey('cred-2'), undefined);
    }));

    test('users: a passkey enrolment is found until used or expired, used exactly once under a race, and goes with its user', withStore(async (store) => {
      await store.users.createUser(makeUser('e1', 'erin'));
      const enrolment = { tokenHash: 'th-1', sub: 'e1', createdAt: T0, expiresAt: new Date(T0.getTime() + 900_000) };
      await store.users.putPasskeyEnrolment(enrolment);
      await assert.rejects(store.users.putPasskeyEnrolment({ ...enrolment, sub: 'nobody', tokenHash: 'th-2' }), (e) => isStoreError(e, 'not_found'));
      const during = new Date(T0.getTime() + 60_000);
      assert.deepEqual(await store.users.findPasskeyEnrolment('th-1', during), enrolment);
      assert.equal(await store.users.findPasskeyEnrolment('th-1', new Date(T0.getTime() + 900_000)), undefined, 'expired');
      assert.equal(await store.users.consumePasskeyEnrolment('th-1', new Date(T0.getTime() + 900_000)), undefined, 'an expired one is not used');
      const results = await Promise.all(Array.from({ length: 10 }, () => store.users.consumePasskeyEnrolment('th-1', during)));
      assert.equal(results.filter((r) => r !== undefined).length, 1, 'exactly one use wins');
      assert.deepEqual(results.find((r) => r !== undefined), enrolment);
      assert.equal(await store.users.findPasskeyEnrolment('th-1', during), undefined, 'a used one is gone');
      assert.equal(await store.users.consumePasskeyEnrolment('unknown', during), undefined);
      await store.users.putPasskeyEnrolment({ ...enrolment, tokenHash: 'th-3' });
      await store.users.deleteUser('e1');
      assert.equal(await store.users.findPasskeyEnrolment('th-3', during), undefined, 'deleted with the user');
    }));

    test('users: expired passkey enrolments are purged, live ones kept', withStore(async (store) => {
      await store.users.createUser(makeUser('e2', 'eve'));
      const at = (ms: number) => new Date(T0.getTime() + ms);
      await store.users.putPasskeyEnrolment({ tokenHash: 'old', sub: 'e2', createdAt: T0, expiresAt: at(1000) });
      await store.users.putPasskeyEnrolment({ tokenHash: 'live', sub: 'e2', createdAt: T0, expiresAt: at(900_000) });
      assert.equal(await store.users.purgeExpiredPasskeyEnrolments(at(1000)), 1);
      assert.equal(await store.users.purgeExpiredPasskeyEnrolments(at(1000)), 0);
      assert.ok(await store.users.findPasskeyEnrolment('live', at(2000)));
    }));

    test('users: delete removes the user, its passkeys and its sessions; the username is free again', withStore(async (store) => {
      const now = Date.now();
      await store.users.createUser(makeUser('d1', 'alice'));
      await store.users.addPasskey(makePasskey('d1', 1));
      await store.signInSessions.createSession(makeSession('h-d1', 'd1', now));
      assert.equal(await store.users.deleteUser('d1'), true);
      assert.equal(await store.users.getUser('d1'), undefined);
      assert.equal(await store.users.findPasskey('cred-1'), undefined);
      assert.equal(await store.signInSessions.touchSession('h-d1', new Date(now), new Date(now + 1000)), undefined);
      assert.equal(await store.users.deleteUser('d1'), false);
      await store.users.createUser(makeUser('d2', 'ALICE'));
      assert.equal((await store.users.findUserByUsername('alice'))?.sub, 'd2');
    }));

    // ---- sign-in sessions -----------------------------------------------------------------------
    test('sessions: touch returns the live session and moves its idle expiry; unknown is undefined', withStore(async (store) => {
      const now = Date.now();
      await store.users.createUser(makeUser('s1', 'alice'));
      const session = makeSession('h1', 's1', now, { amr: ['pwd', 'hwk'] });
      await store.signInSessions.createSession(session);
      await assert.rejects(store.signInSessions.createSession(session), (e) => isStoreError(e, 'conflict'));
      await assert.rejects(store.signInSessions.createSession(makeSession('h2', 'nobody', now)), (e) => isStoreError(e, 'not_found'));
      const touched = await store.signInSessions.touchSession('h1', new Date(now + 1000), new Date(now + 1_801_000));
      assert.deepEqual(touched, { ...session, lastSeenAt: new Date(now + 1000), idleExpiresAt: new Date(now + 1_801_000) });
      assert.equal(await store.signInSessions.touchSession('unknown', new Date(now), new Date(now + 1000)), undefined);
    }));

    test('sessions: an idle or absolutely expired session is never revived by a touch, and is purged', withStore(async (store) => {
      const now = Date.now();
      await store.users.createUser(makeUser('s1', 'alice'));
      await store.signInSessions.createSession(makeSession('idle', 's1', now, { idleExpiresAt: new Date(now + 1000) }));
      await store.signInSessions.createSession(makeSession('absolute', 's1', now, { absoluteExpiresAt: new Date(now + 1000) }));
      await store.signInSessions.createSession(makeSession('live', 's1', now));
      const later = new Date(now + 2000);
      assert.equal(await store.signInSessions.touchSession('idle', later, new Date(now + 999_999)), undefined);
      assert.equal(await store.signInSessions.touchSession('absolute', later, new Date(now + 999_999)), undefined);
      assert.equal(await store.signInSessions.purgeExpiredSessions(later), 2);
      assert.ok(await store.signInSessions.touchSession('live', later, new Date(now + 999_999)));
    }));

    test('sessions: delete one, or every session of a user', withStore(async (store) => {
      const now = Date.now();
      await store.users.createUser(makeUser('s1', 'alice'));
      await store.users.createUser(makeUser('s2', 'bob'));
      for (const [hash, sub] of [['a', 's1'], ['b', 's1'], ['c', 's2']] as const) await store.signInSessions.createSession(makeSession(hash, sub, now));
      assert.equal(await store.signInSessions.deleteSession('a'), true);
      assert.equal(await store.signInSessions.deleteSession('a'), false);
      assert.equal(await store.signInSessions.deleteUserSessions('s1'), 1);
      assert.equal(await store.signInSessions.touchSession('b', new Date(now), new Date(now + 1000)), undefined);
      assert.ok(await store.signInSessions.touchSession('c', new Date(now), new Date(now + 1000)));
    }));

    // ---- the authorization-code flow (migration 0005) --------------------------------------------
    test('clients: the authorization-code fields round-trip and can be cleared', withStore(async (store) => {
      const client = makeClient('c-code', {
        grantTypes: ['authorization_code', 'refresh_token'], redirectUris: ['https://rp.example/cb', 'https://rp.example/cb2'],
        postLogoutRedirectUris: ['https://rp.example/bye'], responseTypes: ['code'], idTokenSignedResponseAlg: 'ES256',
        requirePushedAuthorizationRequests: true, consent: 'implicit',
      });
      await store.clients.createClient(client);
      assert.deepEqual(await store.clients.getClient('c-code'), client);
      const updated = await store.clients.updateClient('c-code', { requirePushedAuthorizationRequests: false, idTokenSignedResponseAlg: undefined, updatedAt: T0 });
      assert.equal(updated?.requirePushedAuthorizationRequests, false);
      assert.equal((await store.clients.getClient('c-code'))?.idTokenSignedResponseAlg, undefined);
    }));

    test('clients: key_max_age_days (migration 0007) round-trips and can be cleared', withStore(async (store) => {
      const client = makeClient('c-age', { keyMaxAgeDays: 90 });
      await store.clients.createClient(client);
      assert.deepEqual(await store.clients.getClient('c-age'), client);
      assert.equal((await store.clients.updateClient('c-age', { keyMaxAgeDays: 30, updatedAt: T0 }))?.keyMaxAgeDays, 30);
      await store.clients.updateClient('c-age', { keyMaxAgeDays: undefined, updatedAt: T0 });
      assert.equal((await store.clients.getClient('c-age'))?.keyMaxAgeDays, undefined);
    }));

    test('authorizations: a request is read until it expires and consumed once', withStore(async (store) => {
      await store.authorizations.putRequest({ id: 'r1', clientId: 'c1', request: { scope: 'openid', nested: { a: 1 } }, createdAt: 1000, expiresAt: 1060 });
      assert.deepEqual((await store.authorizations.getRequest('r1', 1030))?.request, { scope: 'openid', nested: { a: 1 } });
      assert.equal(await store.authorizations.getRequest('r1', 1061), undefined);
      assert.equal(await store.authorizations.consumeRequest('r1', 1061), undefined, 'expired');
      const results = await Promise.all(Array.from({ length: 10 }, () => store.authorizations.consumeRequest('r1', 1030)));
      assert.equal(results.filter((r) => r !== undefined).length, 1, 'exactly one consume wins');
      assert.equal(await store.authorizations.getRequest('r1', 1030), undefined, 'a used request is gone');
      await assert.rejects(store.authorizations.putRequest({ id: 'r1', clientId: 'c1', request: {}, createdAt: 1, expiresAt: 2 }), (e) => isStoreError(e, 'conflict'));
    }));

    test('authorizations: the grants of one end user\'s codes at one client', withStore(async (store) => {
      const code = { codeHash: 'g1', clientId: 'c1', grantId: 'grant-a', redirectUri: 'https://rp/cb', codeChallenge: 'x'.repeat(43), sub: 'u1', scopes: ['openid'], authTime: 5, expiresAt: 1060 };
      await store.authorizations.putCode(code);
      await store.authorizations.putCode({ ...code, codeHash: 'g2', grantId: 'grant-b' });
      await store.authorizations.putCode({ ...code, codeHash: 'g3', grantId: 'grant-c', sub: 'u2' });
      await store.authorizations.putCode({ ...code, codeHash: 'g4', grantId: 'grant-d', clientId: 'c2' });
      await store.authorizations.consumeCode('g2');
      assert.deepEqual(await store.authorizations.listCodeGrantsOf('u1', 'c1'), ['grant-a', 'grant-b'], 'used or not');
      assert.deepEqual(await store.authorizations.listCodeGrantsOf('u1', 'c3'), []);
    }));

    test('authorizations: a code is consumed once; a second use says so and still returns the record', withStore(async (store) => {
      const code = { codeHash: 'h1', clientId: 'c1', grantId: 'g1', redirectUri: 'https://rp/cb', codeChallenge: 'x'.repeat(43), sub: 'u1', scopes: ['openid'], nonce: 'n', authTime: 5, amr: ['pwd'], sessionId: 's', consentCreatedAt: 1_700_000_000_123, expiresAt: 1060 };
      await store.authorizations.putCode(code);
      const results = await Promise.all(Array.from({ length: 10 }, () => store.authorizations.consumeCode('h1')));
      assert.equal(results.filter((r) => r?.firstUse).length, 1, 'exactly one first use');
      assert.deepEqual(results[0]?.record, code);
      assert.equal(await store.authorizations.consumeCode('unknown'), undefined);
    }));

    test('authorizations: refresh tokens rotate once, a family is revoked at once, and tokens of a grant are revoked', withStore(async (store) => {
      const token = { tokenHash: 't1', clientId: 'c1', grantId: 'g1', sub: 'u1', scopes: ['openid', 'offline_access'], authTime: 5, issuedAt: 10, expiresAt: 5000 };
      await store.authorizations.putRefreshToken(token);
      await store.authorizations.putRefreshToken({ ...token, tokenHash: 't2' });
      await store.authorizations.putRefreshToken({ ...token, tokenHash: 't3', grantId: 'g2' });
      assert.deepEqual(await store.authorizations.findRefreshToken('t1'), token);
      assert.equal(await store.authorizations.findRefreshToken('nope'), undefined);
      assert.deepEqual(await store.authorizations.consumeRefreshToken('t1'), { record: token, firstUse: true });
      assert.equal((await store.authorizations.consumeRefreshToken('t1'))?.firstUse, false);
      assert.equal(await store.authorizations.revokeRefreshTokens('g1'), 2);
      assert.equal((await store.authorizations.consumeRefreshToken('t2'))?.firstUse, false, 'a revoked family cannot be used');
      assert.equal((await store.authorizations.consumeRefreshToken('t3'))?.firstUse, true, 'another family is untouched');
      await store.authorizations.putRefreshToken({ ...token, tokenHash: 't4', grantId: 'g3' });
      await store.authorizations.putRefreshToken({ ...token, tokenHash: 't5', grantId: 'g4', clientId: 'c2' });
      assert.deepEqual(await store.authorizations.revokeRefreshTokensOf('u1', 'c1'), ['g2', 'g3'], 'the grants of this user at this client with a usable token');
      assert.equal((await store.authorizations.consumeRefreshToken('t4'))?.firstUse, false);
      assert.equal((await store.authorizations.consumeRefreshToken('t5'))?.firstUse, true, 'another client is untouched');
      await store.tokens.recordToken(makeToken('a1', { grantId: 'g1' }));
      await store.tokens.recordToken(makeToken('a2', { grantId: 'g2' }));
      await store.tokens.recordToken(makeToken('a3'));
      assert.equal((await store.tokens.getToken('a1'))?.grantId, 'g1');
      assert.equal(await store.tokens.revokeTokensByGrant('g1'), 1);
      assert.equal((await store.tokens.getToken('a1'))?.revoked, true);
      assert.equal((await store.tokens.getToken('a2'))?.revoked, false);
      assert.equal((await store.tokens.getToken('a3'))?.revoked, false);
    }));

    test('authorizations: consents are remembered per (sub, client), replaced, listed and deleted; expired records are purged', withStore(async (store) => {
      const t1 = new Date(T0.getTime() + 1000);
      await store.authorizations.putConsent({ sub: 'u1', clientId: 'c2', scopes: ['openid'], createdAt: T0, updatedAt: T0 });
      await store.authorizations.putConsent({ sub: 'u1', clientId: 'c1', scopes: ['openid'], createdAt: T0, updatedAt: T0 });
      await store.authorizations.putConsent({ sub: 'u1', clientId: 'c1', scopes: ['openid', 'email'], createdAt: t1, updatedAt: t1 });
      assert.deepEqual(await store.authorizations.getConsent('u1', 'c1'), { sub: 'u1', clientId: 'c1', scopes: ['openid', 'email'], createdAt: T0, updatedAt: t1 });
      assert.deepEqual((await store.authorizations.listConsents('u1')).map((c) => c.clientId), ['c1', 'c2']);
      assert.equal(await store.authorizations.deleteConsent('u1', 'c1'), true);
      assert.equal(await store.authorizations.deleteConsent('u1', 'c1'), false);
      assert.equal(await store.authorizations.getConsent('u1', 'c1'), undefined);
      await store.authorizations.putRequest({ id: 'old', clientId: 'c1', request: {}, createdAt: 1, expiresAt: 100 });
      await store.authorizations.putRefreshToken({ tokenHash: 'old', clientId: 'c1', grantId: 'g', sub: 'u', scopes: [], authTime: 1, issuedAt: 1, expiresAt: 100 });
      await store.authorizations.putCode({ codeHash: 'old', clientId: 'c1', grantId: 'g', redirectUri: 'https://rp/cb', codeChallenge: 'c', sub: 'u', scopes: [], authTime: 1, expiresAt: 100 });
      assert.equal(await store.authorizations.purgeExpired(200), 2, 'a code is kept a day after it expires, to recognise its reuse');
      assert.equal((await store.authorizations.consumeCode('old'))?.firstUse, true);
      assert.equal(await store.authorizations.purgeExpired(200 + 86_400), 1);
    }));

    // ---- alerts ---------------------------------------------------------------------------------
    test('alerts: raise stores every field; the same id again keeps the first and answers false', withStore(async (store) => {
      const full = makeAlert('a-full', {
        keyThumbprint: 'thumb-1', source: '203.0.113.0/24', details: { grants: 120, note: 'x' }, updatedBy: 'admin-1',
        deliveries: [{ url: 'https://hooks.example/a', state: 'pending', attempts: 0 }],
      });
      assert.equal(await store.alerts.raiseAlert(full), true);
      assert.deepEqual(await store.alerts.getAlert('a-full'), full);
      assert.equal(await store.alerts.raiseAlert(makeAlert('a-full', { observed: 999, kind: 'replay_burst' })), false);
      assert.deepEqual(await store.alerts.getAlert('a-full'), full, 'the second raise changed nothing');
      const bare = makeAlert('a-bare', { clientId: undefined, expected: undefined, kind: 'key_expiring' });
      delete (bare as { clientId?: string }).clientId;
      delete (bare as { expected?: number }).expected;
      await store.alerts.raiseAlert(bare);
      assert.deepEqual(await store.alerts.getAlert('a-bare'), bare);
      assert.equal(await store.alerts.getAlert('unknown'), undefined);
    }));

    test('alerts: 20 concurrent raises of one id over separate connections, exactly one stores it', withStore(async (store, opened) => {
      const peers = await openPeers(opened, 3);
      try {
        const stores = [store, ...peers];
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
          (stores[i % stores.length] as Store).alerts.raiseAlert(makeAlert('raced', { observed: i }))));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal((await store.alerts.listAlerts({})).length, 1);
      } finally {
        await Promise.all(peers.map((p) => p.close()));
      }
    }));

    test('alerts: list newest first (raisedAt, then id), with filters, the beforeId cursor and the limit', withStore(async (store) => {
      const at = (n: number): Date => new Date(T0.getTime() + n * 1000);
      await store.alerts.raiseAlert(makeAlert('a1', { raisedAt: at(1), kind: 'replay_burst', clientId: 'c1' }));
      await store.alerts.raiseAlert(makeAlert('a2', { raisedAt: at(2), kind: 'issuance_spike', clientId: 'c2' }));
      await store.alerts.raiseAlert(makeAlert('b2', { raisedAt: at(2), kind: 'issuance_spike', clientId: 'c1', state: 'acknowledged' }));
      await store.alerts.raiseAlert(makeAlert('a3', { raisedAt: at(3), kind: 'replay_burst', clientId: 'c2', state: 'resolved' }));
      const ids = async (q: Parameters<Store['alerts']['listAlerts']>[0]): Promise<string[]> => (await store.alerts.listAlerts(q)).map((a) => a.id);
      assert.deepEqual(await ids({}), ['a3', 'b2', 'a2', 'a1'], 'same raisedAt: the greater id first');
      assert.deepEqual(await ids({ state: 'open' }), ['a2', 'a1']);
      assert.deepEqual(await ids({ kind: 'replay_burst' }), ['a3', 'a1']);
      assert.deepEqual(await ids({ clientId: 'c1' }), ['b2', 'a1']);
      assert.deepEqual(await ids({ clientId: 'c2', kind: 'issuance_spike', state: 'open' }), ['a2']);
      assert.deepEqual(await ids({ limit: 2 }), ['a3', 'b2']);
      assert.deepEqual(await ids({ beforeId: 'b2', limit: 2 }), ['a2', 'a1'], 'the cursor continues strictly after that alert');
      assert.deepEqual(await ids({ beforeId: 'a3', clientId: 'c1' }), ['b2', 'a1']);
      assert.deepEqual(await ids({ beforeId: 'a1' }), []);
      assert.deepEqual(await ids({ beforeId: 'unknown' }), [], 'an unknown cursor answers an empty page');
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await store.alerts.listAlerts({ limit: 1, ...(cursor === undefined ? {} : { beforeId: cursor }) });
        if (page.length === 0) break;
        seen.push(...page.map((a) => a.id));
        cursor = page.at(-1)?.id;
      }
      assert.deepEqual(seen, ['a3', 'b2', 'a2', 'a1'], 'paging visits every alert once');
    }));

    test('alerts: the default limit is 100 and at most 1000 come back', withStore(async (store) => {
      for (let i = 0; i < 1005; i += 1) await store.alerts.raiseAlert(makeAlert(`bulk-${String(i).padStart(4, '0')}`));
      assert.equal((await store.alerts.listAlerts({})).length, 100);
      assert.equal((await store.alerts.listAlerts({ limit: 5000 })).length, 1000);
    }));

    test('alerts: count by state (every state present, zero included)', withStore(async (store) => {
      assert.deepEqual(await store.alerts.countAlerts(), { open: 0, acknowledged: 0, resolved: 0 });
      await store.alerts.raiseAlert(makeAlert('o1'));
      await store.alerts.raiseAlert(makeAlert('o2'));
      await store.alerts.raiseAlert(makeAlert('r1', { state: 'resolved' }));
      assert.deepEqual(await store.alerts.countAlerts(), { open: 2, acknowledged: 0, resolved: 1 });
    }));

    test('alerts: setAlertState moves the state and records who and when; unknown is undefined', withStore(async (store) => {
      await store.alerts.raiseAlert(makeAlert('s1'));
      const at = new Date(T0.getTime() + 3_600_000);
      const moved = await store.alerts.setAlertState('s1', 'acknowledged', 'admin-7', at);
      assert.deepEqual(moved, { ...makeAlert('s1'), state: 'acknowledged', updatedBy: 'admin-7', updatedAt: at });
      assert.deepEqual(await store.alerts.getAlert('s1'), moved);
      assert.equal(await store.alerts.setAlertState('nope', 'resolved', 'x', at), undefined);
    }));

    test('alerts: setAlertState with `from` moves only out of those states; of 20 concurrent moves exactly one wins', withStore(async (store, opened) => {
      await store.alerts.raiseAlert(makeAlert('f1', { state: 'resolved' }));
      const at = new Date(T0.getTime() + 3_600_000);
      assert.equal(await store.alerts.setAlertState('f1', 'acknowledged', 'x', at, ['open']), undefined);
      assert.equal((await store.alerts.getAlert('f1'))?.state, 'resolved', 'a refused move changes nothing');
      assert.equal(await store.alerts.setAlertState('f1', 'open', 'x', at, []), undefined);
      assert.equal((await store.alerts.setAlertState('f1', 'open', 'x', at, ['acknowledged', 'resolved']))?.state, 'open');
      await store.alerts.raiseAlert(makeAlert('f2'));
      const peers = await openPeers(opened, 3);
      try {
        const stores = [store, ...peers];
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
          (stores[i % stores.length] as Store).alerts.setAlertState('f2', 'acknowledged', `admin-${i}`, at, ['open'])));
        assert.equal(results.filter((r) => r !== undefined).length, 1);
      } finally {
        await Promise.all(peers.map((p) => p.close()));
      }
    }));

    test('alerts: setAlertDeliveries replaces the delivery statuses (every field round-trips)', withStore(async (store) => {
      await store.alerts.raiseAlert(makeAlert('d1', { deliveries: [{ url: 'https://a.example/h', state: 'pending', attempts: 0 }] }));
      const deliveries = [
        { url: 'https://a.example/h', state: 'failed' as const, attempts: 3, lastAttemptAt: new Date(T0.getTime() + 5000), nextAttemptAt: new Date(T0.getTime() + 65_000), lastError: 'HTTP 503' },
        { url: 'https://b.example/h', state: 'delivered' as const, attempts: 1, lastAttemptAt: new Date(T0.getTime() + 4000) },
      ];
      await store.alerts.setAlertDeliveries('d1', deliveries, undefined);
      assert.deepEqual((await store.alerts.getAlert('d1'))?.deliveries, deliveries);
      await store.alerts.setAlertDeliveries('unknown', deliveries, undefined);
      assert.equal(await store.alerts.getAlert('unknown'), undefined, 'no alert is created by a delivery update');
    }));

    test('alerts: a pending delivery is claimed only once its lease ended, oldest first, and then held until the new lease', withStore(async (store) => {
      const at = (s: number): Date => new Date(T0.getTime() + s * 1000);
      const pending = [{ url: 'https://a.example/h', state: 'pending' as const, attempts: 1, lastError: 'HTTP 503' }];
      for (const id of ['l1', 'l2', 'l3', 'l4']) await store.alerts.raiseAlert(makeAlert(id));
      assert.deepEqual(await store.alerts.claimPendingDeliveries(at(1000), at(2000), 10), [], 'a raised alert has no delivery to take over');
      await store.alerts.setAlertDeliveries('l1', pending, at(30));
      await store.alerts.setAlertDeliveries('l2', pending, at(10));
      await store.alerts.setAlertDeliveries('l3', pending, at(100));
      await store.alerts.setAlertDeliveries('l4', [{ ...pending[0]!, state: 'delivered' }], undefined);
      assert.deepEqual(await store.alerts.claimPendingDeliveries(at(9), at(200), 10), [], 'no lease has ended');
      const first = await store.alerts.claimPendingDeliveries(at(30), at(200), 10);
      assert.deepEqual(first.map((a) => a.id), ['l2', 'l1'], 'the leases ended by then, oldest first');
      assert.deepEqual(first[0]!.deliveries, pending, 'with the deliveries so far');
      assert.deepEqual(await store.alerts.claimPendingDeliveries(at(99), at(300), 10), [], 'held until the new lease ends (and l3 until its own)');
      assert.deepEqual((await store.alerts.claimPendingDeliveries(at(200), at(300), 1)).map((a) => a.id), ['l3'], 'at most limit, oldest lease first');
      await store.alerts.setAlertDeliveries('l1', [{ ...pending[0]!, state: 'delivered' }], undefined);
      assert.deepEqual((await store.alerts.claimPendingDeliveries(at(10_000), at(20_000), 10)).map((a) => a.id), ['l2', 'l3'], 'nothing pending: never claimed again');
    }));

    test('alerts: 12 concurrent claims of the same pending deliveries over separate connections take each alert once', withStore(async (store, opened) => {
      const peers = await openPeers(opened, 3);
      try {
        const ids = Array.from({ length: 8 }, (_, i) => `c${i}`);
        for (const id of ids) {
          await store.alerts.raiseAlert(makeAlert(id));
          await store.alerts.setAlertDeliveries(id, [{ url: 'https://a.example/h', state: 'pending', attempts: 0 }], T0);
        }
        const stores = [store, ...peers];
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) =>
          (stores[i % stores.length] as Store).alerts.claimPendingDeliveries(new Date(T0.getTime() + 1000), new Date(T0.getTime() + 60_000), 100)));
        assert.deepEqual(results.flat().map((a) => a.id).sort(), ids);
      } finally {
        await Promise.all(peers.map((p) => p.close()));
      }
    }));

    test('client activity: answers the first use, the last use, the network\'s last use and the key\'s first use', withStore(async (store) => {
      const at = (n: number): Date => new Date(T0.getTime() + n * 1000);
      assert.deepEqual(await store.alerts.recordClientActivity({ clientId: 'c1', network: '198.51.100.0/24', keyThumbprint: 'k1', at: at(1) }),
        { keyFirstUse: true }, 'the very first use');
      assert.deepEqual(await store.alerts.recordClientActivity({ clientId: 'c1', network: '198.51.100.0/24', keyThumbprint: 'k1', at: at(5) }),
        { clientFirstSeen: at(1), clientLastSeen: at(1), networkLastSeen: at(1), keyFirstUse: false });
      assert.deepEqual(await store.alerts.recordClientActivity({ clientId: 'c1', network: '2001:db8::/48', keyThumbprint: 'k2', at: at(9) }),
        { clientFirstSeen: at(1), clientLastSeen: at(5), keyFirstUse: true }, 'a new network and a new key');
      assert.deepEqual(await store.alerts.recordClientActivity({ clientId: 'c1', at: at(7) }),
        { clientFirstSeen: at(1), clientLastSeen: at(9), keyFirstUse: false }, 'no network and no key given');
      assert.deepEqual(await store.alerts.recordClientActivity({ clientId: 'c1', network: '2001:db8::/48', at: at(12) }),
        { clientFirstSeen: at(1), clientLastSeen: at(9), networkLastSeen: at(9), keyFirstUse: false }, 'an earlier time never moves last seen back');
      assert.deepEqual(await store.alerts.recordClientActivity({ clientId: 'c2', keyThumbprint: 'k1', at: at(12) }),
        { keyFirstUse: true }, 'activity is per client, keys too');
    }));

    test('client activity: deleting a client forgets its activity', withStore(async (store) => {
      await store.clients.createClient(makeClient('gone'));
      await store.alerts.recordClientActivity({ clientId: 'gone', network: 'n', keyThumbprint: 'k', at: T0 });
      assert.equal(await store.clients.deleteClient('gone'), true);
      assert.deepEqual(await store.alerts.recordClientActivity({ clientId: 'gone', network: 'n', keyThumbprint: 'k', at: T0 }), { keyFirstUse: true });
    }));

    test('client activity: 20 concurrent first uses of one key over separate connections, exactly one is the first', withStore(async (store, opened) => {
      const peers = await openPeers(opened, 3);
      try {
        const stores = [store, ...peers];
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (stores[i % stores.length] as Store).alerts.recordClientActivity({
          clientId: 'busy', network: '192.0.2.0/24', keyThumbprint: 'fresh', at: new Date(T0.getTime() + i),
        })));
        assert.equal(results.filter((r) => r.keyFirstUse).length, 1);
        assert.equal(results.filter((r) => r.clientFirstSeen === undefined).length, 1, 'one caller saw the client for the first time');
        assert.equal(results.filter((r) => r.networkLastSeen === undefined).length, 1, 'one caller saw the network for the first time');
      } finally {
        await Promise.all(peers.map((p) => p.close()));
      }
    }));

    // ---- lifecycle ------------------------------------------------------------------------------
    test('ping is true while open; stored records cannot be changed through returned objects', withStore(async (store) => {
      assert.equal(await store.ping(), true);
      await store.clients.createClient(makeClient('m'));
      const got = await store.clients.getClient('m');
      (got?.scopes as string[]).push('admin');
      assert.deepEqual((await store.clients.getClient('m'))?.scopes, ['read', 'write']);
    }));
  });
}

async function openPeers(opened: OpenedStore, count: number): Promise<Store[]> {
  if (!opened.openPeer) return [];
  const peers: Store[] = [];
  for (let i = 0; i < count; i += 1) peers.push(await opened.openPeer());
  return peers;
}
