/**
 * The registry CLI as a user runs it (the real `keyward` binary in a child process): `admin init`
 * writes the admin key with mode 0600 and admin.json; then `clients keys add|list|rotate|revoke`,
 * `clients disable` and `initial-access-token create` work remotely against a started server with
 * the admin key (private_key_jwt → keyward:admin token → /admin/v1), and locally on the same data.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportPublicPem } from '../../packages/core/src/keys/export-key.ts';
import { keyPairFor, makeDataDir, startTestServer } from '../server/helpers.ts';
import { runKeyward } from '../cli/run-cli.ts';

const run = promisify(execFile);
const dir = makeDataDir();
let server: Awaited<ReturnType<typeof startTestServer>>;

async function keyward(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/keyward.mjs', ...args], { env: { ...process.env, KEYWARD_DATA_DIR: dir.dir, KEYWARD_LOG_LEVEL: 'silent' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

before(async () => {
  server = await startTestServer({ dataDir: dir.dir });
});
after(async () => {
  await server.stop();
  dir.remove();
});

test('admin init, then remote key lifecycle through the admin API, and local commands on the same data', async () => {
  const init = await keyward(['admin', 'init', '--out', join(dir.dir, 'admin'), '--issuer', server.url, '--json']);
  assert.equal(init.code, 0, init.stderr);
  const adminJson = JSON.parse(init.stdout) as { client_id: string; key: string; config: string };
  assert.equal(statSync(adminJson.key).mode & 0o777, 0o600, 'the private key is written with mode 0600');
  assert.equal(JSON.parse(readFileSync(adminJson.config, 'utf8')).client_id, 'keyward-admin');

  // Remote: create the client's keys through /admin/v1 with the admin key.
  const first = join(dir.dir, 'first.pem');
  const second = join(dir.dir, 'second.pem');
  writeFileSync(first, exportPublicPem(keyPairFor('ES256', 41).publicKey));
  writeFileSync(second, exportPublicPem(keyPairFor('ES256', 42).publicKey));
  await server.context.store.clients.createClient({
    clientId: 'cli-client', name: 'CLI client', grantTypes: ['client_credentials'], scopes: ['read'], accessTokenTtl: 300,
    audiencePolicy: 'strict', state: 'enabled', createdAt: new Date(), updatedAt: new Date(),
  });
  const remote = ['--server', server.url, '--admin-key', adminJson.key, '--admin-client-id', adminJson.client_id];
  const add = await keyward(['clients', 'keys', 'add', 'cli-client', '--public-key', first, ...remote, '--json']);
  assert.equal(add.code, 0, add.stderr);
  const rotate = await keyward(['clients', 'keys', 'rotate', 'cli-client', '--public-key', second, '--overlap', '120', '--admin-config', adminJson.config, '--json']);
  assert.equal(rotate.code, 0, rotate.stderr);
  const rotated = JSON.parse(rotate.stdout) as { retiring: Array<{ state: string }> };
  assert.equal(rotated.retiring[0]?.state, 'retiring');

  // Local, same data directory: list shows both keys; a remote refusal is one clear line.
  const list = await keyward(['clients', 'keys', 'list', 'cli-client', '--json']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual((JSON.parse(list.stdout) as { keys: Array<{ state: string }> }).keys.map((k) => k.state).sort(), ['active', 'retiring']);
  const missing = await keyward(['clients', 'disable', 'no-such-client', ...remote]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /^keyward: not_found: no client/);

  const events = await server.context.store.audit.queryAudit({ clientId: 'cli-client', type: 'key.retiring' });
  assert.equal(events[0]?.actor, 'keyward-admin', 'remote changes are audited with the admin client as actor');

  // Look-ups work remotely too, with the same wire names as the local commands.
  const [remoteList, remoteShow, remoteAudit, localShow] = await Promise.all([
    keyward(['clients', 'list', '--admin-config', adminJson.config, '--json']),
    keyward(['clients', 'show', 'cli-client', '--admin-config', adminJson.config, '--json']),
    keyward(['audit', '--client', 'cli-client', '--type', 'key.retiring', '--admin-config', adminJson.config, '--json']),
    keyward(['clients', 'show', 'cli-client', '--json']),
  ]);
  for (const run of [remoteList, remoteShow, remoteAudit, localShow]) assert.equal(run.code, 0, run.stderr);
  assert.ok((JSON.parse(remoteList.stdout) as Array<{ client_id: string }>).some((c) => c.client_id === 'cli-client'));
  const shown = JSON.parse(remoteShow.stdout) as { client_id: string; token_endpoint_auth_method: string; keys: unknown[] };
  assert.equal(shown.token_endpoint_auth_method, 'private_key_jwt');
  assert.equal(shown.keys.length, 2);
  assert.deepEqual(Object.keys(shown).sort(), Object.keys(JSON.parse(localShow.stdout) as object).sort(), 'remote and local views agree');
  const audited = JSON.parse(remoteAudit.stdout) as Array<{ type: string; actor: string }>;
  assert.equal(audited[0]?.type, 'key.retiring');
  assert.equal(audited[0]?.actor, 'keyward-admin');

  // --client takes a name too (said on stderr); a name nobody has is said, not silently empty.
  for (const target of [['--admin-config', adminJson.config], []]) {
    const byName = await keyward(['audit', '--client', 'CLI client', '--type', 'key.retiring', ...target, '--json']);
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stderr, /"CLI client" is a client name: showing client_id cli-client/);
    assert.deepEqual(JSON.parse(byName.stdout), audited, 'the same events as by client_id');
    const nobody = await keyward(['audit', '--client', 'nobody-by-this-name', ...target, '--json']);
    assert.equal(nobody.code, 0, nobody.stderr);
    assert.match(nobody.stderr, /no client has the client_id or name "nobody-by-this-name"/);
  }
});

test('a registry command on a data directory that does not exist yet says it created a new one, and where', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-newdir-'));
  try {
    const first = await runKeyward(['clients', 'list'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`created a new, empty data directory at ${join(realpathSync(dir), '.keyward').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; if your server keeps its data elsewhere`));
    const second = await runKeyward(['clients', 'list'], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /created a new/, 'said once, when it happens');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
