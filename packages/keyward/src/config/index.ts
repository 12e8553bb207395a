/** Configuration: documented defaults, the strict schema, and the resolver. */
export { DEFAULT_CONFIG, DEFAULT_PORT, SETTING_DOCS, ENVIRONMENT_VARIABLES, environmentVariableOf, type KeywardConfig, type SettingDoc } from './defaults.ts';
export { configInputSchema, parseConfigInput, type KeywardConfigInput } from './schema.ts';
export { resolveConfig, type ResolveConfigInput } from './resolve-config.ts';
export { resolveIssuer } from './resolve-issuer.ts';
