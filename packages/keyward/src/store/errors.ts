/**
 * Errors raised by the storage adapters. A store never throws an OAuthError itself: the server maps
 * a {@link StoreError} to `store_unavailable` (503) or to its own refusal (for example a duplicate
 * key registration). Messages name the problem and the fix, never a token or key material.
 */

/** `conflict`: a unique key already exists. `not_found`: a parent row is missing. `corrupt`: the data file is not Keyward's or is damaged. `unavailable`: the backend does not answer. */
export type StoreErrorCode = 'conflict' | 'not_found' | 'corrupt' | 'unavailable';

/** A storage failure with a stable `code`. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** True when `error` is a {@link StoreError} (optionally with the given code). */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
