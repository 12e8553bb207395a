// Shared test fixtures for the conformance suite: real keys, real signatures (Node crypto and jose),
// and a hand-made compact JWS builder for the attack tokens no honest library would produce.
import { createPublicKey, generateKeyPairSync, sign, constants, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import type { JwsAlgorithm, RegisteredKey } from '../../packages/core/src/keys/types.ts';

export interface TestKeyPair { readonly privateKey: KeyObject; readonly publicKey: KeyObject }

const cache = new Map<string, TestKeyPair>();

/** One key pair per kind, generated once per test file (RSA 2048 only: tests must stay fast). */
export function keyPair(kind: 'rsa' | 'rsa2' | 'p256' | 'p384' | 'p521' | 'ed25519'): TestKeyPair {
  let pair = cache.get(kind);
  if (pair === undefined) {
    pair = kind === 'rsa' || kind === 'rsa2' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : kind === 'ed25519' ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: kind === 'p256' ? 'P-256' : kind === 'p384' ? 'P-384' : 'P-521' });
    cache.set(kind, pair);
  }
  return pair;
}

/** The key kind that signs `alg`. */
export function kindFor(alg: JwsAlgorithm): 'rsa' | 'p256' | 'p384' | 'p521' | 'ed25519' {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return 'rsa';
  return alg === 'ES256' ? 'p256' : alg === 'ES384' ? 'p384' : alg === 'ES512' ? 'p521' : 'ed25519';
}

/** A RegisteredKey as the registry would hold it: public KeyObject, RFC 7638 thumbprint (jose). */
export async function registeredKey(publicKey: KeyObject, extra: Partial<RegisteredKey> = {}): Promise<RegisteredKey> {
  const key = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  const thumbprint = await calculateJwkThumbprint(await exportJWK(key));
  return { kid: thumbprint, thumbprint, key, state: 'active', ...extra };
}

export function b64u(value: string | Uint8Array): string {
  return Buffer.from(value).toString('base64url');
}

/** Builds a compact JWS by hand with Node's crypto.sign, for any header (attacks included). */
export function handSign(header: Record<string, unknown>, payload: Record<string, unknown> | string, privateKey: KeyObject, alg: JwsAlgorithm = 'RS256'): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  return `${input}.${b64u(rawSign(input, privateKey, alg))}`;
}

/** crypto.sign with the JWS parameters of `alg` (RFC 7518 §3). */
export function rawSign(input: string, privateKey: KeyObject, alg: JwsAlgorithm): Buffer {
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`;
  if (alg.startsWith('PS')) return sign(hash, Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  if (alg.startsWith('ES')) return sign(hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return sign(hash, Buffer.from(input), privateKey);
}

/** A jose-signed JWT (an independent producer) with the given header and claims. */
export async function joseSign(header: { alg: JwsAlgorithm } & Record<string, unknown>, claims: Record<string, unknown>, privateKey: KeyObject): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
}

/** Flips one bit of the base64url part `index` (0 header, 1 payload, 2 signature) at byte `at`. */
export function flipBit(token: string, index: 0 | 1 | 2, at = 0): string {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[at] = bytes[at]! ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

/** Asserts `fn` throws an OAuthError with `reason`; returns it for further checks. */
export function expectReason(fn: () => unknown, reason: string): { reason: string; detail: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { name?: string; reason?: string; detail?: string; message: string };
    if (e.name !== 'OAuthError' || e.reason !== reason) {
      throw new Error(`expected OAuthError ${reason}, got ${e.name ?? 'error'} ${e.reason ?? ''}: ${e.message}`, { cause: error });
    }
    return e as { reason: string; detail: string | undefined; message: string };
  }
  throw new Error(`expected OAuthError ${reason}, but nothing was thrown`);
}
