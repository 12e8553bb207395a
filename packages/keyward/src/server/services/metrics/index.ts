export { createMetrics, type CreateMetricsOptions, type KeywardMetrics, type TokenOutcome } from './create-metrics.ts';
export { labelRoute } from './route-label.ts';
