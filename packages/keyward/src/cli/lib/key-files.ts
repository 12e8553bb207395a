/**
 * Reading key files for the CLI: the private key (asking for the passphrase only when the PEM says it
 * is encrypted) and any public key form, with file errors turned into one clear line.
 */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { importPrivateKey, isEncryptedPrivateKeyPem, isPrivateKeyInput } from '@keyward/core';
import { importPublicKeys } from '@keyward/core';
import type { PublicKeyInfo } from '@keyward/core';
import { CliError, EXIT } from '../output.ts';
import { readPassphrase, type PassphraseOptions } from './passphrase.ts';

/** Reads a file as text (or bytes when it is binary DER), with a clear error. */
export function readKeyFileContent(path: string, what = 'key file'): string | Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read the ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.input);
  }
  return bytes.includes(0) || bytes[0] === 0x30 ? new Uint8Array(bytes) : bytes.toString('utf8');
}

/**
 * Reads a private key file: PEM (PKCS#1, PKCS#8, SEC1, encrypted PKCS#8, legacy `-des3`), DER or a
 * private JWK. The passphrase is read (env, file, prompt) only when the PEM is encrypted.
 * KeyErrors (wrong passphrase, public key given...) propagate: main.ts prints them with exit code 3.
 */
export async function readPrivateKeyFile(path: string, options: PassphraseOptions): Promise<KeyObject> {
  const content = readKeyFileContent(path, 'private key file');
  const text = typeof content === 'string' ? content : '';
  const passphrase = isEncryptedPrivateKeyPem(text) ? await readPassphrase(options, `the private key ${path}`) : undefined;
  return importPrivateKey(content, passphrase === undefined ? {} : { passphrase });
}

/** True when the file content carries private key material. */
export function isPrivateKeyContent(content: string | Uint8Array): boolean {
  try {
    return isPrivateKeyInput(content);
  } catch {
    return false;
  }
}

/** Reads public keys (PEM, certificate, JWK, JWKS) from a file. */
export function readPublicKeyFile(path: string): PublicKeyInfo[] {
  return importPublicKeys(readKeyFileContent(path, 'public key file'));
}
