/**
 * Private key import: PKCS#8, PKCS#1 (`BEGIN RSA PRIVATE KEY`), SEC1 (`BEGIN EC PRIVATE KEY`),
 * encrypted PKCS#8 (what `openssl genrsa -des3` writes on OpenSSL 3), the legacy encrypted PEM
 * (`Proc-Type: 4,ENCRYPTED`, what `openssl genrsa -traditional -des3` and older OpenSSL write), DER
 * and private JWKs. A missing or wrong passphrase is a KeyError with a clear sentence, never an
 * OpenSSL crash message. Does NOT keep or log the passphrase.
 */
import { createPrivateKey, KeyObject } from 'node:crypto';
import { KeyError } from '../errors.ts';
import { isEncryptedBlock, looksLikePem, PRIVATE_LABELS, readPemBlocks } from './pem.ts';
import type { PemBlock } from './pem.ts';
import { checkKeyPolicy } from './policy.ts';

type PrivateKeyInput = string | Uint8Array | Readonly<Record<string, unknown>> | KeyObject;

const WRONG_PASSPHRASE_CODES = new Set([
  'ERR_OSSL_BAD_DECRYPT', 'ERR_OSSL_EVP_BAD_DECRYPT', 'ERR_OSSL_PEM_BAD_DECRYPT', 'ERR_OSSL_PKCS12_PKCS12_CIPHERFINAL_ERROR',
]);
const MISSING_PASSPHRASE_CODES = new Set(['ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED', 'ERR_MISSING_PASSPHRASE']);

function notPrivate(): KeyError {
  return new KeyError('key_not_private', 'this is a public key (or certificate): signing needs the private key file, the one that stays with you');
}

function passphraseRequired(): KeyError {
  return new KeyError('passphrase_required', 'this private key is encrypted: give its passphrase (--passphrase-env NAME, --passphrase-file PATH, or type it at the prompt)');
}

/** True when `text` holds an encrypted private key PEM (encrypted PKCS#8 or legacy Proc-Type). */
export function isEncryptedPrivateKeyPem(text: string): boolean {
  if (!looksLikePem(text)) return false;
  try {
    return readPemBlocks(text).some((block) => PRIVATE_LABELS.has(block.label) && isEncryptedBlock(block));
  } catch {
    return /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(text);
  }
}

/** True when the input carries private key material (PEM label, JWK private members, KeyObject). */
export function isPrivateKeyInput(input: PrivateKeyInput): boolean {
  if (input instanceof KeyObject) return input.type === 'private';
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    if (text.trim().startsWith('{')) {
      try { return isPrivateKeyInput(JSON.parse(text) as Record<string, unknown>); } catch { return false; }
    }
    return /-----BEGIN (?:[A-Z]+ )?(?:ENCRYPTED )?PRIVATE KEY-----/.test(text);
  }
  if (Array.isArray((input as { keys?: unknown }).keys)) {
    return (input as { keys: Record<string, unknown>[] }).keys.some((jwk) => typeof jwk === 'object' && jwk !== null && jwk.d !== undefined);
  }
  return (input as Record<string, unknown>).d !== undefined || (input as Record<string, unknown>).kty === 'oct';
}

function decrypt(block: PemBlock, passphrase: string | undefined): KeyObject {
  const encrypted = isEncryptedBlock(block);
  if (encrypted && passphrase === undefined) throw passphraseRequired();
  try {
    return createPrivateKey({ key: block.pem, format: 'pem', ...(encrypted ? { passphrase } : {}) });
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? '';
    if (encrypted && (WRONG_PASSPHRASE_CODES.has(code) || /bad decrypt/i.test(String((cause as Error).message)))) {
      throw new KeyError('passphrase_wrong', 'the passphrase does not open this private key: check it (and that the environment variable or file holds exactly the passphrase, without a trailing newline)', { cause });
    }
    if (MISSING_PASSPHRASE_CODES.has(code)) throw passphraseRequired();
    if (encrypted) {
      throw new KeyError('passphrase_wrong', 'this encrypted private key could not be opened with the passphrase given (wrong passphrase or damaged file): check the passphrase, or export the key again', { cause });
    }
    throw new KeyError('key_pem_malformed', `the "${block.label}" PEM could not be decoded (its content is damaged): copy the key file again or generate a new key`, { cause });
  }
}

function fromPem(text: string, passphrase: string | undefined): KeyObject {
  const blocks = readPemBlocks(text);
  const block = blocks.find((b) => PRIVATE_LABELS.has(b.label));
  if (!block) {
    if (blocks.some((b) => ['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE'].includes(b.label))) throw notPrivate();
    throw new KeyError('key_format_unknown', `no private key block found (blocks: ${blocks.map((b) => b.label).join(', ')}): give a PEM private key`);
  }
  if (block.label === 'OPENSSH PRIVATE KEY') {
    throw new KeyError('key_format_unknown', 'this is an OpenSSH private key: convert it to PKCS#8 with `ssh-keygen -p -m PKCS8 -f <file>` (on a copy), then use that file');
  }
  return decrypt(block, passphrase);
}

function fromDer(der: Buffer): KeyObject {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  throw new KeyError('key_format_unknown', 'unrecognised private key format: give a PEM (PKCS#8, PKCS#1, SEC1, encrypted or not), a DER key or a private JWK');
}

/**
 * Reads a private key (PEM of any usual kind, encrypted or not, DER, private JWK, or a KeyObject) and
 * checks it against the key policy. `passphrase` opens encrypted PEM; it is ignored for plain keys.
 */
export function importPrivateKey(input: PrivateKeyInput, options: { passphrase?: string } = {}): KeyObject {
  let key: KeyObject;
  if (input instanceof KeyObject) {
    if (input.type === 'secret') checkKeyPolicy(input);
    if (input.type !== 'private') throw notPrivate();
    key = input;
  } else if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      let jwk: unknown;
      try { jwk = JSON.parse(trimmed); } catch (cause) {
        throw new KeyError('key_format_unknown', 'this looks like JSON but does not parse: give a valid private JWK', { cause });
      }
      return importPrivateKey(jwk as Record<string, unknown>, options);
    }
    if (looksLikePem(text)) key = fromPem(text, options.passphrase);
    else if (typeof input !== 'string') key = fromDer(Buffer.from(input));
    else throw new KeyError('key_pem_malformed', 'no "-----BEGIN ... PRIVATE KEY-----" marker found: this is not a PEM private key (check for missing BEGIN/END lines)');
  } else if (typeof input === 'object' && input !== null) {
    const jwk = input as Record<string, unknown>;
    if (jwk.kty === 'oct') {
      throw new KeyError('key_is_symmetric', 'this JWK is a symmetric key (kty "oct"): Keyward signs with asymmetric keys only; generate an RSA, EC or Ed25519 key pair');
    }
    if (jwk.d === undefined) throw notPrivate();
    try {
      key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    } catch (cause) {
      throw new KeyError('key_format_unknown', `this ${String(jwk.kty)} private JWK could not be read (a member is missing or damaged, or the curve is unsupported)`, { cause });
    }
  } else {
    throw new TypeError('importPrivateKey expects a string, bytes, a JWK object or a KeyObject');
  }
  checkKeyPolicy(key);
  return key;
}
