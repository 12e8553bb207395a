/**
 * `kill -9` of a `keyward serve` process on SQLite in the middle of a token load. After a restart
 * with the same command on the same data directory:
 * - no granted token is lost: every access token answered 200 before the kill introspects active
 *   (its record was committed before the answer left, group commit notwithstanding);
 * - no replay is accepted: every assertion granted before the kill is refused (its jti reservation
 *   was committed with it, RFC 7523 §3 (7));
 * - the database passes `PRAGMA integrity_check`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { faultTestAssertion, registerFaultTestClient, killNode, postToken, runPool, startServe, stopNode, type Node, type FaultTestClient } from './nodes.ts';

const ISSUER = 'https://keyward.sqlite-kill.test';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let dir: string;
let dataDir: string;
let env: Record<string, string>;
let node: Node | undefined;
let client: FaultTestClient;

const freshAssertion = (): Promise<string> => faultTestAssertion(client, ISSUER);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyward-sqlite-kill-'));
  dataDir = join(dir, 'data');
  const configPath = join(dir, 'keyward.json');
  writeFileSync(configPath, JSON.stringify({ log: { level: 'warn' } }));
  env = { KEYWARD_CONFIG: configPath, KEYWARD_DATA_DIR: dataDir, KEYWARD_ISSUER: ISSUER };
  node = await startServe([], env);
  client = await registerFaultTestClient({ dataDir }, 'sqlite-kill-client');
});

after(async () => {
  if (node) await stopNode(node);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('kill -9 under token load on SQLite: 0 granted tokens lost, 0 replays accepted after restart, integrity_check ok', { timeout: 60_000 }, async () => {
  const granted: Array<{ assertion: string; accessToken: string }> = [];
  const started = performance.now();
  const victim = node!;
  const load = runPool(100_000, 16, async () => {
    if (performance.now() - started > 3000 || victim.child.exitCode !== null || victim.child.signalCode !== null) return;
    const assertion = await freshAssertion();
    const answer = await postToken(victim.url, assertion);
    if (answer.status === 200) granted.push({ assertion, accessToken: answer.body.access_token as string });
    else assert.equal(answer.status, 0, `only connection errors after the kill: ${JSON.stringify(answer.body)}`);
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await killNode(victim);
  await load;
  assert.ok(granted.length > 50, `only ${granted.length} tokens granted before the kill`);

  node = await startServe([], env);
  const restarted = node;
  // Every token acknowledged before the kill is still known, and active.
  const inactive = (await runPool(granted.length, 8, async (i) => {
    const response = await fetch(`${restarted.url}/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: granted[i]!.accessToken, client_assertion_type: ASSERTION_TYPE, client_assertion: await freshAssertion() }).toString(),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { active: boolean }).active;
  })).filter((active) => !active).length;
  assert.equal(inactive, 0, `${inactive} of ${granted.length} granted tokens were lost`);
  // Every assertion granted before the kill is refused now.
  const replays = await runPool(granted.length, 8, async (i) => postToken(restarted.url, granted[i]!.assertion));
  const accepted = replays.filter((r) => r.status === 200).length;
  assert.equal(accepted, 0, `${accepted} of ${granted.length} replays were granted after the restart`);
  for (const replay of replays) assert.equal(replay.status, 401, JSON.stringify(replay.body));
  // The restarted server grants fresh assertions.
  assert.equal((await postToken(restarted.url, await freshAssertion())).status, 200);

  await stopNode(restarted);
  node = undefined;
  const db = new Database(join(dataDir, 'keyward.sqlite'), { readonly: true });
  try {
    assert.deepEqual(db.prepare('PRAGMA integrity_check').all(), [{ integrity_check: 'ok' }]);
  } finally {
    db.close();
  }
});
