/**
 * Under --json, a failing command's line on standard error is JSON too: `error` (a reason code, a
 * key error code, or the kind of failure), `error_description` and `exit_code`, and the exit code is
 * the documented one. Without --json the same failures stay one human line.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKeyward } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'keyward-json-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function jsonError(stderr: string): { error: string; error_description: string; exit_code: number } {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${stderr}`);
  return JSON.parse(lines[0]!) as { error: string; error_description: string; exit_code: number };
}

test('--json errors: a usage error, an unreadable input and a refused key each give one JSON line and their exit code', async () => {
  const usage = await runKeyward(['keygen', '--bogus', '--json'], { cwd: dir });
  assert.equal(usage.code, 2);
  assert.deepEqual(jsonError(usage.stderr), { error: 'usage', error_description: "unknown option '--bogus'", exit_code: 2 });

  const input = await runKeyward(['inspect', 'abc.def', '--json'], { cwd: dir });
  assert.equal(input.code, 3);
  const parsed = jsonError(input.stderr);
  assert.equal(parsed.error, 'input');
  assert.equal(parsed.exit_code, 3);
  assert.match(parsed.error_description, /not a decodable JWT/);

  writeFileSync(join(dir, 'private.pem'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const privateKey = await runKeyward(['clients', 'add', '--name', 'x', '--public-key', join(dir, 'private.pem'), '--data-dir', join(dir, 'data'), '--json'], { cwd: dir });
  assert.equal(privateKey.code, 3);
  const refused = jsonError(privateKey.stderr.split('\n').filter((line) => line.startsWith('{')).join('\n'));
  assert.equal(refused.error, 'key_is_private');
  assert.match(refused.error_description, /register the public key only/);

  const human = await runKeyward(['keygen', '--bogus'], { cwd: dir });
  assert.equal(human.code, 2);
  assert.match(human.stderr, /^error: unknown option '--bogus'/);
});
