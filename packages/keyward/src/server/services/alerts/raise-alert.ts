/**
 * Turns a detector's draft into a stored alert, once: the store keeps the first alert of each id
 * (atomic across nodes), and only the call that stored it counts it (`keyward_alerts_total{kind}`),
 * logs it at `warn` and hands it to the webhooks. A draft seen again (another node, a restart, the
 * next key scan) changes nothing.
 */
import type { Logger } from 'pino';
import type { AlertRecord, AlertStore } from '../../../store/contract.ts';
import { alertIdOf, type AlertDraft } from './alert-draft.ts';

/** What raising needs. */
export interface RaiseAlertDeps {
  readonly alerts: Pick<AlertStore, 'raiseAlert'>;
  readonly logger: Logger;
  /** Counts one new alert of `kind`. */
  readonly count: (kind: AlertRecord['kind']) => void;
  /** Hears of each new alert (webhook delivery). */
  readonly onRaised?: (alert: AlertRecord) => void;
}

/** Stores `draft` as an open alert at `now`; answers the alert when it is new, undefined when it was already raised. */
export async function raiseAlert(deps: RaiseAlertDeps, draft: AlertDraft, now: Date): Promise<AlertRecord | undefined> {
  const { dedupKey: _dedupKey, ...facts } = draft;
  const alert: AlertRecord = { ...facts, id: alertIdOf(draft), state: 'open', raisedAt: now, updatedAt: now, deliveries: [] };
  if (!(await deps.alerts.raiseAlert(alert))) return undefined;
  deps.count(alert.kind);
  deps.logger.warn({
    alert_id: alert.id,
    kind: alert.kind,
    client_id: alert.clientId,
    key_thumbprint: alert.keyThumbprint,
    source: alert.source,
    observed: alert.observed,
    expected: alert.expected,
  }, `alert raised: ${alert.kind}${alert.clientId === undefined ? '' : ` for client ${alert.clientId}`}`);
  deps.onRaised?.(alert);
  return alert;
}
