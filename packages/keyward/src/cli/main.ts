/**
 * Entry point of the `keyward` binary: builds the commander program from the registered commands,
 * runs it, and turns every error into one line on standard error and a documented exit code.
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { CliError, EXIT } from './output.ts';
import { KeyError, OAuthError } from '@keyward/core';

/** Builds the program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('keyward')
    .description('Asymmetric client authentication: keys, assertions, tokens and the Keyward server.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs the CLI with `argv` (as in process.argv) and sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
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
