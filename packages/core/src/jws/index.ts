/**
 * Compact JWS parsing and verification: one code path, Node's synchronous crypto (createVerify, or
 * crypto.verify for EdDSA) with the algorithm and key fixed by the registry.
 */
export { parseCompactJws, isCompactJwsShape } from './parse-compact-jws.ts';
export { checkJoseHeader } from './check-jose-header.ts';
export { decodeBase64UrlPart, encodeBase64Url, type JwsPartName } from './base64url.ts';
export { decodeJsonPart } from './decode-json-part.ts';
export { verifyJwsSignature, doesKeyFitAlgorithm, isWellFormedSignature } from './verify-jws-signature.ts';
export {
  verifyWithRegisteredKeys,
  findCandidateKeys,
  checkAlgorithm,
  type KeySelectionPolicy,
  type SelectedKey,
} from './select-verification-key.ts';
export { signCompactJws, signJwsInput } from './sign-compact-jws.ts';
export { decodeNumericDate, isMilliseconds, MILLISECONDS_THRESHOLD } from './numeric-date.ts';
export { DEFAULT_MAX_JWS_LENGTH, MAX_CACHED_HEADER_LENGTH, type JoseHeaderCache, type ParsedJws, type ParseJwsOptions } from './types.ts';
