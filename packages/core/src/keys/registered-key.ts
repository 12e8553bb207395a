/**
 * Turns an imported public key into the RegisteredKey the verifiers take.
 */
import type { PublicKeyInfo, RegisteredKey } from './types.ts';

/**
 * A RegisteredKey (state `active` unless given) from an imported key; certificate validity dates
 * become notBefore/notAfter unless `extra` sets them.
 */
export function toRegisteredKey(info: PublicKeyInfo, extra: Partial<RegisteredKey> = {}): RegisteredKey {
  return {
    kid: info.kid,
    thumbprint: info.thumbprint,
    key: info.key,
    state: 'active',
    ...(info.alg ? { alg: info.alg } : {}),
    ...(info.certificate ? { notBefore: info.certificate.notBefore, notAfter: info.certificate.notAfter } : {}),
    ...extra,
  };
}
