/**
 * GET /jwks: the server's public signing keys (RFC 7517 §5): the active key and, during a rotation
 * overlap, the previous one.
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';

/** Registers GET /jwks. Short cache lifetime so a rotation is seen quickly. */
export function registerJwksRoute(app: Hono, ctx: ServerContext): void {
  app.get('/jwks', async () => {
    await ctx.signingKeys.refreshIfStale();
    return new Response(JSON.stringify(ctx.signingKeys.jwks()), {
      headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=60' },
    });
  });
}
