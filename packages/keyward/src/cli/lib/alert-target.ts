/**
 * The alert operations of `keyward alerts`, on the local data (through services/alerts/
 * manage-alerts.ts, actor `cli`) or on a running server's admin API (`--server` ...), with one
 * interface whose answers are the admin API's wire views, so `--json` output is the same either way.
 */
import { AlertError } from '../../server/services/alerts/alert-error.ts';
import { toAlertView, type AlertListParams } from '../../server/services/alerts/alert-wire.ts';
import {
  changeAlertState, countAlerts, getAlertOrFail, listAlerts, readAlertQuery, type AlertAction,
} from '../../server/services/alerts/manage-alerts.ts';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
import { CliError, EXIT } from '../output.ts';
import { openRemoteAdminCall, type TargetOptions, type Wire } from './remote-admin.ts';

/** A page of alerts as `GET /admin/v1/alerts` answers it. */
export interface AlertPageWire {
  alerts: Wire[];
  next_cursor: string | null;
  counts: Record<string, number>;
}

/** The alert operations, local or remote. */
export interface AlertTarget {
  list(params: AlertListParams): Promise<AlertPageWire>;
  get(id: string): Promise<Wire>;
  move(id: string, action: AlertAction): Promise<Wire>;
}

/** AlertError → one clear CLI line: a bad option is a usage error, an unknown alert or a refused move a failure. */
function toCliError(error: unknown): unknown {
  if (!(error instanceof AlertError)) return error;
  const wire = error.code === 'invalid' ? 'invalid_request' : error.code;
  return new CliError(`${wire}: ${error.message}`, error.code === 'invalid' ? EXIT.usage : EXIT.failed);
}

/** Runs `work` against the local data directory or the remote server named in `options`. */
export async function withAlertTarget<T>(options: TargetOptions, work: (target: AlertTarget) => Promise<T>): Promise<T> {
  if (options.server !== undefined || options.adminConfig !== undefined) {
    const call = await openRemoteAdminCall(options);
    const id = (alertId: string) => encodeURIComponent(alertId);
    return work({
      list: async (params) => {
        const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
        return (await call('GET', `/alerts?${query.toString()}`)) as unknown as AlertPageWire;
      },
      get: (alertId) => call('GET', `/alerts/${id(alertId)}`),
      move: (alertId, action) => call('POST', `/alerts/${id(alertId)}/${action}`),
    });
  }
  return withConfiguredStore(options, async (store) => {
    // The time of a CLI change is the machine's (the server's clock is not involved).
    const ctx = { store, clock: () => Date.now() };
    const view = (alert: Parameters<typeof toAlertView>[0]) => toAlertView(alert) as unknown as Wire;
    const target: AlertTarget = {
      async list(params) {
        // The same reading of the same text as GET /admin/v1/alerts.
        const page = await listAlerts(ctx, readAlertQuery(params));
        return { alerts: page.alerts.map(view), next_cursor: page.nextCursor ?? null, counts: await countAlerts(ctx) };
      },
      async get(alertId) {
        return view(await getAlertOrFail(ctx, alertId));
      },
      async move(alertId, action) {
        return view(await changeAlertState(ctx, { id: alertId, action, actor: 'cli' }));
      },
    };
    try {
      return await work(target);
    } catch (error) {
      throw toCliError(error);
    }
  });
}
