/**
 * The alerts of the admin API over real HTTP against a started server (SQLite): listing newest
 * first with filters, paging by cursor and the counts; the wire view; acknowledge and resolve with
 * their state rules (409 alert_state_conflict) and audit events; bad parameters as 400 naming the
 * parameter; the admin token required. Alerts are put in the store directly (raising is the
 * detector's).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertRecord } from '../../packages/keyward/src/store/contract.ts';
import { makeAlert } from '../store/contract-suite.ts';
import { addTestClient, assertionFor, readAnswer, requestToken, startTestServer, type Answer, type TestClient } from './helpers.ts';

const NOW = Date.parse('2026-12-04T12:00:00Z');
let server: Awaited<ReturnType<typeof startTestServer>>;
let admin: TestClient;
let reader: TestClient;
let token: string;

const at = (minutes: number): Date => new Date(NOW - 60 * 60_000 + minutes * 60_000);

before(async () => {
  // The detector is off: the alerts listed are the ones this test stores, not those its own token requests raise.
  server = await startTestServer({ clock: () => NOW, overrides: { alerts: { enabled: false } } });
  admin = await addTestClient(server, { scopes: ['keyward:admin'], clientId: 'alerts-admin' });
  reader = await addTestClient(server, { scopes: ['read'], clientId: 'alerts-reader', slot: 1 });
  const answer = await requestToken(server, admin, { scope: 'keyward:admin' }, await assertionFor(server, admin, { now: NOW / 1000 }));
  assert.equal(answer.status, 200, answer.text);
  token = answer.json.access_token as string;
  const alerts: AlertRecord[] = [
    makeAlert('spike-1', { raisedAt: at(1), kind: 'issuance_spike', clientId: 'app-a' }),
    makeAlert('replay-2', { raisedAt: at(2), kind: 'replay_burst', clientId: 'app-b', source: '203.0.113.7', expected: undefined }),
    makeAlert('key-3', { raisedAt: at(3), kind: 'new_key_first_use', clientId: 'app-a', keyThumbprint: 'tp-3', observed: 1, state: 'acknowledged', updatedBy: 'someone' }),
    makeAlert('spike-4', {
      raisedAt: at(4), kind: 'issuance_spike', clientId: 'app-b', details: { baseline_days: 7 },
      deliveries: [{ url: 'https://hooks.example/k', state: 'failed', attempts: 2, lastAttemptAt: at(5), nextAttemptAt: at(7), lastError: 'HTTP 503' }],
    }),
    makeAlert('old-5', { raisedAt: at(0), kind: 'key_age', clientId: 'app-c', state: 'resolved' }),
  ];
  for (const alert of alerts) {
    const stored = { ...alert };
    if (alert.expected === undefined) delete (stored as { expected?: number }).expected;
    assert.equal(await server.context.store.alerts.raiseAlert(stored), true);
  }
});
after(async () => { await server.stop(); });

async function call(method: string, path: string, bearer = token): Promise<Answer> {
  return readAnswer(await fetch(`${server.url}/admin/v1${path}`, { method, headers: { authorization: `Bearer ${bearer}` } }));
}

const ids = (answer: Answer): string[] => (answer.json.alerts as { id: string }[]).map((a) => a.id);

test('alerts: the admin token is required (401 without, 403 without keyward:admin)', async () => {
  assert.equal((await readAnswer(await fetch(`${server.url}/admin/v1/alerts`))).status, 401);
  const readerToken = (await requestToken(server, reader, {}, await assertionFor(server, reader, { now: NOW / 1000 }))).json.access_token as string;
  const forbidden = await call('GET', '/alerts', readerToken);
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.json.error, 'insufficient_scope');
  assert.equal((await call('POST', '/alerts/spike-1/acknowledge', readerToken)).status, 403);
});

test('alerts: list newest first with the counts, filters by state, kind and client, pages by cursor', async () => {
  const all = await call('GET', '/alerts');
  assert.equal(all.status, 200, all.text);
  assert.equal(all.headers.get('cache-control'), 'no-store');
  assert.deepEqual(ids(all), ['spike-4', 'key-3', 'replay-2', 'spike-1', 'old-5']);
  assert.equal(all.json.next_cursor, null);
  assert.deepEqual(all.json.counts, { open: 3, acknowledged: 1, resolved: 1 });
  assert.deepEqual(ids(await call('GET', '/alerts?state=open')), ['spike-4', 'replay-2', 'spike-1']);
  assert.deepEqual(ids(await call('GET', '/alerts?kind=issuance_spike')), ['spike-4', 'spike-1']);
  assert.deepEqual(ids(await call('GET', '/alerts?client_id=app-a&state=acknowledged')), ['key-3']);
  assert.deepEqual(ids(await call('GET', '/alerts?state=&kind=')), ids(all), 'empty parameters count as absent');

  const first = await call('GET', '/alerts?limit=2');
  assert.deepEqual(ids(first), ['spike-4', 'key-3']);
  assert.equal(first.json.next_cursor, 'key-3');
  const second = await call('GET', `/alerts?limit=2&cursor=${first.json.next_cursor as string}`);
  assert.deepEqual(ids(second), ['replay-2', 'spike-1']);
  const third = await call('GET', `/alerts?limit=2&cursor=${second.json.next_cursor as string}`);
  assert.deepEqual(ids(third), ['old-5']);
  assert.equal(third.json.next_cursor, null);
});

test('alerts: bad parameters are 400 invalid_request naming the parameter', async () => {
  for (const [query, named] of [['state=closed', /^state: /], ['kind=nope', /^kind: /], ['limit=0', /^limit: /], ['limit=1001', /^limit: /], ['limit=ten', /^limit: /], ['cursor=no-such-alert', /^cursor "no-such-alert" names no alert/], [`client_id=${'c'.repeat(256)}`, /^client_id: /]] as const) {
    const answer = await call('GET', `/alerts?${query}`);
    assert.equal(answer.status, 400, `${query}: ${answer.text}`);
    assert.equal(answer.json.error, 'invalid_request');
    assert.match(answer.json.error_description as string, named, query);
  }
});

test('alerts: show answers the wire view (snake_case, ISO dates, window, deliveries); unknown is 404', async () => {
  const shown = await call('GET', '/alerts/spike-4');
  assert.equal(shown.status, 200, shown.text);
  assert.deepEqual(shown.json, {
    id: 'spike-4', kind: 'issuance_spike', client_id: 'app-b',
    window: { start: '2026-01-02T03:04:05.678Z', end: '2026-01-02T03:09:05.678Z' },
    observed: 120, expected: 10, first_event_at: '2026-01-02T03:04:06.678Z', last_event_at: '2026-01-02T03:09:04.678Z',
    details: { baseline_days: 7 }, state: 'open', raised_at: at(4).toISOString(), updated_at: '2026-01-02T03:09:05.678Z',
    deliveries: [{ url: 'https://hooks.example/k', state: 'failed', attempts: 2, last_attempt_at: at(5).toISOString(), next_attempt_at: at(7).toISOString(), last_error: 'HTTP 503' }],
  });
  const replay = (await call('GET', '/alerts/replay-2')).json;
  assert.equal(replay.source, '203.0.113.7');
  assert.equal('expected' in replay, false, 'an absent expectation is left out');
  const missing = await call('GET', '/alerts/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error, 'not_found');
});

test('alerts: acknowledge an open alert, resolve it; any other move is 409 alert_state_conflict; each move is audited with the actor', async () => {
  const acked = await call('POST', '/alerts/spike-1/acknowledge');
  assert.equal(acked.status, 200, acked.text);
  assert.equal(acked.json.state, 'acknowledged');
  assert.equal(acked.json.updated_by, 'alerts-admin');
  assert.equal(acked.json.updated_at, new Date(NOW).toISOString());

  const again = await call('POST', '/alerts/spike-1/acknowledge');
  assert.equal(again.status, 409);
  assert.equal(again.json.error, 'alert_state_conflict');
  assert.match(again.json.error_description as string, /is acknowledged \(by alerts-admin\): only an open alert can be acknowledged/);

  const resolved = await call('POST', '/alerts/spike-1/resolve');
  assert.equal(resolved.status, 200, resolved.text);
  assert.equal(resolved.json.state, 'resolved');
  const twice = await call('POST', '/alerts/spike-1/resolve');
  assert.equal(twice.status, 409);
  assert.equal(twice.json.error, 'alert_state_conflict');
  assert.equal((await call('POST', '/alerts/old-5/acknowledge')).status, 409, 'a resolved alert cannot be acknowledged');
  assert.equal((await call('POST', '/alerts/replay-2/resolve')).json.state, 'resolved', 'an open alert can be resolved at once');
  assert.equal((await call('POST', '/alerts/nope/resolve')).status, 404);

  const events = await server.context.store.audit.queryAudit({ since: new Date(NOW) });
  const moves = events.filter((e) => e.type.startsWith('alert.')).reverse()
    .map((e) => ({ type: e.type, actor: e.actor, clientId: e.clientId, alert: e.details?.alert_id, state: e.details?.state }));
  assert.deepEqual(moves, [
    { type: 'alert.acknowledged', actor: 'alerts-admin', clientId: 'app-a', alert: 'spike-1', state: 'acknowledged' },
    { type: 'alert.resolved', actor: 'alerts-admin', clientId: 'app-a', alert: 'spike-1', state: 'resolved' },
    { type: 'alert.resolved', actor: 'alerts-admin', clientId: 'app-b', alert: 'replay-2', state: 'resolved' },
  ], 'one event per move, none for a refused one');
});
