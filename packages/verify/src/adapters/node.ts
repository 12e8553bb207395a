/**
 * The verifier for plain `node:http` servers.
 */
import type { Verifier, VerifyOptions } from '../create-verifier.ts';
import type { Principal } from '../types.ts';
import { readNodeAuthorization, sendNodeChallenge, type NodeRequestLike, type NodeResponseLike } from './send-challenge.ts';

/** A node middleware: resolves to the principal, or undefined after it has sent the refusal. */
export type NodeMiddleware = (req: NodeRequestLike & { keyward?: Principal }, res: NodeResponseLike, next?: () => void) => Promise<Principal | undefined>;

/**
 * Returns `(req, res, next?) => Promise<Principal | undefined>` for a route (per-route `scopes` and
 * `modes`). On success it sets `req.keyward` and calls `next` (if given); on refusal it answers
 * 400/401/403/503 with `WWW-Authenticate` (RFC 6750 §3) and resolves to undefined.
 *
 *   const auth = createNodeMiddleware(verifier, { scopes: ['read'] });
 *   http.createServer(async (req, res) => { const who = await auth(req, res); if (!who) return; ... });
 *
 * Does NOT read the body; two Authorization headers are seen through rawHeaders and refused.
 */
export function createNodeMiddleware(verifier: Verifier, options: Omit<VerifyOptions, 'url'> = {}): NodeMiddleware {
  return async (req, res, next) => {
    const result = await verifier.authenticate(readNodeAuthorization(req), { ...options, ...(req.url === undefined ? {} : { url: req.url }) });
    if (!result.ok) {
      sendNodeChallenge(res, result.challenge);
      return undefined;
    }
    req.keyward = result.principal;
    next?.();
    return result.principal;
  };
}
