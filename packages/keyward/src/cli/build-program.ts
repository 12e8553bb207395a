/**
 * The whole `keyward` program, every command registered (the tests and the docs check walk it;
 * the binary itself loads only the command that runs: main.ts).
 */
import type { Command } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { createProgram } from './create-program.ts';

/** Builds the program with every command. */
export function buildProgram(): Command {
  return createProgram(COMMANDS);
}
