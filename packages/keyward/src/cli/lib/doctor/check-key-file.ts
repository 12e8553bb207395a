/**
 * Doctor checks on key files (the troubleshooting list of source document 000): PEM markers and
 * stray whitespace, a private key where a public key was expected (and the reverse), the passphrase.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { KeyError } from '@keyward/core';
import { importPrivateKey, isEncryptedPrivateKeyPem, isPrivateKeyInput } from '@keyward/core';
import { readPemBlocks } from '@keyward/core';
import { calculateThumbprint } from '@keyward/core';
import type { PublicKeyInfo } from '@keyward/core';
import type { Check, KeyFileFacts } from './types.ts';

/** PEM shape: BEGIN/END markers present and paired, no stray whitespace or text (RFC 7468 §2). */
export function checkPemFormat(file: KeyFileFacts): Check {
  const id = 'key.pem_format';
  if (typeof file.content !== 'string') return { id, status: 'pass', title: `${file.path} is a binary DER file` };
  const text = file.content;
  if (/^\s*[{[]/.test(text)) return { id, status: 'pass', title: `${file.path} is JSON (JWK or JWKS)` };
  try {
    readPemBlocks(text);
  } catch (error) {
    return { id, status: 'fail', title: `${file.path} is not a readable PEM: missing or damaged BEGIN/END markers`, detail: (error as Error).message, fix: 'copy the whole file again, from "-----BEGIN" to "-----END ...-----" inclusive' };
  }
  const problems: string[] = [];
  const lines = text.split('\n');
  if (text.includes('\r')) problems.push('Windows line ends (CRLF)');
  if (lines.some((line) => /^[ \t]+\S/.test(line))) problems.push('indented lines');
  if (lines.some((line) => /\S[ \t]+\r?$/.test(line))) problems.push('trailing spaces');
  const firstMarker = text.indexOf('-----BEGIN');
  if (text.slice(0, firstMarker).trim() !== '') problems.push('text before the BEGIN marker');
  const inner = text.slice(firstMarker).split('\n');
  const endIndex = inner.findIndex((line) => line.includes('-----END'));
  if (inner.slice(1, endIndex).some((line) => line.trim() === '')) problems.push('blank lines inside the block');
  if (problems.length > 0) {
    return { id, status: 'warn', title: `${file.path} has extra whitespace or text: ${problems.join(', ')}`, detail: 'Keyward reads it, but stricter readers (OpenSSL, PyJWT, other servers) may answer "invalid key format"', fix: `rewrite it cleanly: \`openssl pkey ${file.expected === 'public' ? '-pubin ' : ''}-in ${file.path} -out clean.pem\`, or \`keyward pubkey\`` };
  }
  return { id, status: 'pass', title: `${file.path} is a clean PEM` };
}

/** Kind: a registered key must be public; a signing key must be private. */
export function checkKeyKind(file: KeyFileFacts): Check {
  const id = 'key.kind';
  let isPrivate: boolean;
  try {
    isPrivate = isPrivateKeyInput(file.content);
  } catch {
    return { id, status: 'skip', title: `${file.path}: kind not determined` };
  }
  if (file.expected === 'public' && isPrivate) {
    return { id, status: 'fail', title: `${file.path} is a PRIVATE key where a public key was expected`, reason: 'key_is_private', fix: `never send or register the private key: derive the public key with \`keyward pubkey ${file.path} > public_key.pem\` and register that` };
  }
  if (file.expected === 'private' && !isPrivate) {
    return { id, status: 'fail', title: `${file.path} is a public key (or certificate) where the private key was expected`, reason: 'key_not_private', fix: 'sign with the private key file, the one that never leaves you' };
  }
  return { id, status: 'pass', title: `${file.path} is a ${file.expected} key, as expected` };
}

/** Passphrase: the private key opens (missing passphrase, wrong passphrase → clear fixes). Returns the key when it opened. */
export function checkPrivateKeyOpens(file: KeyFileFacts, passphrase: string | undefined): { check: Check; key?: KeyObject } {
  const id = 'key.passphrase';
  const encrypted = typeof file.content === 'string' && isEncryptedPrivateKeyPem(file.content);
  try {
    const key = importPrivateKey(file.content, passphrase === undefined ? {} : { passphrase });
    return { check: { id, status: 'pass', title: encrypted ? `${file.path} is encrypted and the passphrase opens it` : `${file.path} is not encrypted and opens` }, key };
  } catch (error) {
    if (error instanceof KeyError && error.code === 'passphrase_wrong') {
      return { check: { id, status: 'fail', title: `the passphrase does not open ${file.path}`, reason: 'passphrase_wrong', detail: error.message, fix: 'check the passphrase; an environment variable or file must hold exactly the passphrase (no trailing newline from `echo`: use `printf`)' } };
    }
    if (error instanceof KeyError && error.code === 'passphrase_required') {
      return { check: { id, status: 'fail', title: `${file.path} is encrypted and no passphrase was given`, reason: 'passphrase_required', fix: 'give it with --passphrase-env NAME or --passphrase-file PATH' } };
    }
    return { check: { id, status: 'fail', title: `${file.path} cannot be read as a private key`, detail: (error as Error).message } };
  }
}

/** The private key's public half is one of the registered keys (compared by RFC 7638 thumbprint). */
export function checkKeyPairMatches(privateKey: KeyObject, registered: readonly PublicKeyInfo[]): Check {
  const thumbprint = calculateThumbprint(createPublicKey(privateKey));
  const match = registered.find((info) => info.thumbprint === thumbprint);
  if (match) return { id: 'key.matches', status: 'pass', title: `the private key matches the registered key ${match.kid}` };
  return {
    id: 'key.matches', status: 'fail', title: 'the private key does not match the registered public key',
    detail: `private key thumbprint ${thumbprint}; registered: ${registered.map((info) => info.thumbprint).join(', ')}`,
    fix: 'register the public key of this private key (`keyward pubkey <private key>`), or sign with the private key whose public key you registered',
  };
}
