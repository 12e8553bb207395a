/**
 * The anomaly detector of one server node (docs/alerts.md): it reads the audit stream (each batch
 * the audit writer has stored) through the rate detector and the activity detector, runs the key
 * scan at start-up and every `alerts.keyScanInterval` seconds, and raises what they find (stored
 * once across nodes, counted, logged at warn, delivered to the webhooks). At start-up and every
 * minute, it takes over the webhook deliveries another node (or this one, before a restart) left
 * pending (deliver-webhooks.ts).
 *
 * Everything happens off the request's path: batches are judged one after the other on a queue of
 * at most MAX_BACKLOG events; past it, events are dropped for the detector (they are still in the
 * audit log) and the drop is logged. A store failure while judging is logged and the next batch goes
 * on. With `alerts.enabled: false` nothing is judged and no timer runs.
 */
import type { Logger } from 'pino';
import type { KeywardConfig } from '../../../config/defaults.ts';
import type { AlertRecord, AuditEvent, Store } from '../../../store/contract.ts';
import type { Clock } from '../../clock.ts';
import type { KeywardMetrics } from '../metrics/create-metrics.ts';
import type { SigningKeyService } from '../signing-keys.ts';
import type { ResolveHost } from '../outbound/send-guarded-request.ts';
import type { AlertDraft } from './alert-draft.ts';
import { createActivityDetector } from './detect-activity-anomalies.ts';
import { createRateDetector } from './detect-rate-anomalies.ts';
import { createWebhookDelivery } from './deliver-webhooks.ts';
import { raiseAlert } from './raise-alert.ts';
import { scanKeys } from './scan-keys.ts';

/** Events waiting to be judged at most; beyond, the detector drops them (the audit log keeps them). */
export const MAX_BACKLOG = 50_000;
/** How often a node looks for webhook deliveries left pending by a node that stopped. */
const RESUME_INTERVAL_MS = 60_000;

/** The anomaly detector of one node. */
export interface AlertMonitor {
  /** Queues a batch of audit events to be judged (returns at once). */
  observe(events: readonly AuditEvent[]): void;
  /** Runs the key scan now; answers how much it read. */
  scanKeys(): Promise<{ clients: number; keys: number }>;
  /** Waits until every event queued so far has been judged and its alerts stored. */
  settle(): Promise<void>;
  /** Starts the key scan (now, then on its interval) and the takeover of pending webhook deliveries (now, then every minute). */
  start(): void;
  /** Stops the timer, judges what is queued, waits for webhook attempts under way. */
  close(): Promise<void>;
  /** Clients and source addresses held in memory now. */
  tracked(): { clients: number; sources: number };
}

/** What the monitor is built from (all listed in ServerContext). */
export interface AlertMonitorDeps {
  readonly config: KeywardConfig;
  readonly issuer: string;
  readonly store: Pick<Store, 'alerts' | 'clients'>;
  readonly logger: Logger;
  readonly metrics: Pick<KeywardMetrics, 'recordAlert'>;
  readonly clock: Clock;
  readonly signingKeys: Pick<SigningKeyService, 'active'>;
  /** The alert's wire view, for webhook bodies. */
  readonly toWire: (alert: AlertRecord) => Record<string, unknown>;
  /** Host resolution of webhook URLs (tests). */
  readonly resolve?: ResolveHost;
}

/** Creates the monitor; call start() once the node serves. */
export function createAlertMonitor(deps: AlertMonitorDeps): AlertMonitor {
  const settings = deps.config.alerts;
  const { logger, clock } = deps;
  const rates = createRateDetector(settings);
  const activity = createActivityDetector(deps.store.alerts, settings);
  const webhooks = createWebhookDelivery({
    webhooks: settings.webhooks,
    maxAttempts: settings.webhookMaxAttempts,
    retryDelay: settings.webhookRetryDelay,
    timeout: settings.webhookTimeout,
    allowHosts: deps.config.clients.jwksUriAllowHosts,
    issuer: deps.issuer,
    signingKey: () => deps.signingKeys.active(),
    alerts: deps.store.alerts,
    toWire: deps.toWire,
    logger,
    clock,
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
  });
  const raiseDeps = { alerts: deps.store.alerts, logger, count: (kind: AlertRecord['kind']) => deps.metrics.recordAlert(kind), onRaised: (alert: AlertRecord) => webhooks.deliver(alert) };
  const raise = async (draft: AlertDraft) => {
    await raiseAlert(raiseDeps, draft, new Date(clock()));
  };

  let queue: Promise<void> = Promise.resolve();
  let backlog = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  let resumeTimer: NodeJS.Timeout | undefined;

  async function judge(events: readonly AuditEvent[]): Promise<void> {
    for (const event of events) {
      try {
        for (const draft of rates.observe(event)) await raise(draft);
        const found = activity.observe(event);
        for (const draft of Array.isArray(found) ? found : await found) await raise(draft);
      } catch (error) {
        logger.error({ err: error, type: event.type }, 'anomaly detector: an event could not be judged (store error)');
      }
    }
  }

  async function runScan(): Promise<{ clients: number; keys: number }> {
    return scanKeys(deps.store.clients, { keyExpiringDays: settings.keyExpiringDays, keyMaxAgeDays: deps.config.keys.maxAge }, new Date(clock()), raise);
  }

  return {
    observe(events) {
      if (!settings.enabled || events.length === 0) return;
      if (backlog + events.length > MAX_BACKLOG) {
        if (dropped === 0) logger.warn({ backlog }, 'anomaly detector is behind: audit events are skipped by the detector until it catches up (they are still in the audit log)');
        dropped += events.length;
        return;
      }
      backlog += events.length;
      queue = queue.then(() => judge(events)).finally(() => {
        backlog -= events.length;
        if (backlog === 0 && dropped > 0) {
          logger.warn({ dropped }, 'anomaly detector caught up; events it skipped were not judged');
          dropped = 0;
        }
      });
    },
    scanKeys: runScan,
    settle: () => queue,
    start() {
      if (!settings.enabled || timer !== undefined) return;
      const scan = () => {
        void runScan().catch((error: unknown) => logger.error({ err: error }, 'anomaly detector: the key scan failed'));
      };
      const resume = () => {
        void webhooks.resumePending().catch((error: unknown) => logger.error({ err: error }, 'alert webhooks: the deliveries left pending could not be taken over (store error)'));
      };
      scan();
      resume();
      timer = setInterval(scan, settings.keyScanInterval * 1000);
      timer.unref();
      resumeTimer = setInterval(resume, RESUME_INTERVAL_MS);
      resumeTimer.unref();
    },
    async close() {
      if (timer !== undefined) clearInterval(timer);
      if (resumeTimer !== undefined) clearInterval(resumeTimer);
      await queue;
      await webhooks.close();
    },
    tracked: () => rates.tracked(),
  };
}
