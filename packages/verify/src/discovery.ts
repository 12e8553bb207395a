/**
 * Authorization server metadata discovery (RFC 8414), for mode A and the registry key source.
 */
import { OAuthError } from '@keyward/core';
import { fetchJson, FetchJsonError } from './fetch-json.ts';
import type { FetchLike } from './types.ts';

/** The metadata members the verifier uses (RFC 8414 §2). */
export interface IssuerMetadata {
  readonly issuer: string;
  readonly jwks_uri?: string;
  readonly token_endpoint?: string;
  readonly introspection_endpoint?: string;
}

/** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
function wellKnownUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    // OpenID Connect Discovery 1.0 §4: appended to the issuer.
    `${url.origin}${path}/.well-known/openid-configuration`,
  ];
}

/**
 * Fetches the issuer's metadata (RFC 8414 first, then OpenID Connect Discovery) and checks that its
 * `issuer` is exactly the configured one (RFC 8414 §3.3; a mismatch means a wrong URL or an attack).
 * Throws OAuthError 'store_unavailable' (503, "retry later") when neither document can be read.
 * Does NOT cache (the callers do) and does NOT check the other members' URLs.
 */
export async function discoverIssuer(issuer: string, fetchImpl: FetchLike, timeoutMs = 5000): Promise<IssuerMetadata> {
  const failures: string[] = [];
  for (const url of wellKnownUrls(issuer)) {
    try {
      const { status, json } = await fetchJson(fetchImpl, url, { timeoutMs });
      if (status !== 200 || typeof json !== 'object' || json === null) {
        failures.push(`${url} answered ${status}`);
        continue;
      }
      const metadata = json as Record<string, unknown>;
      // RFC 8414 §3.3: the issuer in the document MUST be identical to the one configured.
      if (metadata.issuer !== issuer) {
        throw new OAuthError('store_unavailable', { detail: `the metadata at ${url} names issuer ${JSON.stringify(metadata.issuer)}, not ${JSON.stringify(issuer)}: configure the exact issuer identifier` });
      }
      const pick = (name: string): string | undefined => (typeof metadata[name] === 'string' ? metadata[name] as string : undefined);
      const result: { -readonly [K in keyof IssuerMetadata]: IssuerMetadata[K] } = { issuer };
      const jwks = pick('jwks_uri');
      if (jwks) result.jwks_uri = jwks;
      const token = pick('token_endpoint');
      if (token) result.token_endpoint = token;
      const introspection = pick('introspection_endpoint');
      if (introspection) result.introspection_endpoint = introspection;
      return result;
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      failures.push(error instanceof FetchJsonError ? error.message : String(error));
    }
  }
  throw new OAuthError('store_unavailable', { detail: `the issuer metadata could not be read (${failures.join('; ')})` });
}
