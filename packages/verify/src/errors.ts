/**
 * RFC 6750 §3 answers of a resource server: every refusal of the verifier becomes one of
 * `invalid_request` (400), `invalid_token` (401), `insufficient_scope` (403), or, when the keys cannot
 * be fetched at all, 503 `temporarily_unavailable`, with a `WWW-Authenticate: Bearer ...` header.
 *
 * The precise reason (`signature_invalid`, `iat_too_old`, ...) stays on the OAuthError for logs and
 * the `onRefusal` hook; the wire carries only the public description of that reason.
 */
import { mapReasonToBearer, OAuthError } from '@keyward/core';

/** What an adapter sends back for a refusal. */
export interface BearerChallenge {
  /** 400, 401, 403 or 503. */
  readonly status: number;
  /** The `WWW-Authenticate` header value (absent for 503). */
  readonly wwwAuthenticate: string | undefined;
  /** JSON body: `{ error, error_description }` (RFC 6750 §3 does not define a body; this one helps humans). */
  readonly body: { readonly error: string; readonly error_description: string };
  /** The refusal itself, with its precise reason and operator detail (never sent). */
  readonly refusal: OAuthError;
}

/** Options of {@link buildWwwAuthenticate}. */
export interface ChallengeParams {
  readonly realm?: string;
  readonly error?: string;
  readonly description?: string;
  /** Space-separated scopes the resource needs (RFC 6750 §3: `scope` attribute). */
  readonly scope?: string;
}

/**
 * RFC 6750 §3: `error`, `error_description` and `scope` values must stay within
 * %x20-21 / %x23-5B / %x5D-7E: no double quote, no backslash, no control characters. Anything else
 * is replaced, so a description can never break the header.
 */
function sanitizeQuoted(value: string): string {
  return value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'");
}

/**
 * Builds `Bearer realm="...", error="...", error_description="...", scope="..."` (RFC 6750 §3).
 * Attributes that are undefined are left out; with no error at all the challenge is just the realm
 * (RFC 6750 §3.1: a request without credentials gets no error code).
 */
export function buildWwwAuthenticate(params: ChallengeParams): string {
  const parts: string[] = [];
  if (params.realm !== undefined) parts.push(`realm="${sanitizeQuoted(params.realm)}"`);
  if (params.error !== undefined) parts.push(`error="${sanitizeQuoted(params.error)}"`);
  if (params.description !== undefined) parts.push(`error_description="${sanitizeQuoted(params.description)}"`);
  if (params.scope !== undefined) parts.push(`scope="${sanitizeQuoted(params.scope)}"`);
  return parts.length === 0 ? 'Bearer' : `Bearer ${parts.join(', ')}`;
}

/**
 * Turns anything the verifier threw into the RFC 6750 answer. A non-OAuthError (a bug, a crashed
 * key source) becomes a 503 `store_unavailable` refusal carrying the original as `cause`: bad input
 * never yields a 500, and the answer never leaks the exception message.
 */
export function toBearerChallenge(error: unknown, options: { realm?: string; scopes?: readonly string[] } = {}): BearerChallenge {
  const refusal = error instanceof OAuthError
    ? error
    : new OAuthError('store_unavailable', { detail: 'the verifier failed unexpectedly (see cause)', cause: error });
  const { error: code, status } = mapReasonToBearer(refusal.reason);
  const description = refusal.description;
  let wwwAuthenticate: string | undefined;
  if (status === 503) {
    wwwAuthenticate = undefined;
  } else if (refusal.reason === 'token_missing') {
    wwwAuthenticate = buildWwwAuthenticate({
      ...(options.realm === undefined ? {} : { realm: options.realm }),
      ...(options.scopes && options.scopes.length > 0 ? { scope: options.scopes.join(' ') } : {}),
    });
  } else {
    wwwAuthenticate = buildWwwAuthenticate({
      ...(options.realm === undefined ? {} : { realm: options.realm }),
      error: code,
      description,
      // RFC 6750 §3: the scope attribute names what the resource needs (useful on insufficient_scope).
      ...(code === 'insufficient_scope' && options.scopes && options.scopes.length > 0 ? { scope: options.scopes.join(' ') } : {}),
    });
  }
  return { status, wwwAuthenticate, body: { error: code, error_description: description }, refusal };
}
