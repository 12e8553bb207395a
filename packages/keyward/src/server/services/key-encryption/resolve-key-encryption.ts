/**
 * The key-encryption keys (KEK) of the stored signing keys, from the configuration: `keys.encryptionKey`
 * (KEYWARD_KEY_ENCRYPTION_KEY) or `keys.encryptionKeyFile` (KEYWARD_KEY_ENCRYPTION_KEY_FILE), and
 * the previous one, accepted for reading during a rotation. A KEK is 32 bytes, written as base64url
 * (43 characters) or hex (64); a file may also hold the 32 raw bytes. Each KEK gets an id, a short
 * SHA-256 fingerprint stored beside every key it wraps, so a stored key names the KEK it needs.
 *
 * Errors name the setting and the rule, never the key material.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KeywardConfig } from '../../../config/defaults.ts';

/** One key-encryption key. */
export interface KeyEncryptionKey {
  /** Fingerprint: the first 16 hex digits of SHA-256 over the key. Not secret. */
  readonly id: string;
  readonly key: Buffer;
}

/** The configured KEKs: `current` wraps; `current` and `previous` unwrap. Both absent: no encryption. */
export interface KeyEncryption {
  readonly current?: KeyEncryptionKey;
  readonly previous?: KeyEncryptionKey;
}

/** A KEK setting that cannot be used (unreadable file, wrong length or encoding). */
export class KeyEncryptionConfigError extends Error {
  override readonly name = 'KeyEncryptionConfigError';
}

const KEK_BYTES = 32;

/** The id of a KEK (see KeyEncryptionKey.id). */
export function keyEncryptionKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function decodeKek(text: string, setting: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/=$/, ''), 'base64url');
    if (key.length === KEK_BYTES) return key;
  }
  throw new KeyEncryptionConfigError(`${setting} must be 32 random bytes written as base64url (43 characters) or hex (64 characters); generate one with \`openssl rand -hex 32\``);
}

function readKek(value: string | undefined, file: string | undefined, setting: string, fileSetting: string): KeyEncryptionKey | undefined {
  let key: Buffer;
  if (value !== undefined) {
    key = decodeKek(value, setting);
  } else if (file !== undefined) {
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch (error) {
      throw new KeyEncryptionConfigError(`cannot read ${fileSetting} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    key = raw.length === KEK_BYTES ? raw : decodeKek(raw.toString('utf8'), `the file ${file} (${fileSetting})`);
  } else {
    return undefined;
  }
  return { id: keyEncryptionKeyId(key), key };
}

/**
 * Reads the KEKs the configuration names (a value wins over a file). Throws
 * KeyEncryptionConfigError when one is set but unusable, or when only a previous KEK is set.
 */
export function resolveKeyEncryption(config: KeywardConfig): KeyEncryption {
  const { encryptionKey, encryptionKeyFile, previousEncryptionKey, previousEncryptionKeyFile } = config.keys;
  const current = readKek(encryptionKey, encryptionKeyFile, 'keys.encryptionKey (KEYWARD_KEY_ENCRYPTION_KEY)', 'keys.encryptionKeyFile (KEYWARD_KEY_ENCRYPTION_KEY_FILE)');
  const previous = readKek(previousEncryptionKey, previousEncryptionKeyFile, 'keys.previousEncryptionKey (KEYWARD_KEY_ENCRYPTION_KEY_PREVIOUS)', 'keys.previousEncryptionKeyFile (KEYWARD_KEY_ENCRYPTION_KEY_PREVIOUS_FILE)');
  if (previous !== undefined && current === undefined) {
    throw new KeyEncryptionConfigError('a previous key-encryption key is set without a current one: set keys.encryptionKeyFile (KEYWARD_KEY_ENCRYPTION_KEY_FILE) to the new key');
  }
  return { ...(current ? { current } : {}), ...(previous && previous.id !== current?.id ? { previous } : {}) };
}
