/**
 * Refusals of registry operations. The admin API maps `not_found` to 404, `conflict` to 409 and
 * `invalid` to 400; dynamic registration maps `invalid` to RFC 7591 `invalid_client_metadata`.
 * Messages name the problem and the fix, never a token or key material.
 */

/** Code of a {@link RegistryError}. */
export type RegistryErrorCode = 'not_found' | 'conflict' | 'invalid';

/** A registry refusal with a stable code. */
export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
  }
}
