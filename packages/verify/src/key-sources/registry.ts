/**
 * Direct-mode keys from the Keyward server's registry, through the endpoint it exposes to
 * authenticated resource servers:
 *
 *   GET {issuer}/resource/v1/clients/{client_id}/keys
 *   Authorization: Bearer <access token with scope keyward:keys.read>
 *   200 { client_id, state: "enabled"|"disabled", keys: [public JWK + kid, alg, keyward_state,
 *         keyward_retire_at, nbf, exp] }   Cache-Control: max-age=60
 *   404 unknown client
 *
 * The resource server is itself a registered client: it gets that access token at the token
 * endpoint with client_credentials and a private_key_jwt assertion (RFC 7523 §2.2).
 */
import { OAuthError } from '@keyward/core';
import { signClientAssertion, type SigningKeyInput } from '@keyward/core';
import { importPublicKey, toRegisteredKey } from '@keyward/core';
import type { JwsAlgorithm, KeyState, RegisteredKey } from '@keyward/core';
import { discoverIssuer } from '../discovery.ts';
import { fetchJson, readMaxAge } from '../fetch-json.ts';
import type { ClientKeySource, FetchLike } from '../types.ts';
import { createCachedKeySource } from './cached-key-source.ts';

/** The scope the registry endpoint requires. */
export const KEYS_READ_SCOPE = 'keyward:keys.read';

/** Options of {@link createRegistryKeySource}. */
export interface RegistryKeySourceOptions {
  /** The Keyward server's issuer identifier (its base URL). */
  readonly issuer: string;
  /** This resource server's own client registration (scope keyward:keys.read granted). */
  readonly clientId: string;
  readonly privateKey: SigningKeyInput;
  readonly passphrase?: string;
  readonly kid?: string;
  readonly alg?: JwsAlgorithm;
  /** Default: the token_endpoint of the issuer metadata (RFC 8414). */
  readonly tokenEndpoint?: string;
  /** Default: `{issuer}/resource/v1/clients`. */
  readonly registryUrl?: string;
  /** The server's max-age is clamped to [min, max] seconds (defaults 5 and 300; 60 when absent). */
  readonly minCacheSeconds?: number;
  readonly maxCacheSeconds?: number;
  /**
   * At most one forced refetch (unknown kid, failed signature) per client per this many seconds
   * (default 1: a client's new key works with its first token).
   */
  readonly cooldownSeconds?: number;
  /** After a failed registry lookup (last good keys kept), the next attempt waits this long (default 10). */
  readonly retrySeconds?: number;
  readonly maxEntries?: number;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
  readonly now?: () => number;
}

const KEY_STATES: readonly KeyState[] = ['active', 'retiring', 'revoked'];

/** A date member of the registry answer: epoch seconds or an ISO 8601 string. */
function readDate(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return new Date(ms);
  }
  return undefined;
}

/** One registry JWK as a RegisteredKey, lifecycle included; throws for a key we cannot use. */
export function toRegisteredKeyFromRegistry(jwk: Record<string, unknown>): RegisteredKey {
  const { keyward_state: state, keyward_retire_at: retireAt, nbf, exp, ...publicJwk } = jwk;
  const info = importPublicKey(publicJwk);
  const notBefore = readDate(nbf);
  const notAfter = readDate(exp);
  const retire = readDate(retireAt);
  return toRegisteredKey(info, {
    // An unknown state is treated as revoked: never widen access on input we do not understand.
    state: state === undefined ? 'active' : KEY_STATES.includes(state as KeyState) ? state as KeyState : 'revoked',
    ...(retire === undefined ? {} : { retireAt: retire }),
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(notAfter === undefined ? {} : { notAfter }),
  });
}

/**
 * The registry key source. Per client: the answer is cached for the server's Cache-Control max-age
 * clamped to [minCacheSeconds, maxCacheSeconds] (with Keyward's max-age=60: 60 s); a token naming an
 * unknown kid, or failing the signature, refetches at most once per `cooldownSeconds`; a failed
 * fetch keeps the last good set. So a NEW key works at once (cooldown permitting) and a REVOKED key
 * or disabled client is refused at most max-age (≤ maxCacheSeconds) after the change, without restart.
 *
 * The access token is cached until 30 s before its `expires_in`; a 401 from the registry drops it
 * and retries once. Does NOT follow redirects; never logs the tokens.
 */
export function createRegistryKeySource(options: RegistryKeySourceOptions): ClientKeySource {
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) throw new TypeError('registry: issuer is required');
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) throw new TypeError('registry: clientId (this API\'s own client registration) is required');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5000;
  const bounds = { min: options.minCacheSeconds ?? 5, max: options.maxCacheSeconds ?? 300, fallback: 60 };
  const base = (options.registryUrl ?? `${options.issuer.replace(/\/$/, '')}/resource/v1/clients`).replace(/\/$/, '');
  let tokenEndpoint = options.tokenEndpoint;
  let accessToken: { value: string; until: number } | undefined;
  let tokenInflight: Promise<string> | undefined;

  async function requestToken(): Promise<string> {
    tokenEndpoint ??= (await discoverIssuer(options.issuer, fetchImpl, timeoutMs)).token_endpoint;
    if (tokenEndpoint === undefined) throw new OAuthError('store_unavailable', { detail: 'the issuer metadata has no token_endpoint' });
    const assertion = await signClientAssertion({
      clientId: options.clientId,
      audience: options.issuer,
      privateKey: options.privateKey,
      ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      ...(options.kid === undefined ? {} : { kid: options.kid }),
      ...(options.alg === undefined ? {} : { alg: options.alg }),
    });
    // RFC 6749 §4.4.2 client_credentials + RFC 7523 §2.2 client authentication.
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: KEYS_READ_SCOPE,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString();
    const response = await fetchJson(fetchImpl, tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, timeoutMs });
    const json = response.json as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (response.status !== 200 || typeof json?.access_token !== 'string') {
      throw new OAuthError('store_unavailable', { detail: `the token endpoint refused this API's client credentials (${response.status} ${typeof json?.error === 'string' ? json.error : ''}): check the API's client registration and its ${KEYS_READ_SCOPE} scope` });
    }
    const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 300;
    accessToken = { value: json.access_token, until: now() + Math.max(0, expiresIn - 30) * 1000 };
    return json.access_token;
  }

  function getToken(): Promise<string> {
    if (accessToken !== undefined && now() < accessToken.until) return Promise.resolve(accessToken.value);
    tokenInflight ??= requestToken().finally(() => {
      tokenInflight = undefined;
    });
    return tokenInflight;
  }

  async function fetchKeys(clientId: string, retried: boolean): Promise<{ entry: { state: 'enabled' | 'disabled'; keys: RegisteredKey[] } | undefined; ttlSeconds: number }> {
    const token = await getToken();
    const response = await fetchJson(fetchImpl, `${base}/${encodeURIComponent(clientId)}/keys`, { headers: { authorization: `Bearer ${token}` }, timeoutMs });
    if (response.status === 401 && !retried) {
      accessToken = undefined;
      return fetchKeys(clientId, true);
    }
    if (response.status === 404) return { entry: undefined, ttlSeconds: readMaxAge(response.headers, bounds) };
    const json = response.json as { client_id?: unknown; state?: unknown; keys?: unknown } | undefined;
    if (response.status !== 200 || json === undefined || !Array.isArray(json.keys)) {
      throw new OAuthError('store_unavailable', { detail: `the key registry answered ${response.status} for a client lookup` });
    }
    if (json.client_id !== undefined && json.client_id !== clientId) {
      throw new OAuthError('store_unavailable', { detail: 'the key registry answered for another client' });
    }
    const keys: RegisteredKey[] = [];
    for (const jwk of json.keys) {
      if (typeof jwk !== 'object' || jwk === null) continue;
      try {
        keys.push(toRegisteredKeyFromRegistry(jwk as Record<string, unknown>));
      } catch {
        // Skip a key we cannot use; the others still verify.
      }
    }
    return { entry: { state: json.state === 'enabled' ? 'enabled' : 'disabled', keys }, ttlSeconds: readMaxAge(response.headers, bounds) };
  }

  const source = createCachedKeySource({
    cooldownSeconds: options.cooldownSeconds ?? 1,
    retrySeconds: options.retrySeconds ?? 10,
    maxEntries: options.maxEntries ?? 10_000,
    now,
    load: (clientId) => fetchKeys(clientId, false),
  });
  // Direct mode refuses this server's client assertions and access tokens (RFC 8725 §3.12).
  return { ...source, issuer: options.issuer };
}
