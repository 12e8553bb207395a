/**
 * Strict base64url decoding for the three parts of a compact JWS.
 *
 * RFC 7515 §2 defines base64url as the URL-safe alphabet of RFC 4648 §5 with every trailing `=`
 * omitted and no line breaks, whitespace or other characters. Node's own `Buffer.from(s,
 * 'base64url')` is lenient (it skips characters it does not know and accepts padding), so Keyward
 * checks the alphabet and the canonical form itself before decoding.
 */
import { OAuthError } from '../errors.ts';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Which part of the compact serialization a value came from (used in error details). */
export type JwsPartName = 'header' | 'payload' | 'signature';

/**
 * Decodes one base64url part, refusing anything but the canonical unpadded form.
 *
 * Refuses (OAuthError 'assertion_malformed', detail naming the part): characters outside the
 * base64url alphabet (including `=`, `+`, `/`), a length that no encoding produces (length % 4 === 1),
 * and non-canonical encodings whose unused trailing bits are not zero (two strings must never decode
 * to the same bytes). Does NOT check what the bytes mean.
 */
export function decodeBase64UrlPart(value: string, part: JwsPartName, alphabetChecked = false): Buffer {
  // RFC 7515 §2 (Base64url Encoding): URL-safe alphabet, no padding, no other characters.
  // (`alphabetChecked`: the caller already matched the whole token against the alphabet.)
  if (!alphabetChecked && !BASE64URL.test(value)) {
    const hint = /[+/=]/.test(value)
      ? ' (it uses "+", "/" or "=" padding: that is base64, not base64url; map + to -, / to _ and drop =)'
      : '';
    throw new OAuthError('assertion_malformed', { detail: `the ${part} part contains characters outside the base64url alphabet${hint}` });
  }
  if (value.length % 4 === 1) {
    throw new OAuthError('assertion_malformed', { detail: `the ${part} part has a length no base64url encoding produces (truncated?)` });
  }
  // RFC 7515 §2 + RFC 4648 §3.5: canonical encoding only (unused trailing bits are zero). With 2
  // (or 3) characters in the last group, the last character carries 4 (or 2) unused bits.
  const rest = value.length % 4;
  const unusedBits = rest === 2 ? 0x0f : rest === 3 ? 0x03 : 0;
  if (unusedBits !== 0 && (ALPHABET.indexOf(value[value.length - 1]!) & unusedBits) !== 0) {
    throw new OAuthError('assertion_malformed', { detail: `the ${part} part is not canonical base64url (its last character carries non-zero unused bits)` });
  }
  return Buffer.from(value, 'base64url');
}

/** Encodes bytes as unpadded base64url (RFC 7515 §2). */
export function encodeBase64Url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString('base64url');
}
