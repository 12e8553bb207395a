/**
 * The parameters every grant shares: `scope` (RFC 6749 §3.3) and `resource` (RFC 8707 §2).
 */
import { OAuthError } from '@keyward/core';
import { SCOPE_TOKEN } from '../registry/validate-client-fields.ts';

/**
 * The granted scopes: the requested ones when each is one of the client's (else 'scope_not_allowed',
 * invalid_scope, RFC 6749 §5.2), or every scope of the client when none is requested (RFC 6749 §3.3
 * lets the server apply a default). Does NOT consult any global scope list.
 */
export function resolveScopes(requested: string | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const wanted = [...new Set(requested.split(' ').filter((token) => token !== ''))];
  for (const token of wanted) {
    if (!SCOPE_TOKEN.test(token)) throw new OAuthError('scope_not_allowed', { detail: 'the scope parameter holds a character RFC 6749 §3.3 does not allow' });
    if (!allowed.includes(token)) {
      throw new OAuthError('scope_not_allowed', { detail: `the scope "${token.slice(0, 64)}" is not registered for this client (registered: ${allowed.join(' ') || 'none'})` });
    }
  }
  return wanted;
}

/**
 * The audiences of the token: the RFC 8707 `resource` values (absolute URIs without a fragment, else
 * 'resource_invalid', invalid_target), or the issuer when none is sent. Does NOT restrict which
 * resources a client may name.
 */
export function resolveAudience(resources: readonly string[], issuer: string): string[] {
  if (resources.length === 0) return [issuer];
  const out: string[] = [];
  for (const resource of resources) {
    let url: URL;
    try {
      url = new URL(resource);
    } catch {
      throw new OAuthError('resource_invalid', { detail: 'resource must be an absolute URI (RFC 8707 §2)' });
    }
    // RFC 8707 §2: "MUST NOT include a fragment component".
    if (url.hash !== '' || resource.includes('#')) throw new OAuthError('resource_invalid', { detail: 'resource must not contain a fragment (RFC 8707 §2)' });
    if (resource.length > 2048) throw new OAuthError('resource_invalid', { detail: 'resource is too long' });
    if (!out.includes(resource)) out.push(resource);
  }
  return out;
}
