/**
 * Encryption at rest of the server's private signing keys: the private JWK is stored as
 * `{ "keyward_wrapped": "A256GCM", "kek": <KEK id>, "iv", "ct", "tag" }` (base64url), AES-256-GCM
 * (NIST SP 800-38D) under the key-encryption key, a random 96-bit IV per wrap, and the key's `kid`
 * as additional authenticated data, so a wrapped key copied onto another record does not unwrap.
 * The same column holds either form, so no schema change is needed and a plaintext key still reads.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyEncryption, KeyEncryptionKey } from './resolve-key-encryption.ts';

/** The stored form of a wrapped private JWK. */
export interface WrappedPrivateJwk {
  readonly keyward_wrapped: 'A256GCM';
  readonly kek: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
  readonly [member: string]: unknown;
}

/** A stored private key that cannot be unwrapped with the configured KEKs. */
export class SigningKeyUnwrapError extends Error {
  override readonly name = 'SigningKeyUnwrapError';
}

/** True when `stored` is the wrapped form (else a plaintext JWK). */
export function isWrappedPrivateJwk(stored: Record<string, unknown>): stored is WrappedPrivateJwk {
  return stored.keyward_wrapped !== undefined;
}

/** Wraps a plaintext private JWK of the signing key `kid` with `kek`. */
export function wrapPrivateJwk(privateJwk: Record<string, unknown>, kid: string, kek: KeyEncryptionKey): WrappedPrivateJwk {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(privateJwk), 'utf8'), cipher.final()]);
  return { keyward_wrapped: 'A256GCM', kek: kek.id, iv: iv.toString('base64url'), ct: ct.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
}

/**
 * The plaintext private JWK of a stored key (returned as is when not wrapped). Throws
 * SigningKeyUnwrapError naming the kid and the KEK id (never key material) when the KEK it names is
 * not configured, or when the authentication tag does not match (wrong key, altered data).
 */
export function unwrapPrivateJwk(stored: Record<string, unknown>, kid: string, encryption: KeyEncryption): Record<string, unknown> {
  if (!isWrappedPrivateJwk(stored)) return stored;
  if (stored.keyward_wrapped !== 'A256GCM') throw new SigningKeyUnwrapError(`signing key ${kid} is wrapped with ${String(stored.keyward_wrapped)}, which this version does not know`);
  const kek = [encryption.current, encryption.previous].find((candidate) => candidate?.id === stored.kek);
  if (kek === undefined) {
    const configured = [encryption.current, encryption.previous].filter((k) => k !== undefined).map((k) => k.id);
    throw new SigningKeyUnwrapError(`signing key ${kid} is encrypted with key-encryption key ${stored.kek}, which is not configured (${configured.length === 0 ? 'no key-encryption key is set' : `configured: ${configured.join(', ')}`}); set keys.encryptionKeyFile (KEYWARD_KEY_ENCRYPTION_KEY_FILE), or keys.previousEncryptionKeyFile during a rotation, to that key`);
  }
  try {
    // authTagLength pins the full 128-bit tag: a shortened tag in the store is refused, not checked on fewer bits.
    const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(stored.iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(Buffer.from(stored.tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(stored.ct, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new SigningKeyUnwrapError(`signing key ${kid} does not decrypt with key-encryption key ${kek.id}: the stored data was altered or belongs to another key`, { cause: error });
  }
}

/**
 * The stored form under the current KEK: plaintext wrapped, a key wrapped with another KEK
 * re-wrapped; undefined when nothing changes (no current KEK, or already wrapped with it).
 */
export function rewrapPrivateJwk(stored: Record<string, unknown>, kid: string, encryption: KeyEncryption): WrappedPrivateJwk | undefined {
  if (encryption.current === undefined) return undefined;
  if (isWrappedPrivateJwk(stored) && stored.kek === encryption.current.id) return undefined;
  return wrapPrivateJwk(unwrapPrivateJwk(stored, kid, encryption), kid, encryption.current);
}
