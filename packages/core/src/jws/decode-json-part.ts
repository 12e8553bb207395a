/**
 * Decodes the JOSE header or the JWT claims set of a compact JWS into a plain JSON object.
 */
import { isUtf8 } from 'node:buffer';
import { OAuthError } from '../errors.ts';
import type { JwsPartName } from './base64url.ts';

/**
 * Reads `bytes` as a UTF-8 JSON object.
 *
 * Refuses (OAuthError 'assertion_malformed', detail naming the part): invalid UTF-8 (RFC 7515 §5.2
 * step 3, RFC 7519 §7.2 step 10), text that is not JSON, JSON that is not an object (an array, a
 * string, null...), and an object with a duplicate member name at its top level (RFC 7515 §5.2 step 4
 * and RFC 7519 §4 allow "reject or take the last one": Keyward rejects, because `{"alg":"RS256",
 * "alg":"none"}` is read differently by different parsers). Does NOT check member types or values.
 */
export function decodeJsonPart(bytes: Buffer, part: Exclude<JwsPartName, 'signature'>): Record<string, unknown> {
  if (!isUtf8(bytes)) throw new OAuthError('assertion_malformed', { detail: `the ${part} part is not valid UTF-8` });
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new OAuthError('assertion_malformed', { detail: `the ${part} part is not valid JSON` });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new OAuthError('assertion_malformed', { detail: `the ${part} part must be a JSON object, not ${kind}` });
  }
  // JSON.parse keeps one member per name, so fewer keys than members in the text means a duplicate.
  const duplicate = countTopLevelMembers(text) === Object.keys(value).length ? undefined : findDuplicateTopLevelMember(text);
  if (duplicate !== undefined) {
    throw new OAuthError('assertion_malformed', { detail: `the ${part} part has the member ${JSON.stringify(duplicate.slice(0, 40))} more than once` });
  }
  return value as Record<string, unknown>;
}

/**
 * Counts the members at the top level of a JSON object text that JSON.parse accepted (so the text is
 * well-formed): the commas at depth 1 plus one, or 0 for `{}`. Strings are skipped whole (to the next
 * quote not escaped by an odd run of backslashes), so commas and brackets inside them do not count.
 * Linear, no allocation.
 */
function countTopLevelMembers(text: string): number {
  let depth = 0;
  let commas = 0;
  let empty = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      if (depth === 1) empty = false;
      i = closingQuote(text, i);
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      commas++;
    }
  }
  return empty ? 0 : commas + 1;
}

/** The index of the quote closing the string that opens at `open` (text is well-formed JSON). */
function closingQuote(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end !== -1) {
    // RFC 8259 §7: a quote preceded by an odd number of backslashes is escaped.
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if ((backslashes & 1) === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}

/**
 * Returns the first member name that appears twice at the top level of a JSON object text that has
 * already been parsed successfully by JSON.parse (so the text is well-formed), or undefined.
 * Linear in the text length; member names are compared after unescaping (`"\u0061lg"` is `"alg"`).
 */
function findDuplicateTopLevelMember(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      if (depth === 1 && expectKey) {
        const name = JSON.parse(text.slice(start, i + 1)) as string;
        if (seen.has(name)) return name;
        seen.add(name);
        expectKey = false;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}
