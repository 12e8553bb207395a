/**
 * Delivers each new alert to the configured webhooks (`alerts.webhooks`): a POST whose body is a
 * compact JWS, `typ: keyward-alert+jwt`, signed with the server's own access-token signing key, so
 * a receiver verifies it against the server's `/jwks` with any JOSE library and needs no shared
 * secret. Claims: `iss` (the issuer), `aud` (the webhook URL: a copy sent to one receiver is not
 * valid at another), `iat`, `exp` (5 minutes), `jti` (the alert id, the same on every retry, so a
 * receiver can drop duplicates) and `alert` (the alert's wire view; never a token or an assertion).
 *
 * A 2xx answer delivers; anything else (status, network error, timeout, an address refused by the
 * outbound guards, which follow the jwks_uri rules and `clients.jwksUriAllowHosts`) is retried after
 * `webhookRetryDelay` seconds, doubling each time up to 10 minutes, until `webhookMaxAttempts`, then
 * marked `failed`. Each alert's delivery statuses are stored with it after every attempt.
 *
 * While a delivery is pending, the node delivering it holds the alert's lease in the store until
 * its next attempt is over (plus a minute). A node that stops lets its leases go; one that dies
 * keeps them until they end. Every node takes over the deliveries whose lease ended at start-up and
 * every minute after (resumePending), with their attempts so far, so a delivery pending when its
 * node stopped is resumed by another node, or by the same one restarted. A receiver may get an
 * alert twice when a node stalled past its lease: the same `jti` lets it drop the second.
 */
import type { Logger } from 'pino';
import { signTypedJwt, type AccessTokenSigningKey } from '@keyward/core';
import type { AlertDelivery, AlertRecord, AlertStore } from '../../../store/contract.ts';
import type { Clock } from '../../clock.ts';
import { sendGuardedRequest, type OutboundTarget, type ResolveHost } from '../outbound/send-guarded-request.ts';

/** The JWS `typ` of an alert delivery. */
export const ALERT_JWT_TYPE = 'keyward-alert+jwt';
const MAX_RETRY_DELAY_MS = 600_000;
const JWT_LIFETIME_SECONDS = 300;
/** How long past its next attempt's deadline a node holds a pending delivery. */
const LEASE_GRACE_MS = 60_000;
/** How many alerts one takeover claims at most. */
const CLAIM_BATCH = 100;

/** One configured receiver. */
export interface WebhookSetting {
  readonly url: string;
  /** Alert kinds it receives; absent: every kind. */
  readonly kinds?: readonly string[];
}

/** What delivery needs. */
export interface WebhookDeliveryDeps {
  readonly webhooks: readonly WebhookSetting[];
  readonly maxAttempts: number;
  /** Seconds before the first retry. */
  readonly retryDelay: number;
  /** Seconds per POST. */
  readonly timeout: number;
  readonly allowHosts: readonly string[];
  readonly issuer: string;
  readonly signingKey: () => AccessTokenSigningKey;
  readonly alerts: Pick<AlertStore, 'setAlertDeliveries' | 'claimPendingDeliveries'>;
  /** The alert's wire view (the admin API's). */
  readonly toWire: (alert: AlertRecord) => Record<string, unknown>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly resolve?: ResolveHost;
}

/** The webhook deliveries of one node. */
export interface WebhookDelivery {
  /** Starts delivering `alert` to every webhook that takes its kind (returns at once). */
  deliver(alert: AlertRecord): void;
  /**
   * Takes over the deliveries whose lease ended (their node stopped, this one before a restart
   * included) and resumes them where they were; answers how many alerts it took.
   */
  resumePending(): Promise<number>;
  /** Waits for the attempts under way, cancels the retries not yet due and lets their leases go. */
  close(): Promise<void>;
}

class WebhookError extends Error {}

/** The deliveries of one alert this node is working on, and how to store them. */
interface ActiveAlert {
  readonly deliveries: AlertDelivery[];
  save(release?: boolean): Promise<void>;
}

/** Creates the delivery service. With no webhook configured, deliver() and resumePending() do nothing. */
export function createWebhookDelivery(deps: WebhookDeliveryDeps): WebhookDelivery {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const active = new Map<string, ActiveAlert>();
  let closed = false;

  function track(work: Promise<void>): void {
    running.add(work);
    void work.finally(() => running.delete(work));
  }

  const takesKind = (hook: WebhookSetting, alert: AlertRecord) => hook.kinds === undefined || hook.kinds.includes(alert.kind);

  /** Until when this node holds `deliveries`: past the end of the latest pending attempt; undefined when none is pending. */
  function leaseFor(deliveries: readonly AlertDelivery[], now: number): Date | undefined {
    const pending = deliveries.filter((d) => d.state === 'pending');
    if (pending.length === 0) return undefined;
    const next = Math.max(...pending.map((d) => d.nextAttemptAt?.getTime() ?? now), now);
    return new Date(next + deps.timeout * 1000 + LEASE_GRACE_MS);
  }

  /** Works through the pending entries of `deliveries` (new ones, or taken over with their attempts so far). */
  function run(alert: AlertRecord, deliveries: AlertDelivery[]): void {
    // One writer per alert: each attempt updates its entry, then the whole list is stored in order.
    let saving: Promise<void> = Promise.resolve();
    const save = (release = false) => {
      const snapshot = [...deliveries];
      const now = deps.clock();
      const lease = leaseFor(snapshot, now);
      if (lease === undefined) active.delete(alert.id);
      saving = saving.then(() => deps.alerts.setAlertDeliveries(alert.id, snapshot, release && lease !== undefined ? new Date(now) : lease)).catch((error: unknown) => {
        deps.logger.error({ err: error, alert_id: alert.id }, 'alert delivery status could not be stored');
      });
      return saving;
    };
    active.set(alert.id, { deliveries, save });

    const attempt = async (index: number): Promise<void> => {
      const url = deliveries[index]!.url;
      const now = deps.clock();
      const attempts = deliveries[index]!.attempts + 1;
      let failure: string | undefined;
      try {
        await post(url, alert, now);
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      if (failure === undefined) {
        deliveries[index] = { url, state: 'delivered', attempts, lastAttemptAt: new Date(now) };
      } else if (attempts >= deps.maxAttempts || closed) {
        deliveries[index] = { url, state: closed && attempts < deps.maxAttempts ? 'pending' : 'failed', attempts, lastAttemptAt: new Date(now), lastError: failure };
        deps.logger.warn({ alert_id: alert.id, url, attempts, error: failure }, 'alert webhook delivery failed');
      } else {
        const delay = Math.min(deps.retryDelay * 1000 * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
        deliveries[index] = { url, state: 'pending', attempts, lastAttemptAt: new Date(now), nextAttemptAt: new Date(now + delay), lastError: failure };
        schedule(index, delay);
      }
      await save();
    };
    const schedule = (index: number, delay: number) => {
      if (delay <= 0) {
        track(attempt(index));
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        track(attempt(index));
      }, delay);
      timer.unref();
      timers.add(timer);
    };

    const now = deps.clock();
    const due: Array<[number, number]> = [];
    deliveries.forEach((delivery, index) => {
      if (delivery.state !== 'pending') return;
      if (!deps.webhooks.some((hook) => hook.url === delivery.url && takesKind(hook, alert))) {
        deliveries[index] = { ...delivery, state: 'failed', lastError: 'the webhook is no longer configured (alerts.webhooks)' };
        return;
      }
      due.push([index, Math.max(0, (delivery.nextAttemptAt?.getTime() ?? now) - now)]);
    });
    track(save());
    for (const [index, delay] of due) schedule(index, delay);
  }

  async function post(url: string, alert: AlertRecord, now: number): Promise<void> {
    const iat = Math.floor(now / 1000);
    const body = signTypedJwt(ALERT_JWT_TYPE, { iss: deps.issuer, aud: url, iat, exp: iat + JWT_LIFETIME_SECONDS, jti: alert.id, alert: deps.toWire(alert) }, deps.signingKey());
    const target: OutboundTarget = {
      what: 'webhook URL',
      allowHosts: deps.allowHosts,
      allowSetting: 'clients.jwksUriAllowHosts',
      refuse: (detail) => new WebhookError(detail),
    };
    const response = await sendGuardedRequest(url, target, {
      method: 'POST',
      headers: { 'content-type': 'application/jwt', 'user-agent': 'keyward-alerts' },
      body,
      timeoutMs: deps.timeout * 1000,
      maxBytes: 65_536,
      ...(deps.resolve ? { resolve: deps.resolve } : {}),
    });
    if (response.status < 200 || response.status > 299) throw new WebhookError(`the webhook answered HTTP ${response.status}`);
  }

  return {
    deliver(alert) {
      if (closed) return;
      const targets = deps.webhooks.filter((hook) => takesKind(hook, alert));
      if (targets.length > 0) run(alert, targets.map((hook): AlertDelivery => ({ url: hook.url, state: 'pending', attempts: 0 })));
    },
    async resumePending() {
      if (closed || deps.webhooks.length === 0) return 0;
      const now = deps.clock();
      const claimed = await deps.alerts.claimPendingDeliveries(new Date(now), new Date(now + deps.timeout * 1000 + LEASE_GRACE_MS), CLAIM_BATCH);
      const taken = claimed.filter((alert) => !active.has(alert.id) && !closed);
      for (const alert of taken) run(alert, [...alert.deliveries]);
      if (taken.length > 0) deps.logger.info({ alerts: taken.length }, 'resuming alert webhook deliveries left pending');
      return taken.length;
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      while (running.size > 0) await Promise.allSettled([...running]);
      // What is still pending is let go at once: the next node to start (or this one) resumes it.
      await Promise.all([...active.values()].map((alert) => alert.save(true)));
    },
  };
}
