/**
 * GET /metrics (Prometheus text format) and the request-duration middleware. Registered first in
 * build-app.ts so that the middleware times every route. With `metrics.enabled` false neither is
 * installed (404 on /metrics). The endpoint carries no secret, but it tells who uses the server how
 * much: expose it to your Prometheus only (docs/operations.md).
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { labelRoute } from '../services/metrics/route-label.ts';

/** Installs the duration middleware and GET /metrics on `app` (call before any other route). */
export function registerMetricsRoute(app: Hono, ctx: ServerContext): void {
  if (!ctx.config.metrics.enabled) return;
  const { metrics } = ctx;
  app.use('*', async (c, next) => {
    const started = process.hrtime.bigint();
    await next();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.observeRequest(labelRoute(c.req.path), c.req.method, c.res.status, seconds);
  });
  app.get('/metrics', async () => {
    let text: string;
    try {
      text = await (ctx.workerLink?.renderMetrics() ?? metrics.render());
    } catch (error) {
      // A worker whose main process does not answer: say so instead of a 500.
      ctx.logger.warn({ err: error }, 'metrics unavailable');
      return new Response('metrics are unavailable right now; retry\n', { status: 503, headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });
    }
    return new Response(text, { headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' } });
  });
}
