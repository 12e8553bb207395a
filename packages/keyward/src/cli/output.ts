/**
 * Output and exit conventions shared by every command: data on standard output (human by default,
 * `--json` with wire names for scripts), one clear line on standard error on failure.
 *
 * Exit codes (docs/cli.md): 0 success; 1 refused or failed (a token refused, a check failed);
 * 2 usage error; 3 unreadable input (key file, passphrase, token format); 4 server unreachable.
 */
import { styleText } from 'node:util';

export const EXIT = { ok: 0, failed: 1, usage: 2, input: 3, unreachable: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with one line on standard error and the given exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Prints `data` as JSON when `json` is set, else the human rendering. */
export function printResult(json: boolean | undefined, data: unknown, human: () => string): void {
  if (json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** A warning on standard error (the command still succeeds); nothing when `message` is undefined. */
export function printWarning(message: string | undefined): void {
  if (message !== undefined) process.stderr.write(`keyward: warning: ${message}\n`);
}

/** The colours output.ts paints with. */
export type Colour = 'green' | 'red' | 'yellow' | 'gray';

/**
 * True when standard output takes colour: a terminal, unless NO_COLOR is set (no-color.org) or
 * TERM is "dumb"; FORCE_COLOR (set, not "0") also colours a pipe. NO_COLOR wins over FORCE_COLOR.
 */
export function stdoutHasColour(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

/** `text` in `colour` when standard output takes colour (stdoutHasColour), else as it is. */
export function paint(text: string, colour: Colour): string {
  return stdoutHasColour() ? styleText(colour, text) : text;
}

/**
 * Runs `work` and reports its progress on standard error: on a terminal a line that counts the
 * seconds, rewritten in place; elsewhere one line before and one after. Nothing under `--json`
 * (`quiet`), so that standard error stays machine-readable there.
 */
export async function withProgress<T>(label: string, quiet: boolean | undefined, work: () => Promise<T>): Promise<T> {
  if (quiet) return work();
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(tty ? `keyward: ${label}...` : `keyward: ${label}...\n`);
  const timer = tty ? setInterval(() => process.stderr.write(`\rkeyward: ${label}... ${seconds()} s`), 250) : undefined;
  try {
    const result = await work();
    process.stderr.write(`${tty ? '\r' : ''}keyward: ${label}: done in ${seconds()} s\n`);
    return result;
  } finally {
    if (timer !== undefined) clearInterval(timer);
  }
}
