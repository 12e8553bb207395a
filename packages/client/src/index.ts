/**
 * `keyward/client`: the SDK of the party that holds the private key. See docs/client.md.
 */
export { createTokenClient, type TokenClient, type TokenClientOptions, type TokenRequestParams } from './token-client.ts';
export { createFetchWithToken, type FetchLike, type FetchWithTokenOptions, type GetBearerToken } from './fetch-with-token.ts';
export { createDirectTokenFetch, type DirectTokenFetchOptions } from './direct-token-fetch.ts';
export { discoverAuthorizationServer, buildMetadataUrl, type AuthorizationServerMetadata, type DiscoveryOptions } from './discovery.ts';
export { buildTokenRequest, processTokenResponse, JWT_BEARER_ASSERTION_TYPE, type TokenRequestOptions, type TokenResponse } from './token-request.ts';
export { TokenRequestError, DiscoveryError, readServerDate } from './errors.ts';
export { signClientAssertion, type SignClientAssertionOptions } from '@keyward/core';
export { signDirectToken, type SignDirectTokenOptions } from '@keyward/core';
