/**
 * Conversions between alert records and their rows (migration 0007), and the listing rules every
 * adapter shares (order, cursor, limit). Like rows.ts, they do NOT validate records: the alert
 * service builds them.
 */
import type { AlertDelivery, AlertKind, AlertRecord, AlertState, ClientActivityBefore } from '../contract.ts';
import { compact, readDate, readJson, readNumber, readOptionalNumber, readOptionalString, type LooseRow } from './rows.ts';
import type { AlertsTable } from './schema.ts';

/** Alerts a listing answers when the query gives no limit. */
export const ALERT_DEFAULT_LIMIT = 100;
/** The most alerts one listing answers. */
export const ALERT_MAX_LIMIT = 1000;

/** The limit a listing applies: the default when absent, clamped to [0, ALERT_MAX_LIMIT]. */
export function resolveAlertLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return ALERT_DEFAULT_LIMIT;
  return Math.max(0, Math.min(ALERT_MAX_LIMIT, Math.floor(limit)));
}

/** The listing order, newest first: by raisedAt descending, then id descending (a total order). */
export function compareAlertsNewestFirst(a: AlertRecord, b: AlertRecord): number {
  const byTime = b.raisedAt.getTime() - a.raisedAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** A delivery as stored in the `deliveries` JSON: dates as epoch milliseconds. */
interface StoredDelivery {
  url: string;
  state: AlertDelivery['state'];
  attempts: number;
  last_attempt_at?: number;
  next_attempt_at?: number;
  last_error?: string;
}

/** The `deliveries` JSON text of a list of delivery statuses. */
export function writeDeliveries(deliveries: readonly AlertDelivery[]): string {
  return JSON.stringify(deliveries.map((d): StoredDelivery => compact({
    url: d.url,
    state: d.state,
    attempts: d.attempts,
    last_attempt_at: d.lastAttemptAt?.getTime(),
    next_attempt_at: d.nextAttemptAt?.getTime(),
    last_error: d.lastError,
  })));
}

function readDeliveries(value: unknown): AlertDelivery[] {
  return readJson<StoredDelivery[]>(value).map((d) => compact({
    url: d.url,
    state: d.state,
    attempts: d.attempts,
    lastAttemptAt: d.last_attempt_at === undefined ? undefined : new Date(d.last_attempt_at),
    nextAttemptAt: d.next_attempt_at === undefined ? undefined : new Date(d.next_attempt_at),
    lastError: d.last_error,
  }));
}

/** The alerts row of an alert record. */
export function toAlertRow(a: AlertRecord): AlertsTable {
  return {
    id: a.id,
    kind: a.kind,
    client_id: a.clientId ?? null,
    key_thumbprint: a.keyThumbprint ?? null,
    source: a.source ?? null,
    window_start: a.windowStart.getTime(),
    window_end: a.windowEnd.getTime(),
    observed: a.observed,
    expected: a.expected ?? null,
    first_event_at: a.firstEventAt.getTime(),
    last_event_at: a.lastEventAt.getTime(),
    details: a.details === undefined ? null : JSON.stringify(a.details),
    state: a.state,
    raised_at: a.raisedAt.getTime(),
    updated_at: a.updatedAt.getTime(),
    updated_by: a.updatedBy ?? null,
    deliveries: writeDeliveries(a.deliveries),
    delivery_lease_until: null,
  };
}

/** The alert record of an alerts row (either driver's value types). */
export function fromAlertRow(r: LooseRow<AlertsTable>): AlertRecord {
  return compact({
    id: r.id as string,
    kind: r.kind as AlertKind,
    clientId: readOptionalString(r.client_id),
    keyThumbprint: readOptionalString(r.key_thumbprint),
    source: readOptionalString(r.source),
    windowStart: readDate(r.window_start),
    windowEnd: readDate(r.window_end),
    observed: readNumber(r.observed),
    expected: readOptionalNumber(r.expected),
    firstEventAt: readDate(r.first_event_at),
    lastEventAt: readDate(r.last_event_at),
    details: r.details === null || r.details === undefined ? undefined : readJson<Record<string, unknown>>(r.details),
    state: r.state as AlertState,
    raisedAt: readDate(r.raised_at),
    updatedAt: readDate(r.updated_at),
    updatedBy: readOptionalString(r.updated_by),
    deliveries: readDeliveries(r.deliveries),
  });
}

/** The answer of recordClientActivity, without undefined members. */
export function activityBefore(clientFirstSeen: Date | undefined, clientLastSeen: Date | undefined, networkLastSeen: Date | undefined, keyFirstUse: boolean): ClientActivityBefore {
  return {
    ...(clientFirstSeen === undefined ? {} : { clientFirstSeen }),
    ...(clientLastSeen === undefined ? {} : { clientLastSeen }),
    ...(networkLastSeen === undefined ? {} : { networkLastSeen }),
    keyFirstUse,
  };
}
