/**
 * The JOSE header rules that hold for every JWS Keyward verifies, whatever the caller's policy.
 */
import { OAuthError } from '../errors.ts';

/** Header parameters that carry or point to a key; Keyward never uses one to find or fetch a key. */
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

/**
 * Checks the header rules that need no options:
 * - `alg` present and a string → else 'assertion_malformed' (RFC 7515 §4.1.1: alg is required);
 * - `kid` and `typ`, when present, are strings → else 'assertion_malformed' (RFC 7515 §4.1.4, §4.1.9);
 * - `crit` present at all → 'crit_unsupported': Keyward understands no extension, and RFC 7515
 *   §4.1.11 says a recipient MUST reject a JWS whose `crit` lists one it does not understand (an
 *   empty or malformed `crit` is invalid by the same clause);
 * - `b64` present → 'crit_unsupported' (RFC 7797 §3: the unencoded payload option changes what is
 *   signed; Keyward reads only the default `b64: true` form and refuses to guess);
 * - `jwk`, `jku`, `x5u`, `x5c` present → 'header_key_not_allowed'. Decision: refuse rather than
 *   ignore. A client that registered its key never needs them, and in practice they signal an
 *   attacker offering their own key (RFC 8725 §3.10, CVE-2018-0114 shape). They are never fetched.
 *
 * Does NOT check that `alg` is allowed or fits any key (see verifyWithRegisteredKeys), nor `typ` values.
 */
export function checkJoseHeader(header: Record<string, unknown>): void {
  // RFC 7515 §4.1.1: "alg" is REQUIRED and is a case-sensitive string.
  if (!Object.hasOwn(header, 'alg')) throw new OAuthError('assertion_malformed', { detail: 'the header has no "alg"' });
  if (typeof header.alg !== 'string') throw new OAuthError('assertion_malformed', { detail: 'the header "alg" must be a string' });
  // RFC 7515 §4.1.4 / §4.1.9: kid and typ are strings.
  if (Object.hasOwn(header, 'kid') && typeof header.kid !== 'string') {
    throw new OAuthError('assertion_malformed', { detail: 'the header "kid" must be a string' });
  }
  if (Object.hasOwn(header, 'typ') && typeof header.typ !== 'string') {
    throw new OAuthError('assertion_malformed', { detail: 'the header "typ" must be a string' });
  }
  // RFC 7515 §4.1.11: no extension is understood here, so any "crit" is refused.
  if (Object.hasOwn(header, 'crit')) {
    throw new OAuthError('crit_unsupported', { detail: 'the header has "crit"; Keyward supports no critical header extensions: remove "crit"' });
  }
  // RFC 7797 §3: "b64" changes the signing input; only the default encoded payload is read.
  if (Object.hasOwn(header, 'b64')) {
    throw new OAuthError('crit_unsupported', { detail: 'the header has "b64" (RFC 7797 unencoded payload), which is not supported: remove it' });
  }
  // RFC 7515 §4.1.2, §4.1.3, §4.1.5, §4.1.6 + RFC 8725 §3.10: keys come from the registry only.
  for (const name of KEY_BEARING_HEADERS) {
    if (Object.hasOwn(header, name)) {
      throw new OAuthError('header_key_not_allowed', {
        detail: `the header has "${name}"; keys are taken only from the client's registration, never from the JWT: remove "${name}" and send the registered key's "kid"`,
      });
    }
  }
}
