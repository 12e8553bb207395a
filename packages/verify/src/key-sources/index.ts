/** Key sources of the verifier (re-exports only). */
export { createRemoteJwks, readJwksKeys, type RemoteJwks, type RemoteJwksOptions } from './remote-jwks.ts';
export { createRegistryKeySource, toRegisteredKeyFromRegistry, KEYS_READ_SCOPE, type RegistryKeySourceOptions } from './registry.ts';
export { createDirectoryKeySource, KEY_FILE_EXTENSIONS, type DirectoryKeySourceOptions } from './directory.ts';
export { createStoreKeySource, toRegisteredKeyFromRecord, type StoreKeySourceOptions, type ClientKeyStore, type StoredClientKey } from './store.ts';
export { createCachedKeySource, type CachedKeySourceOptions, type LoadedClientKeys } from './cached-key-source.ts';
