/**
 * Parses a `client_assertion` (RFC 7521 §4.2, RFC 7523 §2.2) far enough to find out which client it
 * claims to come from.
 */
import { parseCompactJws } from '../jws/parse-compact-jws.ts';
import type { ParsedJws, ParseJwsOptions } from '../jws/types.ts';

/**
 * A parsed client assertion. NOTHING HERE IS TRUSTED: the signature has not been verified, so
 * `clientId` is only what the sender claims. Use it to look up that client's registered keys, then
 * call verifyClientAssertion; never log it as "the authenticated client" or act on it before that.
 */
export interface ParsedClientAssertion extends ParsedJws {
  /** UNVERIFIED: `iss` if it is a non-empty string, else `sub` if it is, else undefined. */
  readonly clientId: string | undefined;
}

/**
 * parseCompactJws (every structural and header rule, size cap first) plus the UNVERIFIED client
 * identifier, from `iss` (RFC 7523 §3 (1)) falling back to `sub` (RFC 7523 §3 (2)).
 *
 * Does NOT verify the signature or any claim, and does not require iss or sub to be present: a
 * missing client identifier is the caller's 'client_unknown' (or verifyClientAssertion's
 * 'iss_mismatch').
 */
export function parseClientAssertion(assertion: string, options: ParseJwsOptions = {}): ParsedClientAssertion {
  const parsed = parseCompactJws(assertion, options);
  const { iss, sub } = parsed.payload;
  const clientId = typeof iss === 'string' && iss.length > 0 ? iss : typeof sub === 'string' && sub.length > 0 ? sub : undefined;
  // Member by member (not spread): one object shape for every parsed assertion.
  return {
    header: parsed.header,
    payload: parsed.payload,
    signingInput: parsed.signingInput,
    signature: parsed.signature,
    raw: parsed.raw,
    clientId,
  };
}
