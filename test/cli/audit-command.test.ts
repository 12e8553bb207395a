// `keyward audit` as an operator pages through a large log and exports it: --until and the id cursor
// (--before, next_before), `audit export` as NDJSON and CSV (quoting and formula neutralisation),
// the same relative times locally and at GET /admin/v1/audit, and clear refusals of bad values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openStore } from '../../packages/keyward/src/store/open-store.ts';
import type { Store } from '../../packages/keyward/src/store/contract.ts';
import { makeDataDir } from '../server/helpers.ts';

const BIN = new URL('../../bin/keyward.mjs', import.meta.url).pathname;
const data = makeDataDir();
let store: Store;
const T0 = Date.parse('2026-11-01T00:00:00Z');

async function keyward(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, KEYWARD_DATA_DIR: data.dir, NO_COLOR: '1' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

before(async () => {
  store = await openStore({ dataDir: data.dir });
  for (let i = 0; i < 25; i += 1) {
    await store.audit.appendAudit({ time: new Date(T0 + i * 3_600_000), type: i % 5 === 0 ? 'token.refused' : 'token.granted', clientId: 'app-1', ...(i % 5 === 0 ? { reason: 'jti_replayed' } : {}), details: { n: i } });
  }
  // Values a spreadsheet must never run, and a detail that needs CSV quoting.
  await store.audit.appendAudit({ time: new Date(T0 + 30 * 3_600_000), type: 'token.refused', clientId: '=HYPERLINK("http://x")', reason: 'client_unknown', details: { note: 'a, "quoted" value' } });
});
after(async () => {
  await store.close();
  data.remove();
});

test('paging: --limit and --before visit every event once, newest first; the human form says how to get the next page', async () => {
  const seen: number[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < 10; pages += 1) {
    const page = await keyward('audit', '--client', 'app-1', '--limit', '10', ...(before === undefined ? [] : ['--before', before]), '--json');
    assert.equal(page.code, 0, page.stderr);
    const events = JSON.parse(page.stdout) as Array<{ id: number; details: { n: number } }>;
    if (events.length === 0) break;
    seen.push(...events.map((e) => e.details.n));
    before = String(events.at(-1)!.id);
  }
  assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => 24 - i));
  const human = await keyward('audit', '--client', 'app-1', '--limit', '10');
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stderr, /more events: add --before \d+ for the next page/);
  const last = await keyward('audit', '--client', 'app-1', '--limit', '10', '--before', String(seen.length === 25 ? 6 : 0));
  assert.doesNotMatch(last.stderr, /more events/, 'a page that is not full has no next page');
});

test('--since and --until bound the time, as dates or durations; bad values are usage errors naming the option', async () => {
  const window = await keyward('audit', '--client', 'app-1', '--since', '2026-11-01T10:00:00Z', '--until', '2026-11-01T12:00:00Z', '--json');
  assert.equal(window.code, 0, window.stderr);
  assert.deepEqual((JSON.parse(window.stdout) as Array<{ details: { n: number } }>).map((e) => e.details.n), [12, 11, 10]);
  const recent = await keyward('audit', '--since', '1h', '--json');
  assert.deepEqual(JSON.parse(recent.stdout), [], 'nothing in the last hour');
  for (const [option, value] of [['--since', 'yesterday-ish'], ['--until', 'March'], ['--limit', '0'], ['--limit', '20000'], ['--before', 'abc']] as const) {
    const bad = await keyward('audit', option, value);
    assert.equal(bad.code, 2, `${option} ${value}: ${bad.stderr}`);
    assert.match(bad.stderr, new RegExp(`^keyward: ${option.slice(2)} `), `${option} ${value}: the message names the option`);
  }
  const inverted = await keyward('audit', '--since', '2026-11-02', '--until', '2026-11-01');
  assert.equal(inverted.code, 2);
  assert.match(inverted.stderr, /since is after until/);
});

test('audit export: every matching event as NDJSON, and as CSV with RFC 4180 quoting and spreadsheet formulas neutralised', async () => {
  const ndjson = await keyward('audit', 'export', '--since', '2026-10-01');
  assert.equal(ndjson.code, 0, ndjson.stderr);
  const lines = ndjson.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: number; type: string });
  assert.equal(lines.length, 26);
  assert.equal(new Set(lines.map((e) => e.id)).size, 26, 'no event twice');
  assert.match(ndjson.stderr, /exported 26 audit events/);
  const refused = await keyward('audit', 'export', '--reason', 'jti_replayed');
  assert.equal(refused.stdout.trim().split('\n').length, 5);

  const csv = await keyward('audit', 'export', '--format', 'csv', '--type', 'token.refused');
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.split('\r\n').filter((row) => row !== '');
  assert.equal(rows[0], 'id,time,type,client_id,key_thumbprint,reason,source_address,actor,details');
  assert.equal(rows.length, 1 + 6);
  assert.match(rows[1]!, /,"'=HYPERLINK\(""http:\/\/x""\)",/, 'a leading = is prefixed with a quote, and quotes are doubled');
  assert.match(rows[1]!, /,"\{""note"":""a, \\""quoted\\"" value""\}"$/, 'the details JSON is one quoted field');
  const bad = await keyward('audit', 'export', '--format', 'xml');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /use ndjson or csv/);
});
