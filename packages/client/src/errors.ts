/**
 * Errors of the client SDK. A refusal by the authorization server is a {@link TokenRequestError}
 * carrying the RFC 6749 §5.2 `error` / `error_description`; a problem with the server's metadata is
 * a {@link DiscoveryError}. Neither ever contains a token, an assertion or key material.
 */

/** The token endpoint answered with an error (RFC 6749 §5.2) or with something that is not a token response. */
export class TokenRequestError extends Error {
  /** RFC 6749 §5.2 error code (`invalid_client`, `invalid_scope`...), or `invalid_response` when the answer was unreadable. */
  readonly error: string;
  /** The server's `error_description`, if any. */
  readonly error_description: string | undefined;
  /** HTTP status of the answer. */
  readonly status: number;
  /** The server's clock from its `Date` header, in epoch milliseconds, when it sent one. */
  readonly serverDate: number | undefined;

  constructor(error: string, options: { description?: string; status: number; serverDate?: number; message?: string }) {
    super(options.message ?? `token request refused: ${error}${options.description ? ` (${options.description})` : ''}`);
    this.name = 'TokenRequestError';
    this.error = error;
    this.error_description = options.description;
    this.status = options.status;
    this.serverDate = options.serverDate;
  }
}

/** The authorization server metadata could not be fetched or is not valid (RFC 8414 §3.2, §3.3). */
export class DiscoveryError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'DiscoveryError';
  }
}

/** Reads an HTTP `Date` header (RFC 9110 §6.6.1) into epoch milliseconds; undefined when absent or unreadable. */
export function readServerDate(headers: Headers): number | undefined {
  const value = headers.get('date');
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
