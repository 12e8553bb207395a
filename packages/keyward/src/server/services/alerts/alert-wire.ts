/**
 * The wire side of alerts: the view the admin API, the CLI's `--json` and the console show
 * (snake_case, dates as ISO 8601 strings), and the zod schemas of what an operator sends: the
 * listing's query parameters. The Alert schema is also the OpenAPI document's (openapi-document.ts).
 */
import { z } from 'zod';
import { ALERT_KINDS, ALERT_STATES, type AlertRecord } from '../../../store/contract.ts';
import { ALERT_MAX_LIMIT } from '../../../store/shared/alert-rows.ts';

const isoDate = z.string().describe('ISO 8601 date-time (UTC)');

/** One webhook delivery of an alert, as shown. */
export const alertDeliveryView = z.object({
  url: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  last_attempt_at: isoDate.optional(),
  next_attempt_at: isoDate.optional(),
  last_error: z.string().optional().describe('why the last attempt failed (HTTP status or network reason)'),
});

/** An alert, as shown. */
export const alertView = z.object({
  id: z.string().describe('stable: derived from kind, subject and window, the same on every node'),
  kind: z.enum(ALERT_KINDS),
  client_id: z.string().optional(),
  key_thumbprint: z.string().optional().describe('RFC 7638 thumbprint of the key the alert is about'),
  source: z.string().optional().describe('the source address or network the alert is about'),
  window: z.object({ start: isoDate, end: isoDate }).describe('the window the figures were counted in'),
  observed: z.number().describe('the figure observed in the window'),
  expected: z.number().optional().describe('the baseline or threshold; absent where nothing was expected'),
  first_event_at: isoDate,
  last_event_at: isoDate,
  details: z.record(z.string(), z.unknown()).optional(),
  state: z.enum(ALERT_STATES),
  raised_at: isoDate,
  updated_at: isoDate,
  updated_by: z.string().optional().describe('who acknowledged or resolved it: an admin client id, or cli'),
  deliveries: z.array(alertDeliveryView),
});

/** An alert, as shown (wire names). */
export type AlertView = z.infer<typeof alertView>;

/**
 * The query parameters of `GET /admin/v1/alerts` (and the options of `keyward alerts list`), as
 * text: `state`, `kind`, `client_id`, `limit` (1 to 1000, default 100) and `cursor` (the
 * `next_cursor` of the previous page). Empty values count as absent.
 */
export const alertListParams = z.object({
  state: z.enum(ALERT_STATES).optional(),
  kind: z.enum(ALERT_KINDS).optional(),
  client_id: z.string().min(1).max(255).optional(),
  limit: z.string().regex(/^\d{1,4}$/, 'a whole number').transform(Number)
    .refine((n) => n >= 1 && n <= ALERT_MAX_LIMIT, `from 1 to ${ALERT_MAX_LIMIT}`).optional(),
  cursor: z.string().min(1).max(255).optional(),
});

/** The listing's parameters as text (wire names), before they are checked. */
export type AlertListParams = { readonly [K in keyof z.input<typeof alertListParams>]?: string | undefined };

const iso = (date: Date): string => date.toISOString();

/** The wire view of an alert record. Never adds anything the record does not hold. */
export function toAlertView(alert: AlertRecord): AlertView {
  return {
    id: alert.id,
    kind: alert.kind,
    ...(alert.clientId !== undefined ? { client_id: alert.clientId } : {}),
    ...(alert.keyThumbprint !== undefined ? { key_thumbprint: alert.keyThumbprint } : {}),
    ...(alert.source !== undefined ? { source: alert.source } : {}),
    window: { start: iso(alert.windowStart), end: iso(alert.windowEnd) },
    observed: alert.observed,
    ...(alert.expected !== undefined ? { expected: alert.expected } : {}),
    first_event_at: iso(alert.firstEventAt),
    last_event_at: iso(alert.lastEventAt),
    ...(alert.details !== undefined ? { details: alert.details } : {}),
    state: alert.state,
    raised_at: iso(alert.raisedAt),
    updated_at: iso(alert.updatedAt),
    ...(alert.updatedBy !== undefined ? { updated_by: alert.updatedBy } : {}),
    deliveries: alert.deliveries.map((d) => ({
      url: d.url,
      state: d.state,
      attempts: d.attempts,
      ...(d.lastAttemptAt !== undefined ? { last_attempt_at: iso(d.lastAttemptAt) } : {}),
      ...(d.nextAttemptAt !== undefined ? { next_attempt_at: iso(d.nextAttemptAt) } : {}),
      ...(d.lastError !== undefined ? { last_error: d.lastError } : {}),
    })),
  };
}
