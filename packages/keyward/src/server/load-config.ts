/**
 * Reads the configuration the way `keyward serve` and the local CLI commands do: the file named by
 * KEYWARD_CONFIG (or `--config`), then KEYWARD_* environment variables, then command-line overrides.
 */
import { readFileSync } from 'node:fs';
import { resolveConfig } from '../config/resolve-config.ts';
import type { KeywardConfig } from '../config/defaults.ts';
import type { KeywardConfigInput } from '../config/schema.ts';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Config file path; default: KEYWARD_CONFIG. */
  readonly configFile?: string;
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly overrides?: KeywardConfigInput;
}

/**
 * Returns the frozen configuration. Throws an Error with a clear message when the file cannot be
 * read, is not JSON, or holds an unknown or invalid setting.
 */
export function loadConfig(options: LoadConfigOptions = {}): KeywardConfig {
  const env = options.env ?? process.env;
  const path = options.configFile ?? (env.KEYWARD_CONFIG || undefined);
  let file: unknown;
  if (path !== undefined) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the config file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): check KEYWARD_CONFIG / --config`);
    }
    try {
      file = JSON.parse(text);
    } catch {
      throw new Error(`the config file ${path} is not valid JSON: fix its syntax (see docs/configuration.md for an example)`);
    }
  }
  return resolveConfig({
    ...(file === undefined ? {} : { file, fileName: path }),
    env,
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
}
