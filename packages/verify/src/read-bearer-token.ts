/**
 * Reads the one Bearer token of a request (RFC 6750 §2.1), refusing every ambiguous form: collects
 * the Authorization field values from whatever shape the request comes in, then hands them to
 * @keyward/core's parseBearerAuthorization, the one reader Keyward has.
 */
import { parseBearerAuthorization } from '@keyward/core';

/** Plain header object, as node:http, Express or Fastify give it (names in any case). */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What the verifier accepts: a Web `Request`, Web `Headers`, or a plain header object. */
export type VerifyInput = Request | Headers | HeaderRecord;

function collectAuthorization(input: VerifyInput): string[] {
  if (typeof Request !== 'undefined' && input instanceof Request) return collectAuthorization(input.headers);
  if (typeof Headers !== 'undefined' && input instanceof Headers) {
    // Web Headers join repeated fields with ", " (Fetch §2.2); split later by the comma check.
    const value = input.get('authorization');
    return value === null ? [] : [value];
  }
  const values: string[] = [];
  for (const name of Object.keys(input)) {
    if (name.toLowerCase() !== 'authorization') continue;
    const value = (input as HeaderRecord)[name];
    if (typeof value === 'string') values.push(value);
    else if (Array.isArray(value)) values.push(...(value as string[]));
  }
  return values;
}

/**
 * Returns the Bearer token of the request.
 *
 * Refusals (OAuthError), as parseBearerAuthorization (@keyward/core) states them with their RFC 6750
 * §3.1 answers: no Authorization header, an empty one or another scheme → 'token_missing' (401
 * without error code); `url` (default: the Request's own) with `access_token` in its query, two
 * Authorization headers, or a malformed Bearer credential → 'request_malformed' (400); line breaks
 * inside the token → 'assertion_line_breaks' (401 invalid_token).
 *
 * `isKnown` (optional) names tokens already verified: such a token skips the character scan.
 * Does NOT look inside the token (see the verifier) and does NOT read a request body
 * (RFC 6750 §2.2 form tokens are not supported).
 */
export function readBearerToken(input: VerifyInput, url?: string, isKnown?: (token: string) => boolean): string {
  if (url === undefined && typeof Request !== 'undefined' && input instanceof Request) url = input.url;
  // Fast path: a plain header object holding only one lower-case authorization string (what the
  // node, Express and Fastify adapters pass); any other shape is collected first.
  const direct = (input as HeaderRecord).authorization;
  const values = typeof direct === 'string' && Object.keys(input).length === 1 ? [direct] : collectAuthorization(input);
  return parseBearerAuthorization(values, { url, isKnown });
}
