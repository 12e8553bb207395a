/**
 * Checks an access token issued by THIS server (introspection, revocation, the client-keys
 * endpoint): the signature with one of our own published keys chosen by kid, `typ: at+jwt`, iss and
 * exp. Pure and synchronous.
 */
import type { KeyObject } from 'node:crypto';
import { readTyp } from '../assertion/claim-helpers.ts';
import { OAuthError } from '../errors.ts';
import { parseCompactJws } from '../jws/parse-compact-jws.ts';
import { verifyJwsSignature } from '../jws/verify-jws-signature.ts';
import type { JwsAlgorithm } from '../keys/types.ts';

/** One of this server's public signing keys. */
export interface ServerPublicKey {
  readonly kid: string;
  readonly alg: JwsAlgorithm;
  readonly publicKey: KeyObject;
}

/** A verified access token. */
export interface VerifiedAccessToken {
  readonly jti: string;
  readonly clientId: string;
  readonly claims: Record<string, unknown>;
}

/**
 * Verifies `token`. Throws OAuthError 'token_invalid' (not ours, bad signature, wrong typ or iss,
 * malformed) or 'token_expired'. The algorithm comes from our key record, never from the header.
 *
 * Does NOT check revocation (the caller looks the jti up in the token store), the audience or scopes.
 */
export function verifyAccessToken(token: string, options: { keys: readonly ServerPublicKey[]; issuer: string; now: number }): VerifiedAccessToken {
  let parsed;
  try {
    parsed = parseCompactJws(token, { maxLength: 16384 });
  } catch (cause) {
    throw new OAuthError('token_invalid', { detail: 'the token is not a well-formed JWT', cause });
  }
  const { header, payload } = parsed;
  // RFC 9068 §4: typ must be at+jwt.
  if (readTyp(header) !== 'at+jwt') {
    throw new OAuthError('token_invalid', { detail: 'the token is not an access token (typ at+jwt)' });
  }
  const key = options.keys.find((candidate) => candidate.kid === header.kid);
  if (key === undefined || header.alg !== key.alg) throw new OAuthError('token_invalid', { detail: 'the token was not signed by a current key of this server' });
  let valid = false;
  try {
    valid = verifyJwsSignature(parsed, key.publicKey, key.alg);
  } catch {
    valid = false;
  }
  if (!valid) throw new OAuthError('token_invalid', { detail: 'the token signature does not verify' });
  // RFC 9068 §4: iss must be this server.
  if (payload.iss !== options.issuer) throw new OAuthError('token_invalid', { detail: 'the token was issued by another server' });
  if (typeof payload.exp !== 'number' || typeof payload.jti !== 'string' || typeof payload.client_id !== 'string') {
    throw new OAuthError('token_invalid', { detail: 'the token lacks exp, jti or client_id' });
  }
  // RFC 9068 §4: exp must be in the future.
  if (payload.exp <= options.now) throw new OAuthError('token_expired', { detail: 'the access token has expired' });
  return { jti: payload.jti, clientId: payload.client_id, claims: payload };
}
