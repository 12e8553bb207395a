/**
 * One fetch of a client's `jwks_uri` (RFC 7591 §2) through the outbound guards of
 * {@link sendGuardedRequest} (https, address checks, pinned connection, no redirects, deadline, size
 * cap), then the key set read by {@link readJwksDocument}.
 */
import { OAuthError, privateKeyRefusal, readCacheControl, readJwkSet } from '@keyward/core';
import type { LoadedKeySet, PublicKeyInfo } from '@keyward/core';
import { checkOutboundUrl, sendGuardedRequest, type OutboundTarget, type ResolveHost } from '../outbound/send-guarded-request.ts';

export type { ResolveHost } from '../outbound/send-guarded-request.ts';
export { normaliseHost } from '../outbound/send-guarded-request.ts';

/** Guards of one fetch. */
export interface FetchJwksOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Host names or IP literals that may be fetched over http and may resolve to private addresses. */
  readonly allowHosts: readonly string[];
  readonly resolve?: ResolveHost;
}

/** The keys read from a `jwks_uri` and the cache lifetime its answer asked for. */
export type FetchedJwks = LoadedKeySet<PublicKeyInfo>;

function refuse(detail: string, cause?: unknown): OAuthError {
  return new OAuthError('jwks_fetch_failed', { detail, ...(cause === undefined ? {} : { cause }) });
}

/** The jwks_uri as an outbound target: its messages, its allow-list setting, its error. */
function jwksUriTarget(allowHosts: readonly string[]): OutboundTarget {
  return { what: 'jwks_uri', allowHosts, allowSetting: 'clients.jwksUriAllowHosts', refuse };
}

/**
 * Checks the URL itself (scheme, no credentials, no fragment) and returns it parsed. Throws
 * OAuthError 'jwks_fetch_failed' with a detail saying what to fix. Does NOT resolve the host.
 */
export function checkJwksUri(uri: string, allowHosts: readonly string[]): URL {
  return checkOutboundUrl(uri, jwksUriTarget(allowHosts));
}

/**
 * Reads the JWKS JSON text of a client's jwks_uri with core's readJwkSet. Entries that are not
 * usable signature keys are skipped (RFC 7517 §5); private material anywhere refuses the whole set
 * (the client has published its secret); a set left with no usable key is refused with the reasons.
 */
export function readJwksDocument(text: string): PublicKeyInfo[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw refuse('the jwks_uri answer is not JSON: serve {"keys":[...]} with content type application/json');
  }
  const reading = readJwkSet(document);
  if (reading === undefined) throw refuse('the jwks_uri answer is not a JWK Set: serve {"keys":[...]} (RFC 7517 §5)');
  if (reading.hasPrivate) throw refuse(`the key set at jwks_uri holds private key material; the whole set is refused: ${privateKeyRefusal().message}`);
  if (reading.keys.length === 0) {
    const reasons = reading.skipped.map((entry) => `key ${entry.index}: ${entry.reason}`).join('; ');
    throw refuse(`the key set at jwks_uri holds no usable signature key${reasons === '' ? '' : ` (${reasons})`}`);
  }
  return reading.keys;
}

/**
 * Fetches and reads the key set at `uri`. Throws OAuthError 'jwks_fetch_failed' with a detail for
 * every refusal (address, scheme, redirect, status, timeout, size, content). Does NOT cache.
 */
export async function fetchJwks(uri: string, options: FetchJwksOptions): Promise<FetchedJwks> {
  const response = await sendGuardedRequest(uri, jwksUriTarget(options.allowHosts), {
    method: 'GET',
    headers: { accept: 'application/jwk-set+json, application/json', 'user-agent': 'keyward-jwks-fetcher' },
    timeoutMs: options.timeoutMs,
    maxBytes: options.maxBytes,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  if (response.status !== 200) {
    // Redirects are not followed: the target would escape the address check.
    throw refuse(response.status >= 300 && response.status < 400
      ? `the jwks_uri answered with a redirect (${response.status}); redirects are not followed: register the final URL`
      : `the jwks_uri answered with HTTP ${response.status}; it must answer 200 with the key set`);
  }
  const keys = readJwksDocument(response.body);
  const cache = readCacheControl(typeof response.headers['cache-control'] === 'string' ? response.headers['cache-control'] : undefined);
  return { keys, maxAgeSeconds: cache.maxAgeSeconds, noStore: cache.noStore };
}
