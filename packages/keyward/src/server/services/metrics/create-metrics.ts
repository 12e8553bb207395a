/**
 * The Prometheus metrics of one server node (prom-client 15), in a registry of its own so that
 * several nodes in one process (tests) never mix their counts.
 *
 * Cardinality is bounded: `reason` comes from the closed list in core/errors.ts, `route` from a
 * fixed list of path prefixes, and `client_id` is a label only when `metrics.clientIdLabel` is on,
 * and then only for clients that proved possession of a registered key (an unauthenticated caller
 * chooses its claimed client_id freely, so it never becomes a label).
 *
 * Node's default metrics keep their standard names (`process_*`, `nodejs_*`), so generic Node.js
 * dashboards find them. Every labelled counter starts at zero for each of its known label values
 * (each reason code, each limit, each storage operation), so a rate or an alert on a series works
 * from the first scrape, before the first event of its kind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REASON_CODES } from '@keyward/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { packageRoot } from '../../../package-files.ts';
import { ALERT_KINDS, type AlertKind } from '../../../store/contract.ts';

/** One token endpoint outcome. */
export interface TokenOutcome {
  readonly outcome: 'granted' | 'refused';
  /** The reason code of a refusal (core/errors.ts), or `server_error`. */
  readonly reason?: string;
  /** The authenticated client (labelled only when `clientIdLabel` is on). */
  readonly clientId?: string;
  /** The assertion was accepted under the legacy audience rules (RFC 7523 §3 (3), per-client legacy mode). */
  readonly legacyAudience?: boolean;
  /** The refusal is a replayed jti (also when wrapped as an invalid jwt-bearer grant, RFC 7523 §3.1). */
  readonly replayed?: boolean;
}

/** The metrics of one node. */
export interface KeywardMetrics {
  readonly registry: Registry;
  /** Counts one answer of POST /token (and derives replay, store-error and jwks_uri counts from its reason). */
  recordTokenOutcome(outcome: TokenOutcome): void;
  /** Counts one 429 of the token endpoint by the limit that refused it. */
  recordRateLimited(limit: 'source_address' | 'client'): void;
  /** Counts a storage failure seen by `operation`. */
  recordStoreError(operation: StoreOperation): void;
  /** Counts audit events the store did not take (each is also logged at error). */
  recordAuditWriteFailures(count: number): void;
  /** Counts one new alert (stored by this node) of `kind`. */
  recordAlert(kind: AlertKind): void;
  /** Observes one HTTP request. `route` must come from a bounded set. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** The text exposition format. */
  render(): Promise<string>;
}

/** Options of {@link createMetrics}. */
export interface CreateMetricsOptions {
  /** Add a `client_id` label to the token counter (bounded by the number of registered clients). */
  readonly clientIdLabel?: boolean;
  /** Also export the default process metrics (CPU, memory, event loop lag). Default true. */
  readonly processMetrics?: boolean;
}

/** The storage operations whose failures are counted. */
export const STORE_OPERATIONS = ['token', 'maintenance'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

/** The version of the `keyward` package, for keyward_build_info. */
function packageVersion(): string {
  try {
    return String((JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** Reasons that mean "this jti was already used" (RFC 7523 §3 (7)). */
const REPLAY_REASONS = new Set(['jti_replayed']);

/** Creates the metrics of one node. Does NOT expose them: routes/metrics.ts does. */
export function createMetrics(options: CreateMetricsOptions = {}): KeywardMetrics {
  const registry = new Registry();
  const withClient = options.clientIdLabel === true;
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'keyward_build_info',
    help: 'Always 1; the version label is the running keyward package version.',
    // With server.workers, one value for the server, not the sum over its workers.
    aggregator: 'first',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version: packageVersion() }, 1);

  const tokenRequests = new Counter({
    name: 'keyward_token_requests_total',
    help: 'Answers of the token endpoint by outcome (granted, refused) and reason code (empty when granted).',
    labelNames: withClient ? ['outcome', 'reason', 'client_id'] : ['outcome', 'reason'],
    registers: [registry],
  });
  const legacyAudience = new Counter({
    name: 'keyward_legacy_audience_acceptances_total',
    help: 'Client assertions accepted only under the legacy audience rules (token endpoint URL or an array as aud): clients to migrate to the issuer as aud.',
    labelNames: withClient ? ['client_id'] : [],
    registers: [registry],
  });
  const replays = new Counter({
    name: 'keyward_replay_refusals_total',
    help: 'Assertions refused because their jti was already used (RFC 7523 §3 (7)).',
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'keyward_store_errors_total',
    help: 'Storage failures (PostgreSQL, Redis or SQLite did not answer); the token endpoint fails closed with 503 store_unavailable.',
    labelNames: ['operation'],
    registers: [registry],
  });
  const jwksFailures = new Counter({
    name: 'keyward_jwks_uri_fetch_failures_total',
    help: 'Token requests refused because a client jwks_uri could not be fetched and no good key set was cached.',
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'keyward_rate_limited_total',
    help: 'Token requests answered 429 rate_limited, by limit (source_address, client).',
    labelNames: ['limit'],
    registers: [registry],
  });
  const auditWriteFailures = new Counter({
    name: 'keyward_audit_write_failures_total',
    help: 'Audit events the store did not take (logged at error with their type); the request they describe was still answered.',
    registers: [registry],
  });
  const alerts = new Counter({
    name: 'keyward_alerts_total',
    help: 'Alerts raised by the anomaly detector, by kind (each counted once, by the node that stored it; docs/alerts.md).',
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const kind of ALERT_KINDS) alerts.inc({ kind }, 0);
  // Known label values start at zero (not with client_id, whose values are the registered clients).
  if (!withClient) {
    tokenRequests.inc({ outcome: 'granted', reason: '' }, 0);
    for (const reason of [...REASON_CODES, 'server_error']) tokenRequests.inc({ outcome: 'refused', reason }, 0);
    legacyAudience.inc(0);
  }
  for (const limit of ['source_address', 'client']) rateLimited.inc({ limit }, 0);
  for (const operation of STORE_OPERATIONS) storeErrors.inc({ operation }, 0);
  const duration = new Histogram({
    name: 'keyward_http_request_duration_seconds',
    help: 'Duration of HTTP requests by route (fixed list of path prefixes), method and status.',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  return {
    registry,
    recordTokenOutcome(outcome) {
      const reason = outcome.outcome === 'granted' ? '' : (outcome.reason ?? 'server_error');
      const clientId = withClient ? { client_id: outcome.clientId ?? '' } : {};
      tokenRequests.inc({ outcome: outcome.outcome, reason, ...clientId });
      if (outcome.legacyAudience === true) legacyAudience.inc(clientId);
      if (outcome.replayed === true || REPLAY_REASONS.has(reason)) replays.inc();
      if (reason === 'store_unavailable') storeErrors.inc({ operation: 'token' });
      if (reason === 'jwks_fetch_failed') jwksFailures.inc();
    },
    recordRateLimited(limit) {
      rateLimited.inc({ limit });
    },
    recordStoreError(operation) {
      storeErrors.inc({ operation });
    },
    recordAuditWriteFailures(count) {
      auditWriteFailures.inc(count);
    },
    recordAlert(kind) {
      alerts.inc({ kind });
    },
    observeRequest(route, method, status, seconds) {
      duration.observe({ route, method, status: String(status) }, seconds);
    },
    render: () => registry.metrics(),
  };
}

