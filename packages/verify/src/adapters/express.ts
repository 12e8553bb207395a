/**
 * The verifier as Express (4 or 5) middleware. Written against minimal structural types: Express is
 * not a dependency of Keyward.
 */
import type { Verifier, VerifyOptions } from '../create-verifier.ts';
import type { Principal } from '../types.ts';
import { readNodeAuthorization, sendNodeChallenge, type NodeRequestLike, type NodeResponseLike } from './send-challenge.ts';

/** The part of an Express request the middleware uses. */
export interface ExpressRequestLike extends NodeRequestLike {
  /** Express keeps the full URL here when routers strip a prefix from `url`. */
  readonly originalUrl?: string;
  keyward?: Principal;
}

/** An Express middleware. */
export type ExpressMiddleware = (req: ExpressRequestLike, res: NodeResponseLike, next: (error?: unknown) => void) => Promise<void>;

/**
 * `app.get('/api/resource', createExpressMiddleware(verifier, { scopes: ['read'] }), handler)`.
 * On success sets `req.keyward` (the Principal) and calls `next()`; on refusal answers 400/401/403/503
 * with WWW-Authenticate (RFC 6750 §3) and does not call next. Does NOT read the body.
 */
export function createExpressMiddleware(verifier: Verifier, options: Omit<VerifyOptions, 'url'> = {}): ExpressMiddleware {
  return async (req, res, next) => {
    const url = req.originalUrl ?? req.url;
    let result;
    try {
      result = await verifier.authenticate(readNodeAuthorization(req), { ...options, ...(url === undefined ? {} : { url }) });
    } catch (error) {
      next(error);
      return;
    }
    if (!result.ok) {
      sendNodeChallenge(res, result.challenge);
      return;
    }
    req.keyward = result.principal;
    next();
  };
}
