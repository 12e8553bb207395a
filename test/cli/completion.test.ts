/**
 * `keyward completion`: the scripts are written from the real program. The bash script is loaded
 * into a real bash and asked to complete, as bash itself would (COMP_WORDS / COMP_CWORD); the zsh
 * and fish scripts name every command and option; an unknown shell is a usage error.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKeyward } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'keyward-completion-'));
const script = join(dir, 'keyward.bash');
before(async () => {
  const bash = await runKeyward(['completion', 'bash']);
  assert.equal(bash.code, 0, bash.stderr);
  writeFileSync(script, bash.stdout);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** What bash completes for the command line `words` (the last word is the one being completed). */
function complete(words: string[]): string[] {
  const array = words.map((word) => `'${word}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source '${script}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _keyward; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line !== '');
}

test('bash completes commands, subcommands and each command\'s own options', () => {
  assert.deepEqual(complete(['keyward', 'cli']), ['clients']);
  assert.deepEqual(complete(['keyward', 'in']).sort(), ['initial-access-token', 'inspect', 'introspect']);
  assert.deepEqual(complete(['keyward', 'token', '--iss']), ['--issuer']);
  assert.deepEqual(complete(['keyward', 'clients', 'add', '--name', 'shop', '--pub']), ['--public-key']);
  assert.deepEqual(complete(['keyward', 'clients', 'keys', 'ro']), ['rotate']);
  assert.deepEqual(complete(['keyward', 'keys', '--']).sort(), ['--help']);
  assert.ok(complete(['keyward', 'clients', 'add', '--']).includes('--jwks-uri'));
  assert.deepEqual(complete(['keyward', 'token', '--no-such']), []);
});

test('zsh and fish scripts cover the same commands; an unknown shell is a usage error', async () => {
  const zsh = await runKeyward(['completion', 'zsh']);
  assert.equal(zsh.code, 0, zsh.stderr);
  assert.match(zsh.stdout, /bashcompinit/);
  assert.match(zsh.stdout, /complete -o default -F _keyward keyward/);
  const fish = await runKeyward(['completion', 'fish']);
  assert.equal(fish.code, 0, fish.stderr);
  assert.match(fish.stdout, /^complete -c keyward -n '__fish_use_subcommand' -a 'verify' -d /m);
  assert.match(fish.stdout, /^complete -c keyward -n '__fish_seen_subcommand_from clients; and __fish_seen_subcommand_from add' -l 'public-key' -d /m);
  const unknown = await runKeyward(['completion', 'tcsh']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /use bash, zsh or fish/);
});
