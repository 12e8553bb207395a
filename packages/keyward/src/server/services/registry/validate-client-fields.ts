/**
 * Field rules shared by client creation, update and dynamic registration. Each check throws a
 * RegistryError('invalid') whose message says what to fix.
 */
import { OAuthError } from '@keyward/core';
import { isJwsAlgorithm, type JwsAlgorithm } from '@keyward/core';
import type { AudiencePolicy } from '../../../store/contract.ts';
import { checkJwksUri } from '../jwks-uri/fetch-jwks.ts';
import { RegistryError } from './registry-error.ts';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). The one copy of the rule. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Grant types the token endpoint implements (RFC 6749 §4.4, RFC 7523 §2.1, RFC 6749 §4.1 and §6). */
export const KNOWN_GRANT_TYPES = ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code', 'refresh_token'] as const;

/** Grant types a new client gets unless told otherwise. */
export const DEFAULT_CLIENT_GRANT_TYPES: readonly string[] = ['client_credentials'];

/**
 * A chosen client id: 3-128 unreserved URL characters (RFC 3986 §2.3), so it needs no escaping
 * anywhere, starting with a letter or digit (one starting with `-` would read as an option on a
 * command line).
 */
export const CHOSEN_CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{2,127}$/;

/** Checks a chosen client id. */
export function checkClientId(clientId: string): string {
  if (!CHOSEN_CLIENT_ID.test(clientId)) {
    throw new RegistryError('invalid', 'a chosen client_id is 3-128 characters of letters, digits and . _ ~ -, starting with a letter or digit (or leave it out to get a random one)');
  }
  return clientId;
}

/** Checks a display name (1-200 characters, no control characters). */
export function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200 || /[\x00-\x1f\x7f]/.test(trimmed)) {
    throw new RegistryError('invalid', 'client_name must be 1-200 printable characters');
  }
  return trimmed;
}

/** Checks an optional free-text field (contact, description). */
export function checkText(field: string, value: string, max: number): string {
  if (value.length > max || /[\x00-\x08\x0b-\x1f\x7f]/.test(value)) {
    throw new RegistryError('invalid', `${field} must be at most ${max} printable characters`);
  }
  return value;
}

/** RFC 7591 §2 grant_types: every value must be one the token endpoint implements. */
export function checkGrantTypes(grantTypes: readonly string[]): string[] {
  const unique = [...new Set(grantTypes)];
  if (unique.length === 0) throw new RegistryError('invalid', `grant_types must name at least one of: ${KNOWN_GRANT_TYPES.join(', ')}`);
  for (const grant of unique) {
    if (!(KNOWN_GRANT_TYPES as readonly string[]).includes(grant)) {
      throw new RegistryError('invalid', `the grant type ${JSON.stringify(grant)} is not supported: use ${KNOWN_GRANT_TYPES.join(' or ')}`);
    }
  }
  return unique;
}

/** RFC 6749 §3.3 scope tokens; with `allowed`, every scope must be in it. */
export function checkScopes(scopes: readonly string[], allowed?: readonly string[]): string[] {
  const unique = [...new Set(scopes.filter((s) => s !== ''))];
  for (const scope of unique) {
    if (!SCOPE_TOKEN.test(scope)) {
      throw new RegistryError('invalid', `the scope ${JSON.stringify(scope)} has a character RFC 6749 §3.3 does not allow (no spaces, quotes or backslashes)`);
    }
    if (allowed !== undefined && !allowed.includes(scope)) {
      throw new RegistryError('invalid', `the scope ${JSON.stringify(scope)} is not one this server allows for this registration: ask for a subset of ${allowed.length ? allowed.join(' ') : '(none)'}`);
    }
  }
  return unique;
}

/** Access token lifetime: 1 s to 1 day. */
export function checkTtl(ttl: number): number {
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400) throw new RegistryError('invalid', 'access_token_ttl must be a whole number of seconds between 1 and 86400');
  return ttl;
}

/** A client's key rotation age (`key_age` alert): 1 to 36,500 whole days. */
export function checkKeyMaxAge(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new RegistryError('invalid', 'key_max_age_days must be a whole number of days between 1 and 36500 (or null to follow the server\'s keys.maxAge)');
  return days;
}

/** `strict` or `legacy` (draft-ietf-oauth-rfc7523bis §5). */
export function checkAudiencePolicy(policy: string): AudiencePolicy {
  if (policy !== 'strict' && policy !== 'legacy') throw new RegistryError('invalid', 'audience_policy must be "strict" (aud = issuer only, recommended) or "legacy" (also the token endpoint URL and arrays)');
  return policy;
}

/** An asymmetric JWS algorithm (RFC 7518 §3.1); never none or HS*. */
export function checkAlgPin(alg: string): JwsAlgorithm {
  if (!isJwsAlgorithm(alg)) throw new RegistryError('invalid', `alg_pin ${JSON.stringify(alg)} is not an asymmetric JWS algorithm: use RS256, PS256, ES256, EdDSA or another of RS/PS/ES 256/384/512`);
  return alg;
}

/**
 * A jwks_uri: an absolute https URL without credentials or fragment (http only for hosts allow-listed
 * for the fetcher). Does NOT resolve or fetch it (the fetcher checks addresses at fetch time).
 */
export function checkJwksUriSyntax(uri: string, allowHosts: readonly string[] = []): string {
  if (uri.length > 2048) throw new RegistryError('invalid', 'jwks_uri is longer than 2048 characters');
  try {
    // The fetcher's own URL rule (jwks-uri/fetch-jwks.ts), so registration and fetching agree.
    return checkJwksUri(uri, allowHosts).toString();
  } catch (error) {
    if (error instanceof OAuthError) throw new RegistryError('invalid', error.detail ?? error.description);
    throw error;
  }
}
