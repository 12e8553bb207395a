/**
 * Chooses the registered key (and the algorithm) that may verify a parsed JWS. The header only
 * names a key (`kid`) and an algorithm (`alg`); the registry decides whether that pair is allowed.
 */
import { OAuthError } from '../errors.ts';
import { algorithmsForKey } from '../keys/index.ts';
import { isJwsAlgorithm, type JwsAlgorithm, type RegisteredKey } from '../keys/types.ts';
import type { KeyObject } from 'node:crypto';
import type { ParsedJws } from './types.ts';
import { doesKeyFitAlgorithm, signatureParams, verifyWithParams } from './verify-jws-signature.ts';

/** Which algorithms a verifier accepts. */
export interface KeySelectionPolicy {
  /** Allow-list (RFC 8725 §3.1). Anything else, `none` and HS* included, is refused. */
  readonly allowedAlgs: readonly JwsAlgorithm[];
  /** Optional per-client pin: only this algorithm is accepted. */
  readonly algPin?: JwsAlgorithm;
}

/** The key and algorithm to verify with. */
export interface SelectedKey {
  readonly key: RegisteredKey;
  readonly alg: JwsAlgorithm;
}

const fitCache = new WeakMap<KeyObject, readonly JwsAlgorithm[]>();

function fits(key: RegisteredKey, alg: JwsAlgorithm): boolean {
  let algs = fitCache.get(key.key);
  if (algs === undefined) {
    try {
      algs = algorithmsForKey(key.key);
    } catch {
      // A key the policy refuses (it should never have been registered) fits no algorithm.
      algs = [];
    }
    fitCache.set(key.key, algs);
  }
  // The key type decides the family (RFC 8725 §3.1); a per-key pin (JWK "alg") narrows it further.
  return algs.includes(alg) && doesKeyFitAlgorithm(key.key, alg) && (key.alg === undefined || key.alg === alg);
}

/**
 * Checks the header `alg` against the policy and returns it, or throws 'alg_not_allowed'.
 * RFC 7515 §4.1.1, RFC 7523 §3 (9), RFC 8725 §3.1: never `none`, never HS* (a public key is not a
 * shared secret), only the allow-list, and the per-client pin if one is set.
 */
export function checkAlgorithm(parsed: ParsedJws, policy: KeySelectionPolicy): JwsAlgorithm {
  const alg = parsed.header.alg;
  // The accepted case in one test: an asymmetric algorithm of the allow-list (so never none or HS*),
  // and the pin if there is one. Everything else takes the checks below, which name the problem.
  if (isJwsAlgorithm(alg) && policy.allowedAlgs.includes(alg) && (policy.algPin === undefined || alg === policy.algPin)) return alg;
  if (alg === 'none') {
    throw new OAuthError('alg_not_allowed', { detail: 'alg "none" (an unsigned JWT) is never accepted: sign with the registered private key' });
  }
  if (typeof alg === 'string' && /^HS\d+$/i.test(alg)) {
    throw new OAuthError('alg_not_allowed', { detail: `${alg} is an HMAC (shared secret) algorithm; clients authenticate with an asymmetric key (RS256, PS256, ES256, EdDSA...)` });
  }
  if (!isJwsAlgorithm(alg) || !policy.allowedAlgs.includes(alg)) {
    throw new OAuthError('alg_not_allowed', { detail: `the algorithm is not in the allow-list (${policy.allowedAlgs.join(', ')})` });
  }
  if (policy.algPin !== undefined && alg !== policy.algPin) {
    throw new OAuthError('alg_not_allowed', { detail: `this client is pinned to ${policy.algPin}; sign with ${policy.algPin}` });
  }
  return alg;
}

/**
 * The registered keys that may verify `parsed`, best first, without checking any signature.
 *
 * - `kid` given: the keys whose `kid` (or RFC 7638 thumbprint) equals it exactly; none → 'kid_unknown'
 *   (RFC 7515 §4.1.4: kid is only a hint to pick among OUR keys; it is never a path or a query).
 * - no `kid`: every registered key whose type fits the algorithm.
 * - the algorithm must fit the key type and the key's own pinned `alg` → else 'alg_key_mismatch'.
 * - no keys at all → 'no_keys'.
 * Keys that are `active` or `retiring` come before `revoked` ones; lifecycle is judged by the caller
 * after the signature (so only the key holder learns that their key was revoked).
 */
export function findCandidateKeys(parsed: ParsedJws, keys: readonly RegisteredKey[], policy: KeySelectionPolicy): { alg: JwsAlgorithm; candidates: RegisteredKey[] } {
  const alg = checkAlgorithm(parsed, policy);
  if (keys.length === 0) throw new OAuthError('no_keys', { detail: 'the client has no registered key' });
  const kid = parsed.header.kid;
  let pool: readonly RegisteredKey[] = keys;
  if (typeof kid === 'string') {
    pool = keys.filter((k) => k.kid === kid || k.thumbprint === kid);
    if (pool.length === 0) {
      throw new OAuthError('kid_unknown', { detail: 'the header "kid" matches none of the keys registered for this client: send the kid (or RFC 7638 thumbprint) of a registered key, or omit kid' });
    }
  }
  const candidates = pool.filter((k) => fits(k, alg));
  if (candidates.length === 0) {
    const pinned = pool.find((k) => k.alg !== undefined && k.alg !== alg);
    throw new OAuthError('alg_key_mismatch', {
      detail: pinned?.alg !== undefined
        ? `the registered key is pinned to ${pinned.alg}; sign with ${pinned.alg}`
        : `${alg} does not fit the type of the ${typeof kid === 'string' ? 'key with this kid' : 'registered key(s)'}: ` +
          'RS*/PS* need an RSA key, ES256/ES384/ES512 an EC P-256/P-384/P-521 key, EdDSA an Ed25519 key',
    });
  }
  candidates.sort((a, b) => Number(a.state === 'revoked') - Number(b.state === 'revoked'));
  return { alg, candidates };
}

/**
 * Picks the key and algorithm by the rules of {@link findCandidateKeys} and verifies the signature
 * with it, once. When several keys fit and the header has no `kid` (a client in key rotation that
 * does not send kid), each fitting key is tried in turn and the first whose signature verifies wins.
 * Throws 'signature_invalid' when no candidate verifies (RFC 7515 §5.2 step 8). This is the single
 * entry point of the token endpoint, direct mode and the API middleware.
 *
 * Does NOT check the key lifecycle or any claim.
 */
export function verifyWithRegisteredKeys(parsed: ParsedJws, keys: readonly RegisteredKey[], policy: KeySelectionPolicy): SelectedKey {
  // The common case, one registered key that the kid (if any) names and the algorithm fits: the
  // same rules as findCandidateKeys without building the candidate lists. Anything else (several
  // keys, no match, no fit) goes through findCandidateKeys, which names the refusal.
  if (keys.length === 1) {
    const alg = checkAlgorithm(parsed, policy);
    const key = keys[0]!;
    const kid = parsed.header.kid;
    if ((typeof kid !== 'string' || key.kid === kid || key.thumbprint === kid) && fits(key, alg)) return verifyCandidates(parsed, keys, alg);
  }
  const { alg, candidates } = findCandidateKeys(parsed, keys, policy);
  return verifyCandidates(parsed, candidates, alg);
}

/** Verifies with each candidate in turn; every candidate fits `alg` (checked by `fits`). */
function verifyCandidates(parsed: ParsedJws, candidates: readonly RegisteredKey[], alg: JwsAlgorithm): SelectedKey {
  for (let i = 0; i < candidates.length; i++) {
    const key = candidates[i]!;
    if (verifyWithParams(parsed, signatureParams(key.key, alg))) return { key, alg };
  }
  throw new OAuthError('signature_invalid', {
    detail: `the ${alg} signature does not verify with the registered key${candidates.length > 1 ? 's' : ''}: ` +
      'sign with the private key that matches the registered public key, and send the token unchanged',
  });
}
