/**
 * Reads the TOKEN argument of inspect and doctor: the token itself, `-` for standard input, or
 * `@file`. The text is returned as given (line breaks included: the doctor diagnoses them);
 * a single trailing newline from a file or a pipe is removed, as `$(cat file)` would.
 */
import { readFileSync } from 'node:fs';
import { CliError, EXIT } from '../output.ts';

/** The token text. Never printed by the caller unless asked. */
export function readTokenArgument(argument: string): string {
  let text = argument;
  if (argument === '-' || argument.startsWith('@')) {
    const path = argument === '-' ? 0 : argument.slice(1);
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the token from ${argument === '-' ? 'standard input' : argument.slice(1)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.input);
    }
    text = text.replace(/\r?\n$/, '');
  }
  text = text.replace(/^\s*Bearer\s+/i, '');
  if (text.trim() === '') throw new CliError('the token is empty', EXIT.input);
  return text;
}
