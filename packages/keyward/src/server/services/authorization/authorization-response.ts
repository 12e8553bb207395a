/**
 * Authorization responses (RFC 6749 §4.1.2, §4.1.2.1) sent back to the client's redirect URI: the
 * code or the error, the state passed through unchanged, and `iss` (RFC 9207 §2: the issuer
 * identifier in every authorization response, so a client using several servers detects mix-up).
 */
import type { OAuthError } from '@keyward/core';

/** A 303 redirect with no-store and no referrer (FAPI 2.0 §5.3.2.2: never 307). */
export function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
}

function withParameters(redirectUri: string, parameters: Record<string, string | undefined>): string {
  // RFC 6749 §3.1.2: the query of the registered URI is kept; parameters are added to it.
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}

/** RFC 6749 §4.1.2: `code`, `state` (when the request had one), RFC 9207 `iss`. */
export function redirectWithCode(redirectUri: string, code: string, state: string | undefined, issuer: string): Response {
  return redirect(withParameters(redirectUri, { code, state, iss: issuer }));
}

/**
 * RFC 6749 §4.1.2.1: `error`, `error_description` (the reason's public text), `state`, and `iss`
 * (RFC 9207 §2). Only for a redirect URI already matched against the client's registered ones.
 */
export function redirectWithError(redirectUri: string, error: OAuthError, state: string | undefined, issuer: string): Response {
  return redirect(withParameters(redirectUri, { error: error.error, error_description: error.description, state, iss: issuer }));
}
