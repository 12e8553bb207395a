/**
 * `keyward users ...` against a running server through its admin API (`--admin-config` from
 * `keyward admin init`): the same commands, the changes made by the admin client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKeyward } from './run-cli.ts';
import { makeDataDir, startTestServer } from '../server/helpers.ts';
import { verifyPassword } from '../../packages/keyward/src/server/services/registry/index.ts';

test('users: the same commands against a running server through the admin API (--admin-config)', async () => {
  const remoteData = makeDataDir();
  const server = await startTestServer({ dataDir: remoteData.dir });
  try {
    const init = await runKeyward(['admin', 'init', '--out', join(remoteData.dir, 'admin'), '--issuer', server.url, '--json'], { env: { KEYWARD_DATA_DIR: remoteData.dir } });
    assert.equal(init.code, 0, init.stderr);
    const config = (JSON.parse(init.stdout) as { config: string }).config;
    const remote = (...args: string[]) => runKeyward(['users', ...args, '--admin-config', config], { env: { KEYWARD_DATA_DIR: remoteData.dir } });
    const passwordFile = join(remoteData.dir, 'pw.txt');
    writeFileSync(passwordFile, 'a remote long password\n');
    const added = await remote('add', '--username', 'remote-user', '--password-file', passwordFile, '--json');
    assert.equal(added.code, 0, added.stderr);
    const sub = JSON.parse(added.stdout).sub as string;
    assert.equal(await verifyPassword((await server.context.store.users.getUser(sub))?.passwordHash, 'a remote long password'), true);
    assert.equal(JSON.parse((await remote('disable', 'remote-user', '--json')).stdout).status, 'disabled');
    assert.deepEqual((JSON.parse((await remote('list', '--json')).stdout).users as Array<{ sub: string }>).map((u) => u.sub), [sub]);
    assert.equal((await remote('delete', 'remote-user', '--yes')).code, 0);
    const events = await server.context.store.audit.queryAudit({ type: 'user.created' });
    assert.equal(events[0]?.actor, 'keyward-admin', 'changed through the admin API, by the admin client');
  } finally {
    await server.stop();
    remoteData.remove();
  }
});
