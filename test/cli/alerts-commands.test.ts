/**
 * `keyward alerts list | show | ack | resolve` as a user runs them (a child process): on a local
 * data directory (actor `cli`) and against a running server through the admin API
 * (`--admin-config`, actor the admin client); `--json` with the wire names; the state rules and bad
 * options as one line on standard error with the documented exit codes; `--help` for each.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runKeyward } from './run-cli.ts';
import { makeDataDir, startTestServer } from '../server/helpers.ts';
import { makeAlert } from '../store/contract-suite.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../packages/keyward/src/store/index.ts';
import type { AlertRecord, Store } from '../../packages/keyward/src/store/contract.ts';

const data = makeDataDir();
after(() => data.remove());
const env = { KEYWARD_DATA_DIR: data.dir };
const alerts = (...args: string[]) => runKeyward(['alerts', ...args], { env });
const raisedAt = (n: number): Date => new Date(Date.parse('2026-12-01T10:00:00Z') + n * 60_000);

async function seed(store: Store): Promise<void> {
  const records: AlertRecord[] = [
    makeAlert('a-1', { raisedAt: raisedAt(1), clientId: 'app-a' }),
    makeAlert('a-2', { raisedAt: raisedAt(2), kind: 'replay_burst', clientId: 'app-b', source: '198.51.100.9' }),
    makeAlert('a-3', { raisedAt: raisedAt(3), kind: 'key_expiring', clientId: 'app-a', keyThumbprint: 'tp', observed: 5, expected: 14 }),
  ];
  for (const record of records) await store.alerts.raiseAlert(record);
}

before(async () => {
  const store = await openSqliteStore(join(data.dir, SQLITE_FILE_NAME));
  try {
    await seed(store);
  } finally {
    await store.close();
  }
});

test('alerts list: newest first, filters, pages with --limit and --cursor, --json with the wire names', async () => {
  const listed = await alerts('list', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  const page = JSON.parse(listed.stdout) as { alerts: Array<Record<string, unknown>>; next_cursor: string | null; counts: Record<string, number> };
  assert.deepEqual(page.alerts.map((a) => a.id), ['a-3', 'a-2', 'a-1']);
  assert.equal(page.next_cursor, null);
  assert.deepEqual(page.counts, { open: 3, acknowledged: 0, resolved: 0 });
  assert.equal(page.alerts[0]?.key_thumbprint, 'tp');
  assert.deepEqual(page.alerts[0]?.window, { start: '2026-01-02T03:04:05.678Z', end: '2026-01-02T03:09:05.678Z' });

  const human = await alerts('list', '--client', 'app-a');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^a-3 +open +key_expiring +app-a +5 \(expected 14\) +2026-12-01T10:03:00.000Z$/m);
  assert.doesNotMatch(human.stdout, /a-2/);
  assert.match(human.stdout, /\(3 open, 0 acknowledged, 0 resolved\)/);
  assert.deepEqual((JSON.parse((await alerts('list', '--kind', 'replay_burst', '--json')).stdout).alerts as Array<{ id: string }>).map((a) => a.id), ['a-2']);

  const first = await alerts('list', '--limit', '2');
  assert.match(first.stderr, /more alerts: add --cursor a-2 for the next page/);
  const second = JSON.parse((await alerts('list', '--limit', '2', '--cursor', 'a-2', '--json')).stdout) as { alerts: Array<{ id: string }> };
  assert.deepEqual(second.alerts.map((a) => a.id), ['a-1']);
});

test('alerts show, ack, resolve on the local data: the state rules, the audit actor cli, clear refusals', async () => {
  const shown = await alerts('show', 'a-2');
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^kind: +replay_burst$/m);
  assert.match(shown.stdout, /^source: +198\.51\.100\.9$/m);

  const acked = await alerts('ack', 'a-2', '--json');
  assert.equal(acked.code, 0, acked.stderr);
  assert.equal(JSON.parse(acked.stdout).state, 'acknowledged');
  assert.equal(JSON.parse(acked.stdout).updated_by, 'cli');

  const again = await alerts('ack', 'a-2');
  assert.equal(again.code, 1);
  assert.equal(again.stdout, '');
  assert.match(again.stderr, /alert_state_conflict: alert a-2 is acknowledged \(by cli\): only an open alert can be acknowledged/);
  assert.equal(again.stderr.trim().split('\n').length, 1, 'one line on standard error');

  const resolved = await alerts('resolve', 'a-2');
  assert.equal(resolved.code, 0, resolved.stderr);
  assert.match(resolved.stdout, /^resolved a-2$/m);
  assert.match(resolved.stdout, /^state: +resolved \(by cli/m);
  assert.equal((await alerts('resolve', 'a-2')).code, 1, 'a resolved alert cannot be resolved again');

  const unknown = await alerts('show', 'nope');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /not_found: no alert has the id "nope"/);
  const badState = await alerts('list', '--state', 'closed');
  assert.equal(badState.code, 2, 'a bad option value is a usage error');
  assert.match(badState.stderr, /invalid_request: state: /);
  assert.equal((await alerts('list', '--limit', '0')).code, 2);

  const store = await openSqliteStore(join(data.dir, SQLITE_FILE_NAME));
  try {
    const events = (await store.audit.queryAudit({})).filter((e) => e.type.startsWith('alert.'));
    assert.deepEqual(events.map((e) => [e.type, e.actor, e.details?.alert_id]), [['alert.resolved', 'cli', 'a-2'], ['alert.acknowledged', 'cli', 'a-2']]);
  } finally {
    await store.close();
  }
});

test('alerts --help: each subcommand describes itself and its options', async () => {
  for (const [sub, expected] of [['list', /--server <url>[\s\S]*--json[\s\S]*--state <state>[\s\S]*--kind <kind>[\s\S]*--client <client_id>[\s\S]*--limit <n>[\s\S]*--cursor <id>/], ['show', /show an alert/], ['ack', /acknowledge an open alert/], ['resolve', /resolve an open or acknowledged alert/]] as const) {
    const help = await alerts(sub, '--help');
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, expected, sub);
  }
  assert.match((await alerts('--help')).stdout, /list[\s\S]*show[\s\S]*ack[\s\S]*resolve/);
});

test('alerts: the same commands against a running server through the admin API (--admin-config)', async () => {
  const remoteData = makeDataDir();
  // The detector is off: the alerts listed are the ones this test stores.
  const server = await startTestServer({ dataDir: remoteData.dir, overrides: { alerts: { enabled: false } } });
  try {
    await seed(server.context.store);
    const init = await runKeyward(['admin', 'init', '--out', join(remoteData.dir, 'admin'), '--issuer', server.url, '--json'], { env: { KEYWARD_DATA_DIR: remoteData.dir } });
    assert.equal(init.code, 0, init.stderr);
    const config = (JSON.parse(init.stdout) as { config: string }).config;
    const remote = (...args: string[]) => runKeyward(['alerts', ...args, '--admin-config', config], { env: { KEYWARD_DATA_DIR: remoteData.dir } });
    const listed = await remote('list', '--state', 'open', '--limit', '2', '--json');
    assert.equal(listed.code, 0, listed.stderr);
    const page = JSON.parse(listed.stdout) as { alerts: Array<{ id: string }>; next_cursor: string | null };
    assert.deepEqual(page.alerts.map((a) => a.id), ['a-3', 'a-2']);
    assert.equal(page.next_cursor, 'a-2');
    const acked = await remote('ack', 'a-1', '--json');
    assert.equal(acked.code, 0, acked.stderr);
    assert.equal(JSON.parse(acked.stdout).updated_by, 'keyward-admin', 'changed through the admin API, by the admin client');
    const conflict = await remote('ack', 'a-1');
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /alert_state_conflict: /);
    assert.equal((await remote('list', '--kind', 'nope')).code, 2, 'the server\'s 400 is a usage error');
    assert.match((await remote('show', 'a-1')).stdout, /^state: +acknowledged \(by keyward-admin/m);
  } finally {
    await server.stop();
    remoteData.remove();
  }
});
