/**
 * The `keyward` binary loads only the command that runs (cli/commands/loaders.ts): the table names
 * every command of the whole program, each loader registers the same command (same help), and
 * `keyward inspect` reads neither the server nor the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../packages/keyward/src/cli/build-program.ts';
import { createProgram } from '../../packages/keyward/src/cli/create-program.ts';
import { COMMAND_LOADERS } from '../../packages/keyward/src/cli/commands/loaders.ts';
import { STANDALONE_COMMANDS } from '../../packages/keyward/src/cli/commands/standalone.ts';
import { BIN, runCommand } from './run-cli.ts';

test('every command of the program has a loader, and the loader registers the same command', async () => {
  const whole = buildProgram();
  const names = whole.commands.map((command) => command.name()).sort();
  assert.deepEqual(Object.keys(COMMAND_LOADERS).sort(), names);
  for (const name of names) {
    const alone = createProgram(await COMMAND_LOADERS[name]!());
    assert.deepEqual(alone.commands.map((command) => command.name()), [name], name);
    const help = (program: typeof whole) => {
      const command = program.commands.find((c) => c.name() === name)!;
      return [command.helpInformation(), ...command.commands.map((sub) => sub.helpInformation())].join('\n');
    };
    assert.equal(help(alone), help(whole), `${name}: the lazily loaded command differs from the one in COMMANDS`);
  }
});

test('the standalone commands (bundled one file each) are commands of the program, and completion, which lists them all, is not one', () => {
  for (const name of STANDALONE_COMMANDS) assert.ok(Object.hasOwn(COMMAND_LOADERS, name), name);
  assert.ok(!STANDALONE_COMMANDS.includes('completion'));
});

test('keyward inspect loads neither the server, the store nor the other commands', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-loaders-'));
  try {
    const log = join(dir, 'modules.txt');
    const recorder = fileURLToPath(new URL('./fixtures/record-modules.mjs', import.meta.url));
    const result = await runCommand(process.execPath, ['--import', recorder, BIN, 'inspect', '--help'], { env: { KEYWARD_TEST_MODULE_LOG: log } });
    assert.equal(result.code, 0, result.stderr);
    const loaded = readFileSync(log, 'utf8').split('\n').filter((url) => url.includes('/packages/keyward/src/'));
    assert.ok(loaded.some((url) => url.endsWith('/cli/commands/inspect.ts')), 'inspect.ts was loaded');
    const unwanted = loaded.filter((url) => /\/src\/(server|store)\/|\/cli\/commands\/(?!inspect\.ts|loaders\.ts)/.test(url));
    assert.deepEqual(unwanted, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
