/**
 * The metrics of a server node, created on first use from its configuration (one set per
 * ServerContext, so two nodes in one process keep separate counts).
 */
import type { ServerContext } from '../../context.ts';
import { createMetrics, type KeywardMetrics } from './create-metrics.ts';

const byContext = new WeakMap<ServerContext, KeywardMetrics>();

/** The metrics of `ctx`'s node. */
export function getMetrics(ctx: ServerContext): KeywardMetrics {
  let metrics = byContext.get(ctx);
  if (metrics === undefined) {
    metrics = createMetrics({ clientIdLabel: ctx.config.metrics.clientIdLabel });
    byContext.set(ctx, metrics);
    // A worker of `serve --workers N`: GET /metrics on any worker shows the sum of all workers.
    ctx.workerLink?.shareMetrics(metrics.registry);
  }
  return metrics;
}
