/**
 * Output conventions of the CLI. Under --json, a failing command's line on standard error is JSON
 * too: `error` (a reason code, a key error code, or the kind of failure), `error_description` and
 * `exit_code`, and the exit code is the documented one; without --json the same failures stay one
 * human line. doctor's PASS / FAIL colours follow the terminal, NO_COLOR and FORCE_COLOR; long work
 * (keygen of a large RSA key) reports its progress on standard error.
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

test('doctor paints PASS / FAIL on a terminal (FORCE_COLOR stands in for one here), never when piped or with NO_COLOR', async () => {
  // A token with alg none: the alg check FAILs, the typ check PASSes.
  const token = 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJjIn0.';
  const ESC = '\u001b[';
  const piped = await runKeyward(['doctor', token], { cwd: dir, env: { NO_COLOR: '', FORCE_COLOR: '' } });
  assert.equal(piped.code, 1);
  assert.match(piped.stdout, /^FAIL {2}alg "none" is not allowed/m);
  assert.ok(!piped.stdout.includes(ESC), 'no escape codes in a pipe');
  const forced = await runKeyward(['doctor', token], { cwd: dir, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.ok(forced.stdout.includes(`${ESC}31mFAIL${ESC}39m`), forced.stdout);
  assert.ok(forced.stdout.includes(`${ESC}32mPASS${ESC}39m`), forced.stdout);
  const noColour = await runKeyward(['doctor', token], { cwd: dir, env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
  assert.ok(!noColour.stdout.includes(ESC), 'NO_COLOR wins');
  const json = await runKeyward(['doctor', token, '--json'], { cwd: dir, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.ok(!json.stdout.includes(ESC), '--json is never painted');
});

test('keygen says that a large RSA key is being generated, and how long it took; not under --json', async () => {
  const slow = await runKeyward(['keygen', '--type', 'rsa', '--bits', '3072', '--out', join(dir, 'big')], { cwd: dir });
  assert.equal(slow.code, 0, slow.stderr);
  assert.match(slow.stderr, /^keyward: generating a 3072-bit RSA key pair\.\.\.\nkeyward: generating a 3072-bit RSA key pair: done in \d+\.\d s\n$/);
  const quiet = await runKeyward(['keygen', '--type', 'rsa', '--bits', '3072', '--out', join(dir, 'big-json'), '--json'], { cwd: dir });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
  const quick = await runKeyward(['keygen', '--type', 'ec', '--out', join(dir, 'small')], { cwd: dir });
  assert.doesNotMatch(quick.stderr, /generating/, 'a quick key says nothing');
});
