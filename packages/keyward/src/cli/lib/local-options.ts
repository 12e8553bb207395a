/**
 * The options of a command that works on the local data only (the server's data directory or
 * database, as `keyward serve` reads them): --config, --data-dir and --json.
 */
import type { Command } from 'commander';

/** The parsed local options. */
export interface LocalOptions { config?: string; dataDir?: string; json?: boolean }

/** Adds --config, --data-dir and --json to `command`. */
export function addLocalOptions(command: Command): Command {
  return command
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--json', 'print JSON with wire names');
}
