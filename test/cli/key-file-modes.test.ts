/**
 * Every private key file the CLI writes is 0600 (src/cli/lib/write-files.ts, the one writer of
 * `keygen` and `admin init`), also when `--force` overwrites a file that was readable by others.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKeyward } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'keyward-key-modes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const modeOf = (path: string): number => statSync(path).mode & 0o777;

test('keygen --force over a private key file with mode 0644 leaves it 0600', async () => {
  const out = join(dir, 'client');
  writeFileSync(`${out}-private.pem`, 'old');
  chmodSync(`${out}-private.pem`, 0o644);
  const result = await runKeyward(['keygen', '--out', out, '--force', '--type', 'ec']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(modeOf(`${out}-private.pem`), 0o600);
  assert.equal(modeOf(`${out}-public.pem`), 0o644);
});

test('admin init writes admin.key 0600, also with --force over an admin.key with mode 0644', async () => {
  const dataDir = join(dir, 'data');
  const out = join(dir, 'admin');
  const first = await runKeyward(['admin', 'init', '--out', out, '--issuer', 'http://127.0.0.1:9', '--json'], { env: { KEYWARD_DATA_DIR: dataDir } });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(modeOf(join(out, 'admin.key')), 0o600);
  chmodSync(join(out, 'admin.key'), 0o644);
  const forced = await runKeyward(['admin', 'init', '--out', out, '--issuer', 'http://127.0.0.1:9', '--client-id', 'second-admin', '--force', '--json'], { env: { KEYWARD_DATA_DIR: dataDir } });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(modeOf(join(out, 'admin.key')), 0o600);
  assert.equal(modeOf(dataDir), 0o700);
  assert.equal(modeOf(join(dataDir, 'keyward.sqlite')), 0o600);
});
