/**
 * THE status rule of a Bearer refusal (RFC 6750 §3.1), for the verifier's answers and the server's
 * own protected endpoints alike.
 */
import { REASONS, type ReasonCode } from '../errors.ts';

/**
 * RFC 6750 §3.1 code and status for one reason, as a resource server answers it:
 * - no credential offered ('token_missing') → 401 and, in the challenge, no error code;
 * - 'insufficient_scope' → 403;
 * - keys or stores out of reach ('store_unavailable', 'rate_limited') → 503 temporarily_unavailable
 *   (the token may well be valid: "retry", not "bad token");
 * - a malformed request (any reason whose code is invalid_request: two Authorization headers, a
 *   token in the query, `Bearer` without a b64token) → 400 invalid_request;
 * - everything else (signature, claims, keys, client, a token that is expired, revoked, unknown or
 *   itself malformed) → 401 invalid_token.
 */
export function mapReasonToBearer(reason: ReasonCode): { error: string; status: number } {
  // RFC 6750 §3.1: no credentials at all → 401 and no error code in the challenge.
  if (reason === 'token_missing') return { error: 'invalid_request', status: 401 };
  if (reason === 'insufficient_scope') return { error: 'insufficient_scope', status: 403 };
  // The keys could not be fetched: the token may well be valid, so say "retry", not "bad token".
  if (reason === 'store_unavailable' || reason === 'rate_limited') return { error: 'temporarily_unavailable', status: 503 };
  const spec = REASONS[reason];
  // RFC 6750 §3.1 invalid_request: malformed request (two Authorization headers, token in the query...).
  if (spec.error === 'invalid_request') return { error: 'invalid_request', status: 400 };
  // Every other refusal (signature, claims, keys, client) is invalid_token (RFC 6750 §3.1).
  return { error: 'invalid_token', status: 401 };
}
