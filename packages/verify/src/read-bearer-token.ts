/**
 * Reads the one Bearer token of a request (RFC 6750 §2.1), refusing every ambiguous form.
 */
import { OAuthError } from '@keyward/core';
import { isCompactJwsShape } from '@keyward/core';

/** Plain header object, as node:http, Express or Fastify give it (names in any case). */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/** What the verifier accepts: a Web `Request`, Web `Headers`, or a plain header object. */
export type VerifyInput = Request | Headers | HeaderRecord;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
// RFC 7235 §2.1: credentials = auth-scheme [ 1*SP token68 ]; the scheme is case-insensitive.
const BEARER = /^bearer +(\S+)$/i;
// The common, valid case in one scan (the two checks above, fused); anything else takes the slow path.
const FAST = /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9\-._~+/]+=*)$/;

/**
 * The length of a leading `Bearer` (any case) and the spaces after it, when at least one character
 * follows; else -1 (RFC 7235 §2.1: the scheme is case-insensitive, then 1*SP).
 */
function bearerPrefixLength(value: string): number {
  // `| 0x20` lower-cases an ASCII letter; only 'B' and 'b' give 'b', and so on.
  if ((value.charCodeAt(0) | 0x20) !== 0x62 || (value.charCodeAt(1) | 0x20) !== 0x65 || (value.charCodeAt(2) | 0x20) !== 0x61 ||
    (value.charCodeAt(3) | 0x20) !== 0x72 || (value.charCodeAt(4) | 0x20) !== 0x65 || (value.charCodeAt(5) | 0x20) !== 0x72 ||
    value.charCodeAt(6) !== 0x20) return -1;
  let i = 7;
  while (value.charCodeAt(i) === 0x20) i++;
  return i < value.length ? i : -1;
}

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
 * Refusals (OAuthError):
 * - no Authorization header, or an empty one → 'token_missing' (401 without error code, RFC 6750 §3.1);
 * - `url` given and its query carries `access_token` → 'request_malformed' (RFC 6750 §2.3 allows it,
 *   but it leaks tokens into logs and history; Keyward refuses it, RFC 9700 §2.5);
 * - two Authorization headers (or one holding a comma-joined pair) → 'request_malformed'
 *   (RFC 6750 §2: exactly one method, one credential);
 * - another scheme (Basic, DPoP, ...) → 'token_missing' (no Bearer credential was offered);
 * - `Bearer` with no token, spaces inside, or characters outside token68 → 'request_malformed';
 * - line breaks inside the token → 'assertion_line_breaks' (401 invalid_token), naming the
 *   `openssl base64 -e` cause and the fix (RFC 7515 §2).
 *
 * `isKnown` (optional) names tokens already verified: such a token skips the character scan.
 * Does NOT look inside the token (see the verifier) and does NOT read a request body
 * (RFC 6750 §2.2 form tokens are not supported).
 */
export function readBearerToken(input: VerifyInput, url?: string, isKnown?: (token: string) => boolean): string {
  if (url === undefined && typeof Request !== 'undefined' && input instanceof Request) url = input.url;
  if (url !== undefined) {
    const q = url.indexOf('?');
    if (q !== -1 && new URLSearchParams(url.slice(q + 1)).has('access_token')) {
      // RFC 6750 §2.3 + RFC 9700 §2.5: tokens in URLs end up in logs; only the header is accepted.
      throw new OAuthError('request_malformed', { detail: 'the access_token query parameter is not accepted: send the token in the Authorization: Bearer header' });
    }
  }
  // Fast path: a plain header object holding only one lower-case authorization string (what the
  // node, Express and Fastify adapters pass); any other shape takes the full path below.
  const direct = (input as HeaderRecord).authorization;
  if (typeof direct === 'string' && Object.keys(input).length === 1) {
    const start = bearerPrefixLength(direct);
    if (start !== -1) {
      const candidate = direct.slice(start);
      // A token already verified earlier (exactly this string) passed the token68 check then; a
      // compact JWS (three base64url parts) is token68 too, and the parser reuses this one scan.
      if ((isKnown !== undefined && isKnown(candidate)) || isCompactJwsShape(candidate)) return candidate;
    }
    const fast = FAST.exec(direct);
    if (fast !== null) return fast[1] as string;
  }
  const values = collectAuthorization(input);
  if (values.length === 0) throw new OAuthError('token_missing', { detail: 'no Authorization header: send Authorization: Bearer <token>' });
  if (values.length > 1) {
    throw new OAuthError('request_malformed', { detail: 'the request has more than one Authorization header: send exactly one Bearer token' });
  }
  const value = (values[0] as string).trim();
  if (value.length === 0) throw new OAuthError('token_missing', { detail: 'the Authorization header is empty: send Authorization: Bearer <token>' });
  const match = BEARER.exec(value);
  if (match === null) {
    if (/^bearer$/i.test(value)) throw new OAuthError('request_malformed', { detail: 'the Authorization header says Bearer but carries no token' });
    if (/^bearer\s/i.test(value)) {
      if (value.includes(',')) {
        throw new OAuthError('request_malformed', { detail: 'the request carries more than one Authorization credential: send exactly one Bearer token' });
      }
      if (/[\r\n]/.test(value)) {
        // RFC 7515 §2: base64url never wraps; `openssl base64 -e` does, every 64 characters.
        throw new OAuthError('assertion_line_breaks', {
          detail: 'the Bearer token contains line breaks; a JWT is one unbroken line. If it was built with `openssl base64 -e` (which wraps every 64 characters), use `openssl base64 -A` or pipe through `tr -d \'\\n\'`',
        });
      }
      throw new OAuthError('request_malformed', { detail: 'the Bearer token contains spaces: send the token as one unbroken string' });
    }
    const scheme = value.split(/\s/, 1)[0] ?? '';
    throw new OAuthError('token_missing', { detail: `the Authorization scheme is ${JSON.stringify(scheme.slice(0, 20))}, not Bearer` });
  }
  const token = match[1] as string;
  if (!TOKEN68.test(token)) {
    throw new OAuthError('request_malformed', {
      detail: token.includes(',')
        ? 'the request carries more than one Authorization credential: send exactly one Bearer token'
        : 'the Bearer token has characters outside the token68 set (RFC 6750 §2.1): send the JWT exactly as issued',
    });
  }
  return token;
}
