/**
 * `keyward alerts list | show | ack | resolve`: the alerts the anomaly detector raised (docs/
 * alerts.md). Each works on the local data directory or, with `--server URL --admin-key admin.key
 * --admin-client-id ID` (or `--admin-config admin.json`), on a running server's admin API. An alert
 * is acknowledged when it is open, and resolved when it is open or acknowledged; anything else is
 * refused (`alert_state_conflict`, exit 1). Human output by default, `--json` with wire names.
 */
import type { Command } from 'commander';
import { withAlertTarget } from '../lib/alert-target.ts';
import { addTargetOptions, type TargetOptions, type Wire } from '../lib/remote-admin.ts';
import { printResult } from '../output.ts';

/** Observed against expected, as `120 (expected 10)`, or the observed figure alone. */
function figures(alert: Wire): string {
  return alert.expected === undefined ? String(alert.observed) : `${String(alert.observed)} (expected ${String(alert.expected)})`;
}

function describeAlertLine(alert: Wire): string {
  return [
    String(alert.id), String(alert.state).padEnd(12), String(alert.kind).padEnd(21),
    typeof alert.client_id === 'string' ? alert.client_id : '-', figures(alert), String(alert.raised_at),
  ].join('  ');
}

function describeAlertLines(alert: Wire): string {
  const window = alert.window as { start: string; end: string };
  const deliveries = (alert.deliveries as Wire[]).map((d) =>
    `  ${String(d.url)}: ${String(d.state)} after ${String(d.attempts)} attempt(s)${typeof d.last_error === 'string' ? ` (${d.last_error})` : ''}`);
  return [
    `id:          ${String(alert.id)}`,
    `kind:        ${String(alert.kind)}`,
    `state:       ${String(alert.state)}${typeof alert.updated_by === 'string' ? ` (by ${alert.updated_by} at ${String(alert.updated_at)})` : ''}`,
    ...(typeof alert.client_id === 'string' ? [`client:      ${alert.client_id}`] : []),
    ...(typeof alert.key_thumbprint === 'string' ? [`key:         ${alert.key_thumbprint}`] : []),
    ...(typeof alert.source === 'string' ? [`source:      ${alert.source}`] : []),
    `observed:    ${figures(alert)}`,
    `window:      ${window.start} to ${window.end}`,
    `events:      ${String(alert.first_event_at)} to ${String(alert.last_event_at)}`,
    `raised at:   ${String(alert.raised_at)}`,
    ...(alert.details !== undefined ? [`details:     ${JSON.stringify(alert.details)}`] : []),
    ...(deliveries.length > 0 ? ['webhooks:', ...deliveries] : []),
  ].join('\n');
}

/** The filters of `alerts list`. */
interface ListOptions extends TargetOptions { state?: string; kind?: string; client?: string; limit?: string; cursor?: string }

/** Registers `keyward alerts` and its subcommands. */
export function registerAlertsCommand(program: Command): void {
  const alerts = program.command('alerts').description('read and acknowledge the alerts raised by the anomaly detector (list, show, ack, resolve)');

  addTargetOptions(alerts.command('list'))
    .description('list alerts, newest first, a page at a time')
    .option('--state <state>', 'only alerts in this state: open, acknowledged or resolved')
    .option('--kind <kind>', 'only alerts of this kind (issuance_spike, replay_burst, new_key_first_use, ...)')
    .option('--client <client_id>', 'only alerts about this client')
    .option('--limit <n>', 'at most this many (1 to 1000, default 100)')
    .option('--cursor <id>', 'the next page: alerts after this one (the next_cursor of the previous page)')
    .addHelpText('after', `
Examples:
  keyward alerts list --state open
  keyward alerts list --kind replay_burst --client my-app --json
  keyward alerts list --limit 50 --cursor 3f2a...   # the page after the one that ended at 3f2a...`)
    .action(async (o: ListOptions) => {
      const page = await withAlertTarget(o, (t) => t.list({ state: o.state, kind: o.kind, client_id: o.client, limit: o.limit, cursor: o.cursor }));
      printResult(o.json, page, () => {
        const summary = `${page.counts.open ?? 0} open, ${page.counts.acknowledged ?? 0} acknowledged, ${page.counts.resolved ?? 0} resolved`;
        return page.alerts.length === 0 ? `no matching alerts (${summary})` : `${page.alerts.map(describeAlertLine).join('\n')}\n(${summary})`;
      });
      if (page.next_cursor !== null && o.json !== true) process.stderr.write(`keyward: more alerts: add --cursor ${page.next_cursor} for the next page\n`);
    });

  addTargetOptions(alerts.command('show').argument('<id>', 'the alert id'))
    .description('show an alert: its figures, window, state and webhook deliveries')
    .action(async (id: string, o: TargetOptions) => {
      const alert = await withAlertTarget(o, (t) => t.get(id));
      printResult(o.json, alert, () => describeAlertLines(alert));
    });

  addTargetOptions(alerts.command('ack').argument('<id>', 'the alert id'))
    .description('acknowledge an open alert (someone is on it); written to the audit log')
    .action(async (id: string, o: TargetOptions) => {
      const alert = await withAlertTarget(o, (t) => t.move(id, 'acknowledge'));
      printResult(o.json, alert, () => `acknowledged ${id}\n${describeAlertLines(alert)}`);
    });

  addTargetOptions(alerts.command('resolve').argument('<id>', 'the alert id'))
    .description('resolve an open or acknowledged alert; written to the audit log')
    .action(async (id: string, o: TargetOptions) => {
      const alert = await withAlertTarget(o, (t) => t.move(id, 'resolve'));
      printResult(o.json, alert, () => `resolved ${id}\n${describeAlertLines(alert)}`);
    });
}
