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
  if (input.env !== undefined) {
    const { layer, variables } = readEnvironment(input.env);
    layers.push(parseConfigInput(layer, 'the KEYWARD_* environment variables', (path) => {
      // The variable that set the setting the problem is about (the longest path that has one).
      for (let end = path.length; end > 0; end -= 1) {
        const name = variables.get(path.slice(0, end).join('.'));
        if (name !== undefined) return name;
      }
      return undefined;
    }));
  }
  if (input.overrides !== undefined) layers.push(parseConfigInput(input.overrides, 'the command-line options'));
  let merged: Record<string, unknown> = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  for (const layer of layers) merged = mergeDeep(merged, layer as Record<string, unknown>);
  return deepFreeze(merged) as unknown as KeywardConfig;
}

/**
 * The KEYWARD_* variables as a partial config, and which variable set each setting. A value is read
 * as the type of the setting's default: a number or a boolean (`true`/`false`, `1`/`0`) when it looks
 * like one (anything else is left as text, which the schema then refuses under the variable's name),
 * a list as comma-separated values or a JSON array, a structured value as JSON. Empty values are
 * ignored.
 */
function readEnvironment(env: Readonly<Record<string, string | undefined>>): { layer: Record<string, unknown>; variables: Map<string, string> } {
  const layer: Record<string, unknown> = {};
  const variables = new Map<string, string>();
  for (const [name, path] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const keys = path.split('.');
    let section = layer;
    for (const key of keys.slice(0, -1)) section = (section[key] ??= {}) as Record<string, unknown>;
    section[keys[keys.length - 1]!] = readValue(raw, defaultAt(path));
    variables.set(path, name);
  }
  return { layer, variables };
}

function defaultAt(path: string): unknown {
  let value: unknown = DEFAULT_CONFIG;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

function readValue(raw: string, example: unknown): unknown {
  const text = raw.trim();
  if (typeof example === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : raw;
  if (typeof example === 'boolean') return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : raw;
  if (Array.isArray(example)) {
    if (text.startsWith('[')) return parseJson(text, raw);
    return text.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  }
  if (typeof example === 'object' && example !== null) return parseJson(text, raw);
  return raw;
}

function parseJson(text: string, raw: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return raw; // refused by the schema with the variable's name
  }
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

