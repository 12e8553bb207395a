/**
 * Passphrases for encrypted private keys: `--passphrase-env NAME`, `--passphrase-file PATH`, else a
 * hidden prompt when standard input is a terminal. A passphrase is never printed or logged.
 */
import { readFileSync } from 'node:fs';
import { CliError, EXIT } from '../output.ts';

/** The passphrase options every key-reading command offers. */
export interface PassphraseOptions {
  passphraseEnv?: string;
  passphraseFile?: string;
}

/**
 * Returns the passphrase from the environment variable or the file (one trailing newline removed),
 * else asks at a hidden prompt (twice with `confirm`) when stdin is a TTY. Without a terminal and
 * without either option it throws a CliError naming both options.
 */
export async function readPassphrase(options: PassphraseOptions, purpose: string, confirm = false): Promise<string> {
  if (options.passphraseEnv !== undefined) {
    const value = process.env[options.passphraseEnv];
    if (value === undefined || value === '') throw new CliError(`the environment variable ${options.passphraseEnv} (--passphrase-env) is not set or empty: export it first`, EXIT.input);
    return value;
  }
  if (options.passphraseFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.passphraseFile, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the passphrase file ${options.passphraseFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.input);
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') throw new CliError(`the passphrase file ${options.passphraseFile} is empty`, EXIT.input);
    return value;
  }
  if (!process.stdin.isTTY) {
    throw new CliError(`${purpose} needs a passphrase and there is no terminal to ask it: use --passphrase-env NAME or --passphrase-file PATH`, EXIT.input);
  }
  try {
    const { default: password } = await import('@inquirer/password');
    const first = await password({ message: `Passphrase for ${purpose}:`, mask: false }, { output: process.stderr });
    if (confirm) {
      const second = await password({ message: 'Repeat the passphrase:', mask: false }, { output: process.stderr });
      if (first !== second) throw new CliError('the two passphrases differ: try again', EXIT.input);
    }
    if (first === '') throw new CliError('an empty passphrase was given', EXIT.input);
    return first;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`the passphrase prompt failed (${(error as Error).name}): use --passphrase-env NAME or --passphrase-file PATH`, EXIT.input);
  }
}
