/**
 * Optional revocation check of mode A: RFC 7662 token introspection at the issuer, authenticated
 * with private_key_jwt (RFC 7523 §2.2), each answer cached for a bounded time.
 */
import { createHash } from 'node:crypto';
import { OAuthError } from '@keyward/core';
import { signClientAssertion } from '@keyward/core';
import type { SigningKeyInput } from '@keyward/core';
import type { JwsAlgorithm } from '@keyward/core';
import { BoundedCache } from './bounded-cache.ts';
import { fetchJson, FetchJsonError } from './fetch-json.ts';
import type { FetchLike } from './types.ts';

/** Options of {@link createIntrospectionCheck}. */
export interface IntrospectionOptions {
  /** The introspection endpoint; discovered from the issuer metadata when absent. */
  readonly endpoint?: string;
  /** This resource server's own client registration at the issuer (it signs a client assertion). */
  readonly clientId: string;
  readonly privateKey: SigningKeyInput;
  readonly passphrase?: string;
  readonly kid?: string;
  readonly alg?: JwsAlgorithm;
  /** How long an answer is reused, in seconds (default 30, at most 300). Also never beyond the token's exp. */
  readonly cacheSeconds?: number;
  /** Most answers kept (default 10000). */
  readonly maxEntries?: number;
  readonly timeoutMs?: number;
}

/** Checks that an access token is still active at its issuer. */
export interface IntrospectionCheck {
  /** Resolves when active; throws 'token_revoked' when not, 'store_unavailable' when the issuer cannot answer. */
  checkActive(token: string, jti: string | undefined, exp: number, nowSeconds: number): Promise<void>;
}

/**
 * Creates the check. The cache key is the token's jti (or the SHA-256 of the token), never the token
 * itself. A failure to reach the issuer fails closed (503), because a revocation check that silently
 * passes is no check. Does NOT verify the token (the verifier did, before calling this).
 */
export function createIntrospectionCheck(
  options: IntrospectionOptions,
  context: { issuer: string; fetch: FetchLike; discoverEndpoint: () => Promise<string | undefined> },
): IntrospectionCheck {
  const cacheSeconds = Math.min(300, Math.max(0, options.cacheSeconds ?? 30));
  const cache = new BoundedCache<string, { active: boolean; until: number }>(options.maxEntries ?? 10_000);
  let endpoint = options.endpoint;

  async function ask(token: string): Promise<boolean> {
    endpoint ??= await context.discoverEndpoint();
    if (endpoint === undefined) throw new OAuthError('store_unavailable', { detail: 'the issuer metadata has no introspection_endpoint' });
    const assertion = await signClientAssertion({
      clientId: options.clientId,
      audience: context.issuer,
      privateKey: options.privateKey,
      ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      ...(options.kid === undefined ? {} : { kid: options.kid }),
      ...(options.alg === undefined ? {} : { alg: options.alg }),
    });
    // RFC 7662 §2.1: POST, form-encoded, token + token_type_hint; RFC 7523 §2.2 client authentication.
    const body = new URLSearchParams({
      token,
      token_type_hint: 'access_token',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString();
    let response;
    try {
      response = await fetchJson(context.fetch, endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    } catch (error) {
      throw new OAuthError('store_unavailable', { detail: error instanceof FetchJsonError ? error.message : 'introspection failed', cause: error });
    }
    const json = response.json as { active?: unknown } | undefined;
    if (response.status !== 200 || typeof json?.active !== 'boolean') {
      throw new OAuthError('store_unavailable', { detail: `the introspection endpoint answered ${response.status} without an "active" member` });
    }
    // RFC 7662 §2.2: "active" is the only required member.
    return json.active;
  }

  return {
    async checkActive(token, jti, exp, nowSeconds) {
      const key = jti !== undefined ? `jti:${jti}` : `sha256:${createHash('sha256').update(token).digest('base64url')}`;
      const hit = cache.get(key);
      let active: boolean;
      if (hit !== undefined && hit.until > nowSeconds) {
        active = hit.active;
      } else {
        active = await ask(token);
        // A revoked answer is kept until exp; an active one for at most cacheSeconds (the revocation bound).
        cache.set(key, { active, until: active ? Math.min(exp, nowSeconds + cacheSeconds) : exp });
      }
      // RFC 7009 §2 + RFC 7662 §2.2: an inactive token is refused.
      if (!active) throw new OAuthError('token_revoked', { detail: 'the issuer says this access token is no longer active (revoked or expired): get a new token' });
    },
  };
}
