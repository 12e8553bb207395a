/**
 * `keyward/core`: the pure protocol layer (keys, JWS verification, client assertions and direct
 * tokens, access tokens, errors). No file system, network or database.
 */
export * from './errors.ts';
export * from './keys/index.ts';
export * from './jws/index.ts';
export * from './assertion/index.ts';
export * from './tokens/index.ts';
export * from './bearer/index.ts';
export { deepFreeze } from './deep-freeze.ts';
