/** RFC 9068 access tokens: build, sign, verify (our own tokens). */
export { buildAccessTokenClaims, signAccessToken, signJws, signTypedJwt, type AccessTokenClaims, type AccessTokenInput, type AccessTokenSigningKey } from './access-token.ts';
export { verifyAccessToken, type ServerPublicKey, type VerifiedAccessToken } from './verify-access-token.ts';
export { buildIdTokenClaims, computeAtHash, signIdToken, type IdTokenInput } from './id-token.ts';
