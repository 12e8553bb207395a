/**
 * Resolves the configuration: defaults, then the config file, then KEYWARD_* environment variables,
 * then explicit overrides (command-line options). Pure: the caller reads the file and passes the
 * environment.
 */
import { deepFreeze } from '@keyward/core';
import { DEFAULT_CONFIG, ENVIRONMENT_VARIABLES, type KeywardConfig } from './defaults.ts';
import { parseConfigInput, type KeywardConfigInput } from './schema.ts';

/** Inputs of {@link resolveConfig}. */
export interface ResolveConfigInput {
  /** The parsed JSON of the config file, if any. */
  readonly file?: unknown;
  /** Where the file came from (for messages). */
  readonly fileName?: string;
  /** The environment (usually process.env); only KEYWARD_* variables are read. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Last word (command-line options, tests). Checked by the same schema. */
  readonly overrides?: KeywardConfigInput;
}

/**
 * Returns the deep-frozen configuration. Throws an Error naming the setting for an unknown key, a
 * wrong type or a bad value, in the file, the environment or the overrides.
 *
 * Does NOT read files or the process environment itself, and does not check that the data directory
 * or the database exists.
 */
export function resolveConfig(input: ResolveConfigInput = {}): KeywardConfig {
  const layers: KeywardConfigInput[] = [];
  if (input.file !== undefined) layers.push(parseConfigInput(input.file, input.fileName ?? 'the config file'));
  if (input.env !== undefined) layers.push(parseConfigInput(readEnvironment(input.env), 'the KEYWARD_* environment variables'));
  if (input.overrides !== undefined) layers.push(parseConfigInput(input.overrides, 'the command-line options'));
  let merged: Record<string, unknown> = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  for (const layer of layers) merged = mergeDeep(merged, layer as Record<string, unknown>);
  return deepFreeze(merged) as unknown as KeywardConfig;
}

/** The KEYWARD_* variables as a partial config (numbers parsed; empty values ignored). */
function readEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, path] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const [section, key] = path.split('.') as [string, string];
    let value: unknown = raw;
    if (name === 'KEYWARD_PORT' || name === 'KEYWARD_WORKERS') {
      value = /^\d+$/.test(raw) ? Number(raw) : raw; // a non-number is refused by the schema with its name
    }
    (out[section] ??= {})[key] = value;
  }
  return out;
}

function mergeDeep(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined || key === '$schema') continue;
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? mergeDeep(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

