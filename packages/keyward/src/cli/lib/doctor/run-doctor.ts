/**
 * `keyward doctor`'s engine: every check on a token, given what the user supplied. Pure (no file or
 * network access): the command reads files and asks the server first.
 */
import { checkAudience, checkFormat, checkHeader, checkIdentity, checkTimes } from './check-token.ts';
import { checkKeyPairMatches } from './check-key-file.ts';
import { checkSignature, checkWithVerifier } from './check-signature.ts';
import { decodeLeniently } from './decode-leniently.ts';
import type { Check, DoctorInput } from './types.ts';

/**
 * Runs the token checks in the verifier's order (format, header, identity, audience, times, kid,
 * signature, key pair) and last the real verifier. Checks needing input that was not given are
 * 'skip'. Does NOT check replay (a jti already used), client state or scopes: only the server knows.
 */
export function runDoctor(input: DoctorInput): Check[] {
  const checks: Check[] = [];
  const { checks: formatChecks, parsed } = checkFormat(input.token);
  checks.push(...formatChecks);
  const jwt = decodeLeniently(input.token);
  checks.push(...checkHeader(jwt, parsed, input));
  const claims = parsed?.payload ?? jwt.payload;
  if (claims === undefined) {
    checks.push({ id: 'claims', status: 'skip', title: 'the claims could not be decoded' });
  } else {
    checks.push(...checkIdentity(claims, input));
    checks.push(...checkAudience(claims, input));
    checks.push(...checkTimes(claims, input));
  }
  const registered = input.registeredKeys;
  if (registered === undefined || registered.length === 0) {
    checks.push({ id: 'signature.verify', status: 'skip', title: 'signature not checked: give the registered public key (--key FILE or --jwks FILE|URL)' });
  } else {
    if (parsed !== undefined) checks.push(...checkSignature(parsed, registered, input.privateKey, input.token));
    if (input.privateKey !== undefined) checks.push(checkKeyPairMatches(input.privateKey, registered));
    // The real verifier sees the token exactly as given (a line break is its first refusal).
    checks.push(checkWithVerifier(input.token, registered, input));
  }
  return checks;
}

/** True when no check failed. */
export function isHealthy(checks: readonly Check[]): boolean {
  return checks.every((check) => check.status !== 'fail');
}
