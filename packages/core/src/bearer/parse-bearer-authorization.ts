/**
 * THE reader of a Bearer credential (RFC 6750 §2.1), for every place that takes one: the verifier's
 * `readBearerToken` (@keyward/verify) and the server's own protected endpoints (the admin API, the
 * key-distribution endpoint, dynamic registration and its management endpoint). Pure: it reads the
 * Authorization field values and the request URL it is given.
 */
import { OAuthError } from '../errors.ts';
import { isCompactJwsShape } from '../jws/parse-compact-jws.ts';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// RFC 7235 §2.1: credentials = auth-scheme [ 1*SP token68 ]; the scheme is case-insensitive.
const BEARER = /^bearer +(\S+)$/i;

/** Options of {@link parseBearerAuthorization}. */
export interface BearerAuthorizationOptions {
  /** The request URL (absolute, or path and query): its query must not carry `access_token`. */
  readonly url?: string | undefined;
  /** Names tokens already verified: such a token skips the character scan (it passed it before). */
  readonly isKnown?: ((token: string) => boolean) | undefined;
  /**
   * What the refusal of a request without a Bearer credential tells the client to do (default
   * `send Authorization: Bearer <token>`).
   */
  readonly instruction?: string | undefined;
}

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

/**
 * Returns the one Bearer token carried by `values`, the Authorization field values of a request
 * (one per header line; Web `Headers` join repeated lines with ", ").
 *
 * Refusals (OAuthError), and the answer each gets (RFC 6750 §3.1, see mapReasonToBearer):
 * - no Authorization header, an empty one, or another scheme (Basic, DPoP, ...) → 'token_missing':
 *   401 with no error code, since no Bearer credential was offered (RFC 6750 §3.1, last paragraph);
 * - `url` given and its query carries `access_token` → 'request_malformed' (400 invalid_request):
 *   RFC 6750 §2.3 allows it, but it leaks tokens into logs and history, so Keyward never takes a
 *   token from a URL (RFC 9700 §2.5), and one sent there beside the header is two methods at once
 *   (RFC 6750 §2: "MUST NOT use more than one method");
 * - two Authorization headers (or one holding a comma-joined pair) → 'request_malformed' (400):
 *   RFC 6750 §3.1 invalid_request, "uses more than one method" / repeats a parameter;
 * - `Bearer` with no token, spaces inside it, or characters outside b64token → 'request_malformed'
 *   (400): the request is malformed (RFC 6750 §2.1 syntax, §3.1 invalid_request), not the token;
 * - line breaks inside the token → 'assertion_line_breaks' (401 invalid_token: the token itself is
 *   malformed), naming the `openssl base64 -e` cause and the fix (RFC 7515 §2).
 *
 * Leading and trailing spaces around the field value are ignored (RFC 9110 §5.5), and so are extra
 * spaces after the scheme (1*SP). Does NOT look inside the token (the verifier does) and does NOT
 * read a request body (RFC 6750 §2.2 form-encoded tokens are not supported).
 */
export function parseBearerAuthorization(values: readonly string[], options: BearerAuthorizationOptions = {}): string {
  const { url, isKnown } = options;
  if (url !== undefined) {
    const q = url.indexOf('?');
    if (q !== -1 && new URLSearchParams(url.slice(q + 1)).has('access_token')) {
      throw new OAuthError('request_malformed', { detail: 'the access_token query parameter is not accepted: send the token in the Authorization: Bearer header' });
    }
  }
  if (values.length === 1) {
    // The common, valid case in one scan: `Bearer` (any case), spaces, then a b64token.
    const direct = values[0] as string;
    const start = bearerPrefixLength(direct);
    if (start !== -1) {
      const candidate = direct.slice(start);
      // A token already verified earlier (exactly this string) passed the b64token check then; a
      // compact JWS (three base64url parts) is a b64token too, and the JWS parser reuses this scan.
      if ((isKnown !== undefined && isKnown(candidate)) || isCompactJwsShape(candidate) || B64TOKEN.test(candidate)) return candidate;
    }
  }
  const send = options.instruction ?? 'send Authorization: Bearer <token>';
  if (values.length === 0) throw new OAuthError('token_missing', { detail: `no Authorization header: ${send}` });
  if (values.length > 1) {
    throw new OAuthError('request_malformed', { detail: 'the request has more than one Authorization header: send exactly one Bearer token' });
  }
  const value = (values[0] as string).trim();
  if (value.length === 0) throw new OAuthError('token_missing', { detail: `the Authorization header is empty: ${send}` });
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
    throw new OAuthError('token_missing', { detail: `the Authorization scheme is ${JSON.stringify(scheme.slice(0, 20))}, not Bearer: ${send}` });
  }
  const token = match[1] as string;
  if (!B64TOKEN.test(token)) {
    throw new OAuthError('request_malformed', {
      detail: token.includes(',')
        ? 'the request carries more than one Authorization credential: send exactly one Bearer token'
        : 'the Bearer token has characters outside the b64token set (RFC 6750 §2.1): send the token exactly as issued',
    });
  }
  return token;
}
