/**
 * Keeps direct tokens apart from the other JWTs a client or the server signs (RFC 8725 §2.8
 * cross-JWT confusion, §3.12 mutually exclusive validation rules): a client assertion for the token
 * endpoint, or an access token, must never pass as a direct token, whatever claim names the client.
 */
import { OAuthError } from '../errors.ts';

const STRIP_SLASH = /\/$/;

function refuse(detail: string): OAuthError {
  return new OAuthError('not_a_direct_token', { detail });
}

/**
 * Refuses (OAuthError 'not_a_direct_token'), in this order, a direct token whose claims:
 * 1. `aud` equals or contains one of `serverIdentifiers` (the authorization server's issuer or token
 *    endpoint; compared without a trailing slash): a client assertion (RFC 7523 §3 (3));
 * 2. `iss` equals one of `serverIdentifiers`: a token the server issued (RFC 9068 §2.2);
 * 3. carry an `aud` and an `iss` equal to `sub`: the shape of a client assertion (RFC 7523 §3 (1)-(3)),
 *    refused even when the verifier does not know the server;
 * 4. carry both `client_id` and `scope`: the shape of an access token (RFC 9068 §2.2, RFC 8693 §4.2).
 *
 * Does NOT check the header `typ` (verifyDirectToken does, before the signature) nor judge an `aud`
 * naming anything else: direct tokens have no audience rule of their own.
 */
export function checkDirectTokenKind(claims: Readonly<Record<string, unknown>>, serverIdentifiers: readonly string[]): void {
  const servers = new Set(serverIdentifiers.map((id) => id.replace(STRIP_SLASH, '')));
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (audiences.some((value) => typeof value === 'string' && servers.has(value.replace(STRIP_SLASH, '')))) {
    throw refuse('"aud" names the authorization server: this is a client assertion for its token endpoint, not a direct token');
  }
  if (typeof claims.iss === 'string' && servers.has(claims.iss.replace(STRIP_SLASH, ''))) {
    throw refuse('"iss" is the authorization server: this is a token it issued (an access token), not a direct token');
  }
  if (aud !== undefined && claims.iss !== undefined && claims.iss === claims.sub) {
    throw refuse('"aud" with "iss" equal to "sub" is the shape of a client assertion (RFC 7523 §3); a direct token must not have it');
  }
  if (Object.hasOwn(claims, 'client_id') && Object.hasOwn(claims, 'scope')) {
    throw refuse('"client_id" with "scope" is the shape of an access token (RFC 9068 §2.2); a direct token must not have it');
  }
}
