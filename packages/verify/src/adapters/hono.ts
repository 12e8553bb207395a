/**
 * The verifier as Hono middleware. Hono is an optional peer dependency: nothing here imports it, not
 * even its types, so that a TypeScript user of the other adapters type-checks without hono installed.
 */
import type { Verifier, VerifyOptions } from '../create-verifier.ts';
import type { Principal } from '../types.ts';

/** Hono env of routes behind the middleware: `c.get('keyward')` is the Principal. */
export interface KeywardHonoEnv {
  Variables: { keyward: Principal };
}

/** What the middleware uses of Hono's Context (Hono's own Context fits it). */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
  json(object: unknown, status: 400, headers: Record<string, string>): Response;
  set(key: 'keyward', value: Principal): void;
}

/** Hono middleware (Hono's MiddlewareHandler<KeywardHonoEnv>, declared structurally). */
export type KeywardHonoMiddleware = (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined>;

/**
 * `app.get('/api/resource', createHonoMiddleware(verifier, { scopes: ['read'] }), (c) => c.json(c.get('keyward')))`.
 * Verifies `c.req.raw` (a Web Request: the query is checked for access_token, repeated Authorization
 * headers arrive comma-joined and are refused); on refusal answers 400/401/403/503 with
 * WWW-Authenticate (RFC 6750 §3). Does NOT read the body.
 */
export function createHonoMiddleware(verifier: Verifier, options: Omit<VerifyOptions, 'url'> = {}): KeywardHonoMiddleware {
  return async (c, next) => {
    const result = await verifier.authenticate(c.req.raw, options);
    if (!result.ok) {
      const { challenge } = result;
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      if (challenge.wwwAuthenticate !== undefined) headers['www-authenticate'] = challenge.wwwAuthenticate;
      return c.json(challenge.body, challenge.status as 400, headers);
    }
    c.set('keyward', result.principal);
    await next();
    return undefined;
  };
}
