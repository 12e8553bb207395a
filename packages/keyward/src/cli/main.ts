/**
 * Entry point of the `keyward` binary: builds the commander program from the registered commands,
 * runs it, and turns every error into one line on standard error and a documented exit code.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { CliError, EXIT } from './output.ts';
import { createProgram } from './create-program.ts';
import { COMMAND_LOADERS } from './commands/loaders.ts';
import type { RegisterCommand } from './commands/index.ts';

/**
 * The commands to register for `argv`: only the one named (its module and what it imports), or all
 * of them when none is named or the name is unknown (top-level help, `help`, suggestions).
 */
async function commandsFor(argv: readonly string[]): Promise<readonly RegisterCommand[]> {
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const load = name !== undefined && Object.hasOwn(COMMAND_LOADERS, name) ? COMMAND_LOADERS[name] : undefined;
  if (load !== undefined) return load();
  return (await import('./commands/index.ts')).COMMANDS;
}

/**
 * `keyward --help` as the build wrote it from this same program (dist/cli/help.txt, by
 * scripts/build.mjs; test/package/package-checks.test.ts checks it is current), so that the top-level
 * help loads no command module. Undefined from the sources, where the program prints it itself.
 */
function prebuiltHelp(argv: readonly string[]): string | undefined {
  if (argv.length !== 3 || (argv[2] !== '--help' && argv[2] !== '-h') || import.meta.url.endsWith('.ts')) return undefined;
  try {
    return readFileSync(new URL('./help.txt', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

/** Runs the CLI with `argv` (as in process.argv) and sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  const help = prebuiltHelp(argv);
  if (help !== undefined) {
    process.stdout.write(help);
    return;
  }
  const program = createProgram(await commandsFor(argv));
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    process.exitCode = await exitCodeFor(error);
  }
}

async function exitCodeFor(error: unknown): Promise<number> {
  // Loaded here, not at start-up: `keyward --help` needs no protocol code.
  const { KeyError, OAuthError } = await import('@keyward/core');
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help/version text).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`keyward: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof KeyError) {
    process.stderr.write(`keyward: ${error.message}\n`);
    return EXIT.input;
  }
  if (error instanceof OAuthError) {
    process.stderr.write(`keyward: ${error.reason}: ${error.message}\n`);
    return EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`keyward: ${message}\n`);
  return EXIT.failed;
}
