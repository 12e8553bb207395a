/**
 * `keyward audit`: query the audit log (every token request, granted or refused, with client, key
 * thumbprint, reason code, source address and time; never a token), on the local data or, with
 * `--server`, through a running server's admin API.
 */
import type { Command } from 'commander';
import { addTargetOptions, withAdminTarget, type TargetOptions } from '../lib/remote-admin.ts';
import { CliError, EXIT, printResult } from '../output.ts';

/** Parses `--since`: an ISO date, or a duration back from now (`30s`, `15m`, `2h`, `7d`). */
export function parseSince(value: string, now = Date.now()): Date {
  const relative = /^(\d+)([smhd])$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(relative[1]) * unit * 1000);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`--since ${JSON.stringify(value)} is neither a date (2026-01-31T12:00:00Z) nor a duration (30m, 2h, 7d)`, EXIT.usage);
  return date;
}


/** Registers `audit`. */
export function registerAuditCommand(program: Command): void {
  addTargetOptions(program.command('audit'))
    .description('show the audit log, newest first (local data, or --server with the admin key)')
    .option('--client <client_id>', 'only this client')
    .option('--reason <code>', 'only this reason code (e.g. jti_replayed, aud_mismatch)')
    .option('--type <type>', 'only this event type (token.granted, token.refused, client.created, ...)')
    .option('--since <when>', 'only events after a date or a duration back (30m, 2h, 7d)')
    .option('--limit <n>', 'at most this many events', (value) => Number.parseInt(value, 10), 50)
    .action(async (options: TargetOptions & { client?: string; reason?: string; type?: string; since?: string; limit: number }) => {
      if (!Number.isInteger(options.limit) || options.limit < 1) throw new CliError('--limit is a positive number', EXIT.usage);
      const since = options.since === undefined ? undefined : parseSince(options.since);
      const rows = await withAdminTarget(options, (target) => target.queryAudit({
        ...(options.client ? { client_id: options.client } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
        ...(options.type ? { type: options.type } : {}),
        ...(since ? { since } : {}),
        limit: options.limit,
      }));
      printResult(options.json, rows, () => rows.length === 0 ? 'no matching audit events' : rows.map((row) => [
        String(row.time),
        String(row.type).padEnd(18),
        typeof row.client_id === 'string' ? row.client_id : '-',
        typeof row.reason === 'string' ? row.reason : '',
        typeof row.key_thumbprint === 'string' ? `key=${row.key_thumbprint.slice(0, 12)}…` : '',
        typeof row.source_address === 'string' ? `from ${row.source_address}` : '',
      ].filter((part) => part !== '').join('  ')).join('\n'));
    });
}
