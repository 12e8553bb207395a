/**
 * Turns refusals into responses: RFC 6749 §5.2 JSON (`error`, `error_description`) with
 * `Cache-Control: no-store`, 401 for invalid_client, and never a stack trace. Anything that is not an
 * OAuthError is logged and answered with a plain `server_error` (it should never happen).
 */
import { IDENTITY_HIDING_REASONS, mapReasonToBearer, OAuthError } from '@keyward/core';
import type { Logger } from 'pino';

/**
 * The public description for `error` at the token, introspection and revocation endpoints: one and
 * the same for every refusal of IDENTITY_HIDING_REASONS (core/errors.ts).
 */
export function publicDescription(error: OAuthError): string {
  if (IDENTITY_HIDING_REASONS.has(error.reason)) return 'client authentication failed';
  return error.description;
}

/** RFC 9110 §11.1: an authentication scheme is a token (and short). */
const AUTH_SCHEME = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]{0,31}$/;

/** Headers of every OAuth JSON answer (RFC 6749 §5.1, §5.2). */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json;charset=UTF-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
};

/** A JSON response with no-store headers. */
export function jsonNoStore(body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...NO_STORE_HEADERS, ...extra } });
}

/**
 * The RFC 6749 §5.2 answer for an OAuthError (anything else becomes a logged 500 server_error).
 * `authScheme` is the scheme of the Authorization header the client used, if any (RFC 6749 §5.2:
 * a 401 then carries a matching WWW-Authenticate).
 */
export function errorResponse(error: unknown, logger: Logger, options: { authScheme?: string; bearer?: boolean } = {}): Response {
  if (!(error instanceof OAuthError)) {
    logger.error({ err: error }, 'unexpected error');
    return jsonNoStore({ error: 'server_error', error_description: 'an unexpected error occurred; it has been logged' }, 500);
  }
  const headers: Record<string, string> = {};
  // RFC 6750 §3.1: code and status by the one rule the verifier answers with too. A server that
  // cannot check the token (503) keeps its own answer, without a challenge.
  const bearer = options.bearer ? mapReasonToBearer(error.reason) : undefined;
  if (bearer !== undefined && bearer.status !== 503) {
    // RFC 6750 §3: the Bearer challenge with the error code (none when no credential was offered).
    headers['www-authenticate'] = error.reason === 'token_missing'
      ? 'Bearer realm="keyward"'
      : `Bearer realm="keyward", error="${bearer.error}", error_description="${publicDescription(error).replace(/["\\]/g, '')}"`;
    return jsonNoStore({ error: bearer.error, error_description: publicDescription(error) }, bearer.status, headers);
  }
  if (error.status === 401 && options.authScheme && AUTH_SCHEME.test(options.authScheme)) {
    // The scheme comes from the request: echoed only when it is an RFC 9110 §11.1 token.
    headers['www-authenticate'] = `${options.authScheme} realm="keyward"`;
  }
  return jsonNoStore({ error: error.error, error_description: publicDescription(error) }, error.status, headers);
}
