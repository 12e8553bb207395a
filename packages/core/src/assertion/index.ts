/**
 * Client assertions (RFC 7523 private_key_jwt) and direct-mode tokens: parse, verify, sign.
 */
export { parseClientAssertion, type ParsedClientAssertion } from './parse-client-assertion.ts';
export { verifyClientAssertion, type AssertionContext, type VerifiedAssertion } from './verify-client-assertion.ts';
export { parseDirectToken, type ParsedDirectToken, type ParseDirectTokenOptions } from './parse-direct-token.ts';
export { verifyDirectToken, type DirectTokenContext, type VerifiedDirectToken } from './verify-direct-token.ts';
export { signClientAssertion, type SignClientAssertionOptions } from './sign-client-assertion.ts';
export { signDirectToken, type SignDirectTokenOptions } from './sign-direct-token.ts';
export { loadSigningKey, type SigningKey, type SigningKeyInput } from './load-signing-key.ts';
export { checkKeyLifecycle } from './check-key-lifecycle.ts';
export {
  resolveAssertionPolicy,
  resolveDirectTokenPolicy,
  DEFAULT_ASSERTION_POLICY,
  DEFAULT_DIRECT_TOKEN_POLICY,
  type AssertionPolicy,
  type DirectTokenPolicy,
} from './policy.ts';
export { MAX_JTI_LENGTH, readTyp } from './claim-helpers.ts';
