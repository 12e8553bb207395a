/**
 * Parses a compact JWS (RFC 7515 §7.1) into its decoded parts, with the header rules that hold for
 * every JWT Keyward reads. One code path for the token endpoint, direct mode and the API middleware.
 */
import { deepFreeze } from '../deep-freeze.ts';
import { OAuthError } from '../errors.ts';
import { decodeBase64UrlPart } from './base64url.ts';
import { decodeJsonPart } from './decode-json-part.ts';
import { checkJoseHeader } from './check-jose-header.ts';
import { DEFAULT_MAX_JWS_LENGTH, MAX_CACHED_HEADER_LENGTH, type ParsedJws, type ParseJwsOptions } from './types.ts';

const WHITESPACE = /\s/;
/** Three base64url parts (the signature may be empty): one regex pass for the common, valid case. */
const COMPACT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The last string {@link isCompactJwsShape} found well shaped (a memo of a pure function of the text). */
let lastShaped: string | undefined;

/**
 * True when `token` is three parts of the base64url alphabet separated by two dots, the signature
 * possibly empty (the shape every compact JWS has; RFC 7515 §7.1, §2). A token that has this shape
 * also fits the RFC 6750 §2.1 token68 syntax. The answer for the last well-shaped string is
 * remembered, so the parser does not scan a token the Authorization reader just checked (the memo is
 * compared by value: the same text always has the same shape).
 * Does NOT decode anything.
 */
export function isCompactJwsShape(token: string): boolean {
  if (token === lastShaped) return true;
  if (!COMPACT_SHAPE.test(token)) return false;
  lastShaped = token;
  return true;
}

/**
 * Splits and decodes a compact JWS: `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)`.
 *
 * Refusals, in this order (each an {@link OAuthError}):
 * - longer than `maxLength` (default 16384) → 'assertion_too_large' (checked first, before any work);
 * - not a string, or empty → 'assertion_malformed';
 * - any line break or whitespace anywhere → 'assertion_line_breaks', whose detail names the line
 *   breaks and the fix (`openssl base64 -A`, or `tr -d '\n'`) (RFC 7515 §2, §7.1);
 * - not exactly three parts, a part outside the canonical base64url alphabet, header or payload not
 *   a UTF-8 JSON object, duplicate member names → 'assertion_malformed' (detail names the part);
 * - the header rules of {@link checkJoseHeader}: `alg` not a string → 'assertion_malformed';
 *   `crit` or `b64` → 'crit_unsupported'; `jwk`, `jku`, `x5u`, `x5c` → 'header_key_not_allowed'.
 *
 * Does NOT verify the signature, check the algorithm against any allow-list, pick a key, or look at
 * any claim: the result is entirely untrusted. The error detail never contains the token.
 */
export function parseCompactJws(token: string, options: ParseJwsOptions = {}): ParsedJws {
  const maxLength = options.maxLength ?? DEFAULT_MAX_JWS_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength <= 0) throw new TypeError('parseCompactJws: maxLength must be a positive integer');
  if (typeof token !== 'string') {
    throw new OAuthError('assertion_malformed', { detail: `the JWT must be a string, not ${token === null ? 'null' : typeof token}` });
  }
  // RFC 7515 §10 (resource limits): refuse oversized input before splitting or decoding anything.
  if (token.length > maxLength) {
    throw new OAuthError('assertion_too_large', { detail: `the JWT is ${token.length} characters; the limit is ${maxLength}` });
  }
  if (token.length === 0) throw new OAuthError('assertion_malformed', { detail: 'the JWT is empty' });
  // Fast path: a token of exactly three base64url parts needs no per-part alphabet check. Anything
  // else goes through the checks below, which name the problem.
  const shaped = isCompactJwsShape(token);
  // RFC 7515 §2 and §7.1: base64url has no line breaks or whitespace, so neither may a compact JWS.
  if (!shaped && WHITESPACE.test(token)) throw lineBreakError(token);

  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (first === -1 || second === -1 || token.indexOf('.', second + 1) !== -1) {
    const parts = token.split('.').length;
    throw new OAuthError('assertion_malformed', {
      detail: `a compact JWS has exactly 3 parts separated by "." (header.payload.signature); this one has ${parts}` +
        (parts === 5 ? ' (5 parts is an encrypted JWE, which is not accepted here)' : ''),
    });
  }
  const raw = { header: token.slice(0, first), payload: token.slice(first + 1, second), signature: token.slice(second + 1) };
  if (raw.header.length === 0) throw new OAuthError('assertion_malformed', { detail: 'the header part is empty' });
  if (raw.payload.length === 0) throw new OAuthError('assertion_malformed', { detail: 'the payload part is empty (detached payloads are not accepted)' });

  // RFC 7515 §5.2 steps 2-4: decode the header and check it is a JSON object. A header part seen
  // before (the identical text) decodes to the same header, which passed these rules then.
  const cache = options.headerCache;
  const cacheable = cache !== undefined && raw.header.length <= MAX_CACHED_HEADER_LENGTH;
  let header = cacheable ? cache.get(raw.header) as Record<string, unknown> | undefined : undefined;
  if (header === undefined) {
    header = decodeJsonPart(decodeBase64UrlPart(raw.header, 'header', shaped), 'header');
    checkJoseHeader(header);
    if (cacheable) {
      deepFreeze(header);
      // A copy of the text as the key: the slice would keep the whole token alive.
      cache.set(Buffer.from(raw.header, 'latin1').toString('latin1'), header);
    }
  }
  // RFC 7519 §7.2 steps 8-10: the payload of a JWT is a JSON object.
  const payload = decodeJsonPart(decodeBase64UrlPart(raw.payload, 'payload', shaped), 'payload');
  const signature = decodeBase64UrlPart(raw.signature, 'signature', shaped);

  return {
    header,
    payload,
    signingInput: Buffer.from(token.slice(0, second), 'latin1'),
    signature,
    raw,
  };
}

/** The refusal for line breaks and whitespace: says where, why, and how to fix it, never the token. */
function lineBreakError(token: string): OAuthError {
  const index = token.search(WHITESPACE);
  const dots = token.slice(0, index).split('.').length - 1;
  const part = dots === 0 ? 'header' : dots === 1 ? 'payload' : 'signature';
  const isLineBreak = /[\r\n]/.test(token);
  const what = isLineBreak ? 'line breaks' : 'whitespace';
  const where = index === token.length - 1 ? 'at its end' : `in the ${part} part (character ${index})`;
  return new OAuthError('assertion_line_breaks', {
    detail: `the JWT contains ${what} ${where}; base64url never wraps lines, so a JWT is one unbroken line. ` +
      'This usually comes from `openssl base64 -e`, which wraps every 64 characters: use `openssl base64 -A` ' +
      "(or pipe through `tr -d '\\n'`) when building each part, and strip the newline when reading the token from a file.",
  });
}
