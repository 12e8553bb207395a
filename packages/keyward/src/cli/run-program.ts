/**
 * Runs the `keyward` program with the commands it is given (main.ts passes the one that runs, or all
 * of them; a standalone command's bundle passes its own: scripts/build.mjs), and turns every error
 * into one line on standard error and a documented exit code. With `--json`, that line is a JSON
 * object too: `{"error", "error_description", "exit_code"}`, where `error` is the reason code of a
 * refusal (docs/reason-codes.md), the code of a key error, or the kind of a usage or input error, so
 * that scripts never parse prose.
 */
import { CommanderError, type Command } from 'commander';
import { KeyError, OAuthError } from '@keyward/core';
import { CliError, EXIT } from './output.ts';
import { createProgram } from './create-program.ts';
import type { RegisterCommand } from './commands/index.ts';

/** Runs `commands` on `argv` (as in process.argv) and sets the exit code. */
export async function runProgram(argv: readonly string[], commands: readonly RegisterCommand[]): Promise<void> {
  const program = createProgram(commands);
  const json = argv.slice(2).includes('--json');
  // Under --json, commander's own usage messages become the JSON line below instead.
  if (json) silenceErrors(program);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    process.exitCode = exitCodeFor(error, json);
  }
}

function silenceErrors(command: Command): void {
  command.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  for (const sub of command.commands) silenceErrors(sub);
}

/** The kind of a usage or input error, by its exit code (the `error` member under --json). */
const KINDS: Readonly<Record<number, string>> = { [EXIT.failed]: 'failed', [EXIT.usage]: 'usage', [EXIT.input]: 'input', [EXIT.unreachable]: 'unreachable' };

function exitCodeFor(error: unknown, json: boolean): number {
  let code: string;
  let message: string;
  let exitCode: number;
  if (error instanceof CommanderError) {
    // commander has already printed the help or version text, or (without --json) its message.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' || error.exitCode === 0) return EXIT.ok;
    if (!json) return EXIT.usage;
    [code, message, exitCode] = ['usage', error.message.replace(/^error: /, ''), EXIT.usage];
  } else if (error instanceof CliError) {
    [code, message, exitCode] = [KINDS[error.exitCode] ?? 'failed', error.message, error.exitCode];
  } else if (error instanceof KeyError) {
    [code, message, exitCode] = [error.code, error.message, EXIT.input];
  } else if (error instanceof OAuthError) {
    [code, message, exitCode] = [error.reason, json ? error.message : `${error.reason}: ${error.message}`, EXIT.failed];
  } else {
    [code, message, exitCode] = ['failed', error instanceof Error ? error.message : String(error), EXIT.failed];
  }
  process.stderr.write(json ? `${JSON.stringify({ error: code, error_description: message, exit_code: exitCode })}\n` : `keyward: ${message}\n`);
  return exitCode;
}
