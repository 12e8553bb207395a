/**
 * Shared key types. A client's registered key is always a parsed public `KeyObject` plus the facts
 * the verifier needs (kid, thumbprint, lifecycle); nothing here is read from a JWT header.
 */
import type { KeyObject } from 'node:crypto';

/**
 * The asymmetric JWS algorithms Keyward knows (RFC 7518 §3.1, RFC 8037 §3.1, and `Ed25519`, the
 * fully-specified name of EdDSA over Ed25519 from RFC 9864 §2.2, which current libraries such as
 * openid-client send). Never `none`, never HS*.
 */
export const ASYMMETRIC_ALGS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
] as const;

export type JwsAlgorithm = (typeof ASYMMETRIC_ALGS)[number];

/** True when `value` is one of {@link ASYMMETRIC_ALGS}. */
export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && (ASYMMETRIC_ALGS as readonly string[]).includes(value);
}

/** JWK key types Keyward accepts. */
export type KeyType = 'RSA' | 'EC' | 'OKP';

/** Curves Keyward accepts (EC P-256/384/521 and Ed25519). */
export type CurveName = 'P-256' | 'P-384' | 'P-521' | 'Ed25519';

/** Facts read from an X.509 certificate. */
export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** base64url SHA-256 of the DER certificate (the `x5t#S256` value, RFC 7515 §4.1.8). */
  readonly thumbprintSha256: string;
  readonly serialNumber: string;
}

/** A public JWK as Keyward exports it (`kid` = RFC 7638 thumbprint unless given). */
export interface PublicJwk {
  readonly kty: KeyType;
  readonly kid: string;
  readonly alg?: JwsAlgorithm;
  readonly use?: 'sig';
  readonly n?: string;
  readonly e?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly x5c?: readonly string[];
}

/** A public key read and checked by the key policy. */
export interface PublicKeyInfo {
  /** The parsed public key (import once; never per request). */
  readonly key: KeyObject;
  /** The key's identifier: the JWK's own `kid` if it had one, else the RFC 7638 thumbprint. */
  readonly kid: string;
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  readonly thumbprint: string;
  readonly kty: KeyType;
  /** RSA modulus length in bits. */
  readonly bits?: number;
  readonly curve?: CurveName;
  /** Algorithm declared with the key (JWK `alg`), already checked to fit the key type. */
  readonly alg?: JwsAlgorithm;
  /** The public JWK (kid, alg and use set). */
  readonly jwk: PublicJwk;
  /** Present when the key came from an X.509 certificate. */
  readonly certificate?: CertificateInfo;
}

/** Lifecycle state of a registered client key. */
export type KeyState = 'active' | 'retiring' | 'revoked';

/**
 * A key registered for one client, as the assertion verifier sees it. The verifier picks among these
 * by `kid` only, and decides the algorithm family from `key`, never from the JWT header.
 */
export interface RegisteredKey {
  readonly kid: string;
  readonly thumbprint: string;
  readonly key: KeyObject;
  /** Algorithm pinned for this key (JWK `alg`), if any. */
  readonly alg?: JwsAlgorithm;
  readonly state: KeyState;
  /** For `retiring` keys: accepted until this time. */
  readonly retireAt?: Date;
  /** Not valid before (certificate notBefore or set by the operator). */
  readonly notBefore?: Date;
  /** Not valid after (certificate notAfter or set by the operator). */
  readonly notAfter?: Date;
}
