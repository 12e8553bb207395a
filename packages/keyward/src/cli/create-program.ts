/**
 * The commander program of the `keyward` binary, with the commands it is given (main.ts registers
 * only the one that runs; build-program.ts all of them).
 */
import { Command } from 'commander';
import type { RegisterCommand } from './commands/index.ts';

/** The `keyward` program with the given commands registered. */
export function createProgram(commands: readonly RegisterCommand[]): Command {
  const program = new Command('keyward')
    .description('Asymmetric client authentication: keys, assertions, tokens and the Keyward server.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // A command's options belong to the command they follow: `audit export --reason x` filters the
    // export, not `audit` (commander splits positional options only when the program asks).
    .enablePositionalOptions()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}
