/**
 * Entry point of the `keyward` binary: builds the commander program from the registered commands,
 * runs it, and turns every error into one line on standard error and a documented exit code. With
 * `--json`, that line is a JSON object too: `{"error", "error_description", "exit_code"}`, where
 * `error` is the reason code of a refusal (docs/reason-codes.md), the code of a key error, or the
 * kind of a usage or input error, so that scripts never parse prose.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from './output.ts';
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
 * `keyward --help` as the build wrote it from this same program (dist/bin/help.txt, by
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

/**
 * `keyward audit export | head`: the reader closed the pipe, so there is nobody left to tell; stop
 * quietly as other Unix tools do, instead of a stack trace for EPIPE.
 */
function stopOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

/** Runs the CLI with `argv` (as in process.argv) and sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  stopOnClosedPipe();
  const help = prebuiltHelp(argv);
  if (help !== undefined) {
    process.stdout.write(help);
    return;
  }
  // commander is loaded only past the prebuilt help: `keyward --help` reads one text file.
  const { createProgram } = await import('./create-program.ts');
  const program = createProgram(await commandsFor(argv));
  const json = argv.slice(2).includes('--json');
  // Under --json, commander's own usage messages become the JSON line below instead.
  if (json) silenceErrors(program);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    process.exitCode = await exitCodeFor(error, json);
  }
}

function silenceErrors(command: Command): void {
  command.configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  for (const sub of command.commands) silenceErrors(sub);
}

/** The kind of a usage or input error, by its exit code (the `error` member under --json). */
const KINDS: Readonly<Record<number, string>> = { [EXIT.failed]: 'failed', [EXIT.usage]: 'usage', [EXIT.input]: 'input', [EXIT.unreachable]: 'unreachable' };

async function exitCodeFor(error: unknown, json: boolean): Promise<number> {
  // Loaded here, not at start-up: `keyward --help` needs no protocol code.
  const [{ KeyError, OAuthError }, { CommanderError }] = await Promise.all([import('@keyward/core'), import('commander')]);
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
