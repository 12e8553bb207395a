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
 * Does NOT resume deliveries that were pending when the server stopped (they stay `pending`, with
 * their attempts, on the alert).
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
  readonly alerts: Pick<AlertStore, 'setAlertDeliveries'>;
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
  /** Waits for the attempts under way; cancels the retries not yet due. */
  close(): Promise<void>;
}

class WebhookError extends Error {}

/** Creates the delivery service. With no webhook configured, deliver() does nothing. */
export function createWebhookDelivery(deps: WebhookDeliveryDeps): WebhookDelivery {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let closed = false;

  function track(work: Promise<void>): void {
    running.add(work);
    void work.finally(() => running.delete(work));
  }

  function deliver(alert: AlertRecord): void {
    const targets = deps.webhooks.filter((hook) => hook.kinds === undefined || hook.kinds.includes(alert.kind));
    if (targets.length === 0 || closed) return;
    const deliveries: AlertDelivery[] = targets.map((hook) => ({ url: hook.url, state: 'pending', attempts: 0 }));
    // One writer per alert: each attempt updates its entry, then the whole list is stored in order.
    let saving: Promise<void> = Promise.resolve();
    const save = () => {
      const snapshot = [...deliveries];
      saving = saving.then(() => deps.alerts.setAlertDeliveries(alert.id, snapshot)).catch((error: unknown) => {
        deps.logger.error({ err: error, alert_id: alert.id }, 'alert delivery status could not be stored');
      });
      return saving;
    };
    track(save());

    const attempt = async (index: number): Promise<void> => {
      const hook = targets[index]!;
      const now = deps.clock();
      const previous = deliveries[index]!;
      const attempts = previous.attempts + 1;
      let failure: string | undefined;
      try {
        await post(hook.url, alert, now);
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      if (failure === undefined) {
        deliveries[index] = { url: hook.url, state: 'delivered', attempts, lastAttemptAt: new Date(now) };
      } else if (attempts >= deps.maxAttempts || closed) {
        deliveries[index] = { url: hook.url, state: closed && attempts < deps.maxAttempts ? 'pending' : 'failed', attempts, lastAttemptAt: new Date(now), lastError: failure };
        deps.logger.warn({ alert_id: alert.id, url: hook.url, attempts, error: failure }, 'alert webhook delivery failed');
      } else {
        const delay = Math.min(deps.retryDelay * 1000 * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
        deliveries[index] = { url: hook.url, state: 'pending', attempts, lastAttemptAt: new Date(now), nextAttemptAt: new Date(now + delay), lastError: failure };
        const timer = setTimeout(() => {
          timers.delete(timer);
          track(attempt(index));
        }, delay);
        timer.unref();
        timers.add(timer);
      }
      await save();
    };
    targets.forEach((_hook, index) => track(attempt(index)));
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
    deliver,
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
