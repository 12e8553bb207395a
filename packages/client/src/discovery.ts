/**
 * RFC 8414 authorization server metadata: fetch and validate.
 */
import { DiscoveryError } from './errors.ts';

/** The members of the metadata document the SDK uses (RFC 8414 §2); the whole document is in `raw`. */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly token_endpoint: string;
  readonly jwks_uri?: string;
  readonly token_endpoint_auth_methods_supported?: readonly string[];
  readonly token_endpoint_auth_signing_alg_values_supported?: readonly string[];
  /** The whole document as received. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Options of {@link discoverAuthorizationServer}. */
export interface DiscoveryOptions {
  /** fetch implementation (default: the global fetch). */
  readonly fetch?: typeof fetch;
  /** Abort after this many milliseconds (default 10000). */
  readonly timeoutMs?: number;
}

/**
 * The RFC 8414 §3.1 metadata URL of an issuer: `/.well-known/oauth-authorization-server` inserted
 * between the host and the issuer's path (`https://as.example/tenant` →
 * `https://as.example/.well-known/oauth-authorization-server/tenant`).
 */
export function buildMetadataUrl(issuer: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new TypeError(`issuer must be an absolute URL, not ${JSON.stringify(issuer)}`);
  }
  // RFC 8414 §2: the issuer has no query or fragment.
  if (url.search !== '' || url.hash !== '') throw new TypeError('issuer must not have a query or a fragment (RFC 8414 §2)');
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/**
 * Fetches the metadata of `issuer` and checks it: HTTP 200 with a JSON object (RFC 8414 §3.2),
 * `issuer` identical to the requested one (RFC 8414 §3.3, which stops a server impersonating
 * another), a `token_endpoint` that is an absolute http(s) URL. Throws {@link DiscoveryError}.
 *
 * Does NOT check that the server supports `private_key_jwt` (a server that does not will refuse the
 * token request with a clear error) and does not cache: callers keep the result.
 */
export async function discoverAuthorizationServer(issuer: string, options: DiscoveryOptions = {}): Promise<AuthorizationServerMetadata> {
  const url = buildMetadataUrl(issuer);
  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000), redirect: 'error' });
  } catch (cause) {
    throw new DiscoveryError(`cannot reach ${url} (${(cause as Error).message}): check the issuer URL and that the server is running`, { cause });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new DiscoveryError(`${url} answered HTTP ${response.status}: check the issuer URL (it is the server's base URL, e.g. http://127.0.0.1:4440)`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new DiscoveryError(`${url} did not answer JSON: is this an OAuth authorization server?`, { cause });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new DiscoveryError(`${url} did not answer a JSON object`);
  const raw = body as Record<string, unknown>;
  // RFC 8414 §3.3: the issuer in the document MUST be identical to the issuer requested.
  if (raw.issuer !== issuer) {
    throw new DiscoveryError(`the metadata names issuer ${JSON.stringify(raw.issuer)}, not ${JSON.stringify(issuer)} (RFC 8414 §3.3): use exactly the issuer identifier the server announces`);
  }
  const tokenEndpoint = raw.token_endpoint;
  if (typeof tokenEndpoint !== 'string' || !/^https?:\/\//.test(tokenEndpoint)) {
    throw new DiscoveryError('the metadata has no valid token_endpoint: this server cannot issue tokens to clients');
  }
  const strings = (value: unknown): readonly string[] | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value as string[] : undefined);
  const result: { -readonly [K in keyof AuthorizationServerMetadata]: AuthorizationServerMetadata[K] } = { issuer, token_endpoint: tokenEndpoint, raw };
  if (typeof raw.jwks_uri === 'string') result.jwks_uri = raw.jwks_uri;
  const methods = strings(raw.token_endpoint_auth_methods_supported);
  if (methods) result.token_endpoint_auth_methods_supported = methods;
  const algs = strings(raw.token_endpoint_auth_signing_alg_values_supported);
  if (algs) result.token_endpoint_auth_signing_alg_values_supported = algs;
  return result;
}
