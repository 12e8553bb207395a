/**
 * The operator's alert operations, shared by the admin API, the CLI (local data) and, through the
 * admin API, the console: list, show, acknowledge, resolve.
 *
 * States (docs/alerts.md): an alert is raised `open`; acknowledging moves an `open` alert to
 * `acknowledged` (someone is on it); resolving moves an `open` or `acknowledged` alert to
 * `resolved`. Any other move is refused with AlertError `alert_state_conflict` (409), decided by
 * one conditional write in the store, so of two operators acknowledging at once exactly one
 * succeeds. Every move writes an audit event (`alert.acknowledged`, `alert.resolved`) with the
 * actor, the alert's client and key, and its id, kind and new state in the details.
 *
 * Does NOT raise alerts nor deliver webhooks (the alert-raising service does), and does NOT
 * authenticate the actor (the admin API and the CLI do).
 */
import type { AlertQuery, AlertRecord, AlertState, Store } from '../../../store/contract.ts';
import { resolveAlertLimit } from '../../../store/shared/alert-rows.ts';
import type { Clock } from '../../clock.ts';
import { AlertError } from './alert-error.ts';
import { alertListParams, type AlertListParams } from './alert-wire.ts';
import type { RequestFacts } from '../registry/registry-context.ts';

/** What the alert operations need: the store and the clock (epoch milliseconds). */
export interface AlertsContext {
  readonly store: Store;
  readonly clock: Clock;
}

/** A page of alerts, newest first, and the cursor of the next page when this one is full. */
export interface AlertPage {
  readonly alerts: AlertRecord[];
  readonly nextCursor?: string;
}

/** The move each operator action makes: the state it leads to, and the states it may start from. */
const MOVES = {
  acknowledge: { to: 'acknowledged', from: ['open'], event: 'alert.acknowledged' },
  resolve: { to: 'resolved', from: ['open', 'acknowledged'], event: 'alert.resolved' },
} as const satisfies Record<string, { to: AlertState; from: readonly AlertState[]; event: string }>;

/** An operator action on an alert. */
export type AlertAction = keyof typeof MOVES;

/** The store query of the listing parameters (wire names, as text). Throws AlertError 'invalid' naming the parameter. */
export function readAlertQuery(params: AlertListParams): AlertQuery {
  const present = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = alertListParams.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') || 'query';
    throw new AlertError('invalid', `${name}: ${issue?.message ?? 'invalid'} (got ${JSON.stringify(present[name])})`);
  }
  const q = parsed.data;
  return {
    ...(q.state !== undefined ? { state: q.state } : {}),
    ...(q.kind !== undefined ? { kind: q.kind } : {}),
    ...(q.client_id !== undefined ? { clientId: q.client_id } : {}),
    ...(q.cursor !== undefined ? { beforeId: q.cursor } : {}),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
  };
}

/**
 * One page of alerts, newest first (raised_at, then id). A cursor that names no alert is refused
 * (AlertError 'invalid'): a typo must not look like "no more alerts".
 */
export async function listAlerts(ctx: AlertsContext, query: AlertQuery): Promise<AlertPage> {
  if (query.beforeId !== undefined && (await ctx.store.alerts.getAlert(query.beforeId)) === undefined) {
    throw new AlertError('invalid', `cursor ${JSON.stringify(query.beforeId)} names no alert: pass the next_cursor of the previous page`);
  }
  const alerts = await ctx.store.alerts.listAlerts(query);
  const full = alerts.length > 0 && alerts.length === resolveAlertLimit(query.limit);
  return { alerts, ...(full ? { nextCursor: alerts.at(-1)!.id } : {}) };
}

/** The alert `id`, or AlertError 'not_found'. */
export async function getAlertOrFail(ctx: AlertsContext, id: string): Promise<AlertRecord> {
  const alert = await ctx.store.alerts.getAlert(id);
  if (alert === undefined) throw new AlertError('not_found', `no alert has the id ${JSON.stringify(id)}: list them with \`keyward alerts list\``);
  return alert;
}

/** How many alerts are open (the console's badge), acknowledged and resolved. */
export async function countAlerts(ctx: AlertsContext): Promise<Record<AlertState, number>> {
  return ctx.store.alerts.countAlerts();
}

/**
 * Acknowledges (`open` → `acknowledged`) or resolves (`open` | `acknowledged` → `resolved`) the
 * alert `id` for `actor`, and writes the audit event. Throws AlertError 'not_found', or
 * 'alert_state_conflict' when the alert is in a state the action cannot start from (already
 * acknowledged, already resolved, or moved by someone else a moment before).
 */
export async function changeAlertState(ctx: AlertsContext, input: { id: string; action: AlertAction; actor: string; request?: RequestFacts }): Promise<AlertRecord> {
  const move = MOVES[input.action];
  const now = new Date(ctx.clock());
  const moved = await ctx.store.alerts.setAlertState(input.id, move.to, input.actor, now, move.from);
  if (moved === undefined) {
    const current = await getAlertOrFail(ctx, input.id);
    throw new AlertError('alert_state_conflict',
      `alert ${input.id} is ${current.state}${current.updatedBy !== undefined ? ` (by ${current.updatedBy})` : ''}: only ${move.from.map((s) => `an ${s}`).join(' or ')} alert can be ${move.to}`);
  }
  await ctx.store.audit.appendAudit({
    time: now,
    type: move.event,
    actor: input.actor,
    ...(input.request?.requestId !== undefined ? { requestId: input.request.requestId } : {}),
    ...(input.request?.sourceAddress !== undefined ? { sourceAddress: input.request.sourceAddress } : {}),
    ...(moved.clientId !== undefined ? { clientId: moved.clientId } : {}),
    ...(moved.keyThumbprint !== undefined ? { keyThumbprint: moved.keyThumbprint } : {}),
    details: { alert_id: moved.id, kind: moved.kind, state: moved.state },
  });
  return moved;
}

/** Acknowledges the alert `id` (see {@link changeAlertState}). */
export const acknowledgeAlert = (ctx: AlertsContext, id: string, actor: string, request?: RequestFacts): Promise<AlertRecord> => changeAlertState(ctx, { id, action: 'acknowledge', actor, ...(request ? { request } : {}) });

/** Resolves the alert `id` (see {@link changeAlertState}). */
export const resolveAlert = (ctx: AlertsContext, id: string, actor: string, request?: RequestFacts): Promise<AlertRecord> => changeAlertState(ctx, { id, action: 'resolve', actor, ...(request ? { request } : {}) });
