export { resolveKeyEncryption, keyEncryptionKeyId, KeyEncryptionConfigError, type KeyEncryption, type KeyEncryptionKey } from './resolve-key-encryption.ts';
export { wrapPrivateJwk, unwrapPrivateJwk, rewrapPrivateJwk, isWrappedPrivateJwk, SigningKeyUnwrapError, type WrappedPrivateJwk } from './wrap-private-jwk.ts';
