/**
 * `keyward/verify`: resource-server verification of Keyward access tokens (mode A) and direct
 * client-signed tokens (mode B), with adapters for Express, Fastify, Hono and node:http.
 * See docs/verify.md.
 */
export { createVerifier, type AuthenticateResult, type Verifier, type VerifierOptions, type VerifyOptions } from './create-verifier.ts';
export { createAccessTokenMode, type AccessTokenMode, type AccessTokenModeOptions } from './mode-access-token.ts';
export { createDirectMode, type DirectMode, type DirectModeOptions } from './mode-direct.ts';
export { readBearerToken, type HeaderRecord, type VerifyInput } from './read-bearer-token.ts';
export { buildWwwAuthenticate, toBearerChallenge, type BearerChallenge, type ChallengeParams } from './errors.ts';
/** The RFC 6750 §3.1 status rule, shared with the server (kept here for users of earlier releases). */
export { mapReasonToBearer } from '@keyward/core';
export { createIntrospectionCheck, type IntrospectionCheck, type IntrospectionOptions } from './introspection.ts';
export { createMemoryReplayStore, type MemoryReplayStoreOptions } from './memory-replay-store.ts';
export { discoverIssuer, type IssuerMetadata } from './discovery.ts';
export { BoundedCache } from './bounded-cache.ts';
export * from './key-sources/index.ts';
export * from './adapters/index.ts';
export type { ClientKeys, ClientKeySource, FetchLike, Principal, ReplayStore, VerifyMode } from './types.ts';
