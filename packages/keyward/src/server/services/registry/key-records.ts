/**
 * Turns imported public keys into key records for one client, and finds a client's key by kid or
 * thumbprint.
 */
import { KeyError } from '@keyward/core';
import { importPublicKeys } from '@keyward/core';
import type { PublicKeyInfo } from '@keyward/core';
import type { ClientKeyRecord, ClientStore } from '../../../store/contract.ts';
import { RegistryError } from './registry-error.ts';

/** Key input: PEM (public key or certificate), JWK or JWKS text or object, or keys already imported. */
export type KeyMaterial = string | Readonly<Record<string, unknown>> | readonly PublicKeyInfo[];

/** Operator-set validity window (a certificate's own dates win when narrower). */
export interface KeyValidity {
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/**
 * Imports `material` through core/keys importPublicKeys (key policy: RSA ≥ 2048, EC P-256/384/521,
 * Ed25519; private and symmetric keys refused with a KeyError that says what to do).
 */
export function importKeyMaterial(material: KeyMaterial): PublicKeyInfo[] {
  if (Array.isArray(material)) return [...(material as readonly PublicKeyInfo[])];
  return importPublicKeys(material as string | Readonly<Record<string, unknown>>);
}

/** The records of `keys` for `clientId`, all `active`, created at `now`. */
export function toKeyRecords(clientId: string, keys: readonly PublicKeyInfo[], now: Date, validity: KeyValidity = {}): ClientKeyRecord[] {
  if (validity.notBefore && validity.notAfter && validity.notBefore >= validity.notAfter) {
    throw new KeyError('certificate_invalid', 'not_before must be earlier than not_after');
  }
  return keys.map((info) => {
    const cert = info.certificate;
    // RFC 5280 §4.1.2.5: a certificate's validity bounds the key; an operator may narrow it.
    const notBefore = latest(cert?.notBefore, validity.notBefore);
    const notAfter = earliest(cert?.notAfter, validity.notAfter);
    return {
      clientId,
      kid: info.kid,
      thumbprint: info.thumbprint,
      jwk: info.jwk,
      ...(info.alg ? { alg: info.alg } : {}),
      state: 'active' as const,
      ...(notBefore ? { notBefore } : {}),
      ...(notAfter ? { notAfter } : {}),
      ...(cert ? { certificateSubject: cert.subject } : {}),
      createdAt: now,
    };
  });
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

/** The key of `clientId` whose thumbprint or kid is `ref`; RegistryError not_found otherwise. */
export async function findKey(store: ClientStore, clientId: string, ref: string): Promise<ClientKeyRecord> {
  const keys = await store.listKeys(clientId);
  const key = keys.find((k) => k.thumbprint === ref) ?? keys.find((k) => k.kid === ref);
  if (key === undefined) throw new RegistryError('not_found', `client ${clientId} has no key with thumbprint or kid ${JSON.stringify(ref)}: list them with \`keyward clients keys list ${clientId}\``);
  return key;
}
