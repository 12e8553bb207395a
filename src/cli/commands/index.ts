/**
 * Every command of the `keyward` binary, each registered by its own module.
 * Add a command: write `commands/<name>.ts` exporting `register<Name>Command(program)` and list it here.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
];
