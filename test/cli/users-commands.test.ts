/**
 * `keyward users ...` as a user runs it (a child process on a temporary data directory): add with a
 * password file, list, show by username or sub, update, disable / enable, passwd, delete; `--json`
 * with wire names; the password is never printed (bad input: users-commands-input.test.ts; a running
 * server: users-commands-remote.test.ts).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKeyward } from './run-cli.ts';
import { makeDataDir } from '../server/helpers.ts';
import { openSqliteStore, SQLITE_FILE_NAME } from '../../packages/keyward/src/store/index.ts';
import { verifyPassword } from '../../packages/keyward/src/server/services/registry/index.ts';

const data = makeDataDir();
after(() => data.remove());
const env = { KEYWARD_DATA_DIR: data.dir };
const users = (...args: string[]) => runKeyward(['users', ...args], { env });

async function storedHash(username: string): Promise<string | undefined> {
  const store = await openSqliteStore(join(data.dir, SQLITE_FILE_NAME));
  try {
    return (await store.users.findUserByUsername(username))?.passwordHash;
  } finally {
    await store.close();
  }
}

test('users add / list / show / update / disable / enable / passwd / delete on the local data directory', async () => {
  const passwordFile = join(data.dir, 'pw.txt');
  writeFileSync(passwordFile, 'first long password\n', { mode: 0o600 });
  const added = await users('add', '--username', 'alice', '--name', 'Alice Smith', '--email', 'alice@example.com', '--password-file', passwordFile, '--json');
  assert.equal(added.code, 0, added.stderr);
  const user = JSON.parse(added.stdout) as Record<string, unknown>;
  assert.equal(user.username, 'alice');
  assert.equal(user.has_password, true);
  assert.match(String(user.sub), /^[A-Za-z0-9_-]{22}$/);
  assert.ok(!added.stdout.includes('first long password') && !added.stderr.includes('first long password'));
  assert.equal(await verifyPassword(await storedHash('alice'), 'first long password'), true, 'one trailing newline is dropped');

  const nopw = await users('add', '--username', 'bob');
  assert.equal(nopw.code, 0, nopw.stderr);
  assert.match(nopw.stdout, /password: +none/);

  const list = await users('list', '--json');
  assert.deepEqual((JSON.parse(list.stdout).users as Array<{ username: string }>).map((u) => u.username), ['alice', 'bob']);
  const human = await users('list');
  assert.match(human.stdout, /^alice  active  sub=/m);

  const shown = await users('show', String(user.sub), '--json');
  assert.equal(JSON.parse(shown.stdout).username, 'alice');
  assert.match((await users('show', 'ALICE')).stdout, /name: +Alice Smith/);

  const updated = await users('update', 'alice', '--email', '', '--require-passkey', '--json');
  assert.equal(updated.code, 0, updated.stderr);
  assert.equal(JSON.parse(updated.stdout).email, undefined);
  assert.equal(JSON.parse(updated.stdout).require_passkey, true);

  assert.match((await users('disable', 'alice')).stdout, /alice is disabled/);
  assert.equal(JSON.parse((await users('show', 'alice', '--json')).stdout).status, 'disabled');
  assert.match((await users('enable', 'alice')).stdout, /alice is active/);

  writeFileSync(passwordFile, 'second long password');
  const passwd = await users('passwd', 'alice', '--password-file', passwordFile);
  assert.equal(passwd.code, 0, passwd.stderr);
  assert.equal(await verifyPassword(await storedHash('alice'), 'second long password'), true);
  const fromEnv = await runKeyward(['users', 'passwd', 'alice', '--password-env', 'NEW_PW'], { env: { ...env, NEW_PW: 'third long password' } });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.equal(await verifyPassword(await storedHash('alice'), 'third long password'), true);

  assert.notEqual((await users('delete', 'alice')).code, 0, 'delete needs --yes');
  const deleted = await users('delete', 'alice', '--yes', '--json');
  assert.equal(JSON.parse(deleted.stdout).sub, user.sub);
  assert.equal((await users('show', 'alice')).code, 1);

  const audit = await runKeyward(['audit', '--type', 'user.created', '--json'], { env });
  assert.equal(audit.code, 0, audit.stderr);
  assert.ok(!audit.stdout.includes('argon2'));
});
