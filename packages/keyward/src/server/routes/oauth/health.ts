/**
 * GET /health (the process answers) and GET /ready (the store answers too, and the node is not
 * shutting down: 503 otherwise, `draining` from SIGTERM on, so that load balancers stop sending).
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';

/** Registers /health and /ready. */
export function registerHealthRoutes(app: Hono, ctx: ServerContext): void {
  app.get('/health', () => Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } }));
  app.get('/ready', async () => {
    if (ctx.lifecycle.draining) return Response.json({ status: 'draining' }, { status: 503, headers: { 'cache-control': 'no-store' } });
    let ready = false;
    try {
      ready = await ctx.store.ping();
    } catch {
      ready = false;
    }
    return Response.json({ status: ready ? 'ready' : 'unavailable' }, { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } });
  });
}
