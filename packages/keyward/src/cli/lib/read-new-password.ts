/**
 * An end user's new password for `keyward users add | passwd`: `--password-file PATH` (one
 * trailing newline removed) or `--password-env NAME`, else a hidden prompt, asked twice, when
 * standard input is a terminal. Never a command-line argument (it would show in `ps` and in the
 * shell history). The password is never printed or logged; its rules are the registry's.
 */
import { readFileSync } from 'node:fs';
import { CliError, EXIT } from '../output.ts';

/** The options of the commands that set a password. */
export interface NewPasswordOptions {
  passwordFile?: string;
  passwordEnv?: string;
}

/**
 * The password from the file, the variable or the prompt. With `optional`, no option and no
 * terminal gives undefined (a user without a password); otherwise that is a CliError naming the
 * options.
 */
export async function readNewPassword(options: NewPasswordOptions, username: string, optional = false): Promise<string | undefined> {
  if (options.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.passwordFile, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the password file ${options.passwordFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.input);
    }
    return text.replace(/\r?\n$/, '');
  }
  if (options.passwordEnv !== undefined) {
    const value = process.env[options.passwordEnv];
    if (value === undefined || value === '') throw new CliError(`the environment variable ${options.passwordEnv} (--password-env) is not set or empty`, EXIT.input);
    return value;
  }
  if (!process.stdin.isTTY) {
    if (optional) return undefined;
    throw new CliError('there is no terminal to ask the password: use --password-file PATH or --password-env NAME', EXIT.input);
  }
  try {
    const { default: password } = await import('@inquirer/password');
    const first = await password({ message: `New password for ${username}${optional ? ' (empty: none for now)' : ''}:`, mask: false }, { output: process.stderr });
    if (first === '' && optional) return undefined;
    const second = await password({ message: 'Repeat the password:', mask: false }, { output: process.stderr });
    if (first !== second) throw new CliError('the two passwords differ: try again', EXIT.input);
    return first;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`the password prompt failed (${(error as Error).name}): use --password-file PATH or --password-env NAME`, EXIT.input);
  }
}
