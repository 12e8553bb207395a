export { createJwksUriFetcher, DEFAULT_JWKS_URI_OPTIONS } from './create-jwks-uri-fetcher.ts';
export type { JwksUriFetcher, JwksUriFetcherOptions, JwksUriKeys } from './create-jwks-uri-fetcher.ts';
export { fetchJwks, checkJwksUri, readJwksDocument, normaliseHost } from './fetch-jwks.ts';
export type { FetchJwksOptions, FetchedJwks, ResolveHost } from './fetch-jwks.ts';
export { describeRefusedAddress } from '../outbound/check-address.ts';
export { createServerJwksUriKeys, type ServerJwksUriKeys } from './server-jwks-uri-keys.ts';
