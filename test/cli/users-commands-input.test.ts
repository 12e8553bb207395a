/**
 * `keyward users ...` refusing bad input: one clear line on stderr with a usage (2), input (3) or
 * failure (1) exit code; a password is never accepted as an argument, and without a terminal the
 * prompt names the options that replace it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKeyward } from './run-cli.ts';
import { makeDataDir } from '../server/helpers.ts';

const data = makeDataDir();
after(() => data.remove());
const env = { KEYWARD_DATA_DIR: data.dir };
const users = (...args: string[]) => runKeyward(['users', ...args], { env });

test('users: bad input and a password without a terminal give one clear line and a usage or input exit code', async () => {
  const bad = await users('add', '--username', '-x');
  assert.notEqual(bad.code, 0);
  const badName = await users('add', '--username', 'a b');
  assert.equal(badName.code, 2, badName.stderr);
  assert.match(badName.stderr, /username is 1-64 characters/);
  const shortFile = join(data.dir, 'short.txt');
  writeFileSync(shortFile, 'short');
  const short = await users('add', '--username', 'carol', '--password-file', shortFile);
  assert.equal(short.code, 2);
  assert.match(short.stderr, /8-1024 characters/);
  await users('add', '--username', 'dave');
  const noTerminal = await users('passwd', 'dave');
  assert.equal(noTerminal.code, 3);
  assert.match(noTerminal.stderr, /--password-file/);
  const asArgument = await users('passwd', 'dave', '--password', 'secret123');
  assert.notEqual(asArgument.code, 0, 'there is no --password option');
  const taken = await users('add', '--username', 'DAVE');
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /taken/);
  assert.match((await users('--help')).stdout, /passwd/);
});
