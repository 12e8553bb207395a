/**
 * Doctor checks that need the registered keys: kid selection, the signature, and finally the REAL
 * verifier (verifyClientAssertion / verifyDirectToken) run as the server would run it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { OAuthError } from '@keyward/core';
import { findCandidateKeys, verifyWithRegisteredKeys } from '@keyward/core';
import { verifyJwsSignature } from '@keyward/core';
import { parseClientAssertion } from '@keyward/core';
import { parseDirectToken } from '@keyward/core';
import { verifyClientAssertion } from '@keyward/core';
import { verifyDirectToken } from '@keyward/core';
import { DEFAULT_ASSERTION_POLICY } from '@keyward/core';
import { toRegisteredKey } from '@keyward/core';
import { calculateThumbprint } from '@keyward/core';
import { isJwsAlgorithm, type JwsAlgorithm, type PublicKeyInfo } from '@keyward/core';
import type { ParsedJws } from '@keyward/core';
import type { Check, DoctorInput } from './types.ts';

/** kid among the registered keys (RFC 7515 §4.1.4), then the signature (RFC 7515 §5.2). */
export function checkSignature(parsed: ParsedJws, registered: readonly PublicKeyInfo[], privateKey: KeyObject | undefined, rawToken?: string): Check[] {
  const keys = registered.map((info) => toRegisteredKey(info));
  const policy = { allowedAlgs: DEFAULT_ASSERTION_POLICY.allowedAlgs };
  const checks: Check[] = [];
  try {
    findCandidateKeys(parsed, keys, policy);
    checks.push({ id: 'signature.kid', status: 'pass', title: typeof parsed.header.kid === 'string' ? `kid ${JSON.stringify(parsed.header.kid)} names a registered key` : 'no kid: every registered key of the right type is tried' });
  } catch (error) {
    const reason = error instanceof OAuthError ? error.reason : undefined;
    if (reason === 'alg_not_allowed') return checks;
    checks.push({
      id: 'signature.kid', status: 'fail', title: reason === 'kid_unknown' ? `kid ${JSON.stringify(parsed.header.kid)} matches no registered key` : 'no registered key fits this token',
      detail: (error as Error).message, ...(reason ? { reason } : {}),
      fix: reason === 'kid_unknown' ? `send the kid of the registered key (${registered.map((info) => info.kid).join(', ')}), or omit kid` : 'sign with an algorithm that fits the registered key type',
    });
    return checks;
  }
  try {
    const { key } = verifyWithRegisteredKeys(parsed, keys, policy);
    checks.push({ id: 'signature.verify', status: 'pass', title: `the signature verifies with the registered key ${key.kid}` });
  } catch (error) {
    let detail = 'the token was signed with a key whose public half is not the registered one';
    const alg = parsed.header.alg;
    if (rawToken !== undefined && /\s/.test(rawToken.trim()) && isJwsAlgorithm(alg) && signedOverLineBreaks(rawToken.trim(), registered, alg)) {
      checks.push({
        id: 'signature.verify', status: 'fail', title: 'the signature was computed over the header and payload WITH their line breaks', reason: 'assertion_line_breaks',
        detail: 'the registered key verifies the signature only over the text with line breaks, which no verifier will see once the JWT is one line',
        fix: "rebuild all three parts with `openssl base64 -A` (or `tr -d '\\n'`) BEFORE signing, then sign the one-line header.payload",
      });
      return checks;
    }
    if (privateKey !== undefined && isJwsAlgorithm(alg)) {
      const publicKey = createPublicKey(privateKey);
      let signedByIt = false;
      try { signedByIt = verifyJwsSignature(parsed, publicKey, alg); } catch { signedByIt = false; }
      if (signedByIt) detail = `the token WAS signed by the given private key (thumbprint ${calculateThumbprint(publicKey)}), but the registered key is ${registered.map((info) => info.thumbprint).join(', ')}`;
      else detail = 'the token was signed neither by the registered key nor by the given private key (or it was changed after signing)';
    }
    checks.push({
      id: 'signature.verify', status: 'fail', title: 'the key that would verify this signature is not the registered key', reason: 'signature_invalid',
      detail: `${detail}. ${(error as Error).message}`,
      fix: 'sign with the private key that matches the registered public key (or register the public key of the key you sign with), and send the token unchanged',
    });
  }
  return checks;
}

/** True when the signature verifies over the signing input exactly as written, line breaks included. */
function signedOverLineBreaks(token: string, registered: readonly PublicKeyInfo[], alg: JwsAlgorithm): boolean {
  const last = token.lastIndexOf('.');
  if (last < 0) return false;
  const signingInput = Buffer.from(token.slice(0, last), 'latin1');
  const signature = Buffer.from(token.slice(last + 1).replace(/\s+/g, ''), 'base64url');
  return registered.some((info) => {
    try {
      return verifyJwsSignature({ signingInput, signature } as ParsedJws, info.key, alg);
    } catch {
      return false;
    }
  });
}

/** The real verifier, as the server runs it, at the server's time when known. */
export function checkWithVerifier(token: string, registered: readonly PublicKeyInfo[], input: DoctorInput): Check {
  const keys = registered.map((info) => toRegisteredKey(info));
  const now = Math.floor(input.now + (input.server?.clockOffset ?? 0));
  try {
    if (input.direct) {
      const parsed = parseDirectToken(token, input.clientIdClaim === undefined ? {} : { clientIdClaim: input.clientIdClaim });
      verifyDirectToken(parsed, { keys, now, ...(input.clockTolerance === undefined ? {} : { policy: { clockTolerance: input.clockTolerance } }) });
    } else {
      const issuer = input.server?.issuer ?? input.expectedAudience;
      if (issuer === undefined) return { id: 'verifier', status: 'skip', title: 'the full verifier needs the issuer: give --issuer (or --aud)' };
      const parsed = parseClientAssertion(token);
      verifyClientAssertion(parsed, {
        keys, issuer, tokenEndpoint: input.server?.tokenEndpoint ?? `${issuer}/token`, now,
        ...(input.clientId === undefined ? {} : { clientIdParam: input.clientId }),
        policy: { audience: input.audiencePolicy ?? 'strict', ...(input.clockTolerance === undefined ? {} : { clockTolerance: input.clockTolerance }) },
      });
    }
    return { id: 'verifier', status: 'pass', title: 'the Keyward verifier accepts this token (replay not checked: each jti is accepted once)' };
  } catch (error) {
    if (error instanceof OAuthError) return { id: 'verifier', status: 'fail', title: `the Keyward verifier refuses it: ${error.reason}`, reason: error.reason, detail: error.message };
    return { id: 'verifier', status: 'fail', title: 'the Keyward verifier refuses it', detail: (error as Error).message };
  }
}
