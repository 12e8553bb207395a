/**
 * GET /health (the process answers) and GET /ready (the store answers too: 503 otherwise).
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';

/** Registers /health and /ready. */
export function registerHealthRoutes(app: Hono, ctx: ServerContext): void {
  app.get('/health', () => Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } }));
  app.get('/ready', async () => {
    let ready = false;
    try {
      ready = await ctx.store.ping();
    } catch {
      ready = false;
    }
    return Response.json({ status: ready ? 'ready' : 'unavailable' }, { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } });
  });
}
