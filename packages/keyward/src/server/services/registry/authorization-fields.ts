/**
 * The client fields of the authorization-code flow: redirect URIs, post-logout redirect URIs,
 * response types, the ID token algorithm, pushed authorization requests and consent. The one copy
 * of the redirect URI rule (registration here; /authorize compares the registered strings
 * character for character). Each check throws RegistryError('invalid') whose message says what to fix.
 */
import { isJwsAlgorithm, type JwsAlgorithm } from '@keyward/core';
import type { ClientConsent, ClientRecord } from '../../../store/contract.ts';
import { RegistryError } from './registry-error.ts';

/** What the registration of authorization fields depends on (server configuration). */
export interface AuthorizationFieldPolicy {
  /** `clients.allowLoopbackRedirectUris`: http://127.0.0.1[:port] and http://localhost[:port] redirect URIs. */
  readonly allowLoopbackRedirectUris?: boolean;
  /** Algorithms this server can sign ID tokens with (`tokens.signingAlg`); absent: any asymmetric one. */
  readonly idTokenAlgs?: readonly JwsAlgorithm[];
}

/** The policy of a server with configuration `config` (clients.allowLoopbackRedirectUris, tokens.signingAlg). */
export function authorizationPolicyOf(config: { readonly clients: { readonly allowLoopbackRedirectUris: boolean }; readonly tokens: { readonly signingAlg: JwsAlgorithm } }): AuthorizationFieldPolicy {
  return { allowLoopbackRedirectUris: config.clients.allowLoopbackRedirectUris, idTokenAlgs: [config.tokens.signingAlg] };
}

/** Authorization fields as given to create or update a client; `null` clears. */
export interface AuthorizationFieldsInput {
  readonly redirectUris?: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  readonly responseTypes?: readonly string[];
  readonly idTokenSignedResponseAlg?: string | null;
  readonly requirePushedAuthorizationRequests?: boolean;
  readonly consent?: string;
}

/** The stored authorization fields of a client. */
export type AuthorizationFields = Pick<ClientRecord, 'redirectUris' | 'postLogoutRedirectUris' | 'responseTypes' | 'idTokenSignedResponseAlg' | 'requirePushedAuthorizationRequests' | 'consent'>;

/** Schemes a browser would run or render instead of navigating to: never a redirect target. */
const SCRIPT_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);
const MAX_URIS = 20;

/**
 * Checks one redirect URI (RFC 6749 §3.1.2, RFC 9700 §2.1 / §4.1.3, FAPI 2.0 §5.3.2.2) and returns
 * it unchanged (the authorization endpoint compares strings exactly, so nothing is normalized):
 * - absolute, at most 2048 characters, no whitespace or control characters;
 * - RFC 6749 §3.1.2: "MUST NOT include a fragment component" (no `#` at all);
 * - no wildcard (`*`): RFC 9700 §4.1.3 requires exact matching;
 * - `javascript:`, `data:`, `vbscript:`, `file:` and `blob:` refused (the browser would run them);
 * - https only (FAPI 2.0 §5.3.2.2 / RFC 9700 §2.1); `http://127.0.0.1[:port]` and
 *   `http://localhost[:port]` only with `clients.allowLoopbackRedirectUris` (RFC 8252 §7.3);
 * - no user information (credentials) in the authority.
 * Does NOT resolve the host.
 */
export function checkRedirectUri(uri: string, field: string, policy: AuthorizationFieldPolicy = {}): string {
  const shown = JSON.stringify(uri.slice(0, 100));
  if (uri.length > 2048) throw new RegistryError('invalid', `${field}: a redirect URI is at most 2048 characters`);
  if (/[\s\x00-\x1f\x7f]/.test(uri)) throw new RegistryError('invalid', `${field}: ${shown} contains whitespace or control characters`);
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(uri)?.[0].toLowerCase();
  if (scheme !== undefined && SCRIPT_SCHEMES.has(scheme)) {
    throw new RegistryError('invalid', `${field}: the ${scheme} scheme is refused: a browser would run or render it instead of returning to your application; use an https URL`);
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new RegistryError('invalid', `${field}: ${shown} is not an absolute URI (RFC 6749 §3.1.2: the redirection endpoint URI MUST be absolute)`);
  }
  if (uri.includes('#')) throw new RegistryError('invalid', `${field}: ${shown} has a fragment; RFC 6749 §3.1.2 forbids one in a redirection URI`);
  if (uri.includes('*')) throw new RegistryError('invalid', `${field}: ${shown} holds a wildcard; redirect URIs are matched exactly (RFC 9700 §4.1.3): register each URI in full`);
  if (url.username !== '' || url.password !== '') throw new RegistryError('invalid', `${field}: a redirect URI must not carry user credentials`);
  if (url.protocol === 'https:' && url.hostname !== '') return uri;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    if (policy.allowLoopbackRedirectUris === true) return uri;
    throw new RegistryError('invalid', `${field}: ${shown} uses http on a loopback host, which this server allows only with the setting clients.allowLoopbackRedirectUris (RFC 8252 §7.3, for native apps); otherwise use https`);
  }
  throw new RegistryError('invalid', `${field}: ${shown} must be an https URL (FAPI 2.0 §5.3.2.2, RFC 9700 §2.1)`);
}

function checkUriList(uris: readonly string[], field: string, policy: AuthorizationFieldPolicy): string[] {
  const unique = [...new Set(uris)];
  if (unique.length > MAX_URIS) throw new RegistryError('invalid', `${field}: at most ${MAX_URIS} URIs`);
  return unique.map((uri) => checkRedirectUri(uri, field, policy));
}

/** `required` or `implicit`. */
export function checkConsent(consent: string): ClientConsent {
  if (consent !== 'required' && consent !== 'implicit') throw new RegistryError('invalid', 'consent must be "required" (the end user approves the scopes once) or "implicit" (first-party clients: no consent page)');
  return consent;
}

/**
 * The stored form of `input` (only the fields it sets; `null` for the ID token algorithm becomes
 * `undefined`, which clears it).
 */
export function checkAuthorizationFields(input: AuthorizationFieldsInput, policy: AuthorizationFieldPolicy = {}): Partial<Record<keyof AuthorizationFields, unknown>> {
  const out: Partial<Record<keyof AuthorizationFields, unknown>> = {};
  if (input.redirectUris !== undefined) out.redirectUris = checkUriList(input.redirectUris, 'redirect_uris', policy);
  if (input.postLogoutRedirectUris !== undefined) out.postLogoutRedirectUris = checkUriList(input.postLogoutRedirectUris, 'post_logout_redirect_uris', policy);
  if (input.responseTypes !== undefined) {
    const types = [...new Set(input.responseTypes)];
    // FAPI 2.0 §5.3.2.2 (1): only the code response type; RFC 6749 §3.1.1.
    for (const type of types) if (type !== 'code') throw new RegistryError('invalid', `response_types: ${JSON.stringify(type)} is not supported: this server answers response_type=code only (FAPI 2.0)`);
    out.responseTypes = types;
  }
  if (input.idTokenSignedResponseAlg !== undefined) {
    const alg = input.idTokenSignedResponseAlg;
    if (alg === null || alg === '') out.idTokenSignedResponseAlg = undefined;
    else {
      // OIDC Dynamic Client Registration §2: never none for a code flow client; our keys are asymmetric.
      if (!isJwsAlgorithm(alg)) throw new RegistryError('invalid', `id_token_signed_response_alg ${JSON.stringify(alg)} is not an asymmetric JWS algorithm`);
      if (policy.idTokenAlgs !== undefined && !policy.idTokenAlgs.includes(alg)) {
        throw new RegistryError('invalid', `id_token_signed_response_alg: this server signs ID tokens with ${policy.idTokenAlgs.join(' or ')} (tokens.signingAlg); leave the field out or use that`);
      }
      out.idTokenSignedResponseAlg = alg;
    }
  }
  if (input.requirePushedAuthorizationRequests !== undefined) out.requirePushedAuthorizationRequests = input.requirePushedAuthorizationRequests;
  if (input.consent !== undefined) out.consent = checkConsent(input.consent);
  return out;
}

/**
 * RFC 7591 §2.1: grant_types and response_types must agree. Given the client as it will be stored,
 * fills `responseTypes` (["code"] when it may use authorization_code, [] otherwise, unless set) and
 * throws when: response type `code` without the authorization_code grant; authorization_code
 * without a redirect URI (RFC 6749 §3.1.2.2, FAPI 2.0 §5.3.2.2: registration required); the
 * refresh_token grant without authorization_code (refresh tokens come only from codes here).
 */
export function settleAuthorizationFields<T extends Pick<ClientRecord, 'grantTypes'> & AuthorizationFields>(client: T, responseTypesGiven: boolean): T {
  const usesCode = client.grantTypes.includes('authorization_code');
  const responseTypes = responseTypesGiven ? [...(client.responseTypes ?? [])] : usesCode ? ['code'] : [];
  if (responseTypes.includes('code') && !usesCode) {
    throw new RegistryError('invalid', 'response_types ["code"] needs the authorization_code grant type (RFC 7591 §2.1): add it to grant_types');
  }
  if (usesCode && !responseTypes.includes('code')) {
    throw new RegistryError('invalid', 'the authorization_code grant type needs response_types ["code"] (RFC 7591 §2.1)');
  }
  if (usesCode && (client.redirectUris ?? []).length === 0) {
    throw new RegistryError('invalid', 'the authorization_code grant type needs at least one redirect URI (redirect_uris; RFC 6749 §3.1.2.2)');
  }
  if (client.grantTypes.includes('refresh_token') && !usesCode) {
    throw new RegistryError('invalid', 'the refresh_token grant type is only issued with the authorization_code grant: add authorization_code');
  }
  return { ...client, responseTypes };
}
