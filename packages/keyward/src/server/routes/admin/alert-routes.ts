/**
 * /admin/v1/alerts: the alerts the anomaly detector raised, for operators (services/alerts/
 * manage-alerts.ts). List (newest first, filtered, a page at a time, with the count of alerts in
 * each state), show one, acknowledge, resolve; each change is audited with the admin client id as
 * actor. A move the alert's state does not allow answers 409 `alert_state_conflict`.
 */
import type { Hono } from 'hono';
import type { ServerContext } from '../../context.ts';
import { jsonNoStore } from '../../middleware/errors.ts';
import { toAlertView } from '../../services/alerts/alert-wire.ts';
import {
  acknowledgeAlert, countAlerts, getAlertOrFail, listAlerts, readAlertQuery, resolveAlert,
} from '../../services/alerts/manage-alerts.ts';
import type { AdminEnv } from './admin-env.ts';
import { requestFacts } from '../../middleware/request-id.ts';

/** The query parameters `GET /alerts` reads (others are ignored, as by the other listings). */
const LIST_PARAMS = ['state', 'kind', 'client_id', 'limit', 'cursor'] as const;

/** Registers the alert routes on the admin sub-app. */
export function registerAdminAlertRoutes(app: Hono<AdminEnv>, ctx: ServerContext): void {
  app.get('/alerts', async (c) => {
    const query = readAlertQuery(Object.fromEntries(LIST_PARAMS.map((name) => [name, c.req.query(name)])));
    const [page, counts] = await Promise.all([listAlerts(ctx, query), countAlerts(ctx)]);
    return jsonNoStore({ alerts: page.alerts.map(toAlertView), next_cursor: page.nextCursor ?? null, counts });
  });

  app.get('/alerts/:id', async (c) => jsonNoStore(toAlertView(await getAlertOrFail(ctx, c.req.param('id')))));

  app.post('/alerts/:id/acknowledge', async (c) => jsonNoStore(toAlertView(await acknowledgeAlert(ctx, c.req.param('id'), c.get('actor'), requestFacts(c, ctx.config.server.trustProxy)))));

  app.post('/alerts/:id/resolve', async (c) => jsonNoStore(toAlertView(await resolveAlert(ctx, c.req.param('id'), c.get('actor'), requestFacts(c, ctx.config.server.trustProxy)))));
}
