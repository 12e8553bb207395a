/**
 * `keyward audit`: query the audit log of the local data (every token request, granted or refused,
 * with client, key thumbprint, reason code, source address and time; never a token).
 */
import type { Command } from 'commander';
import type { AuditEvent } from '../../store/contract.ts';
import { withConfiguredStore } from '../../server/open-configured-store.ts';
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

/** The wire form of an audit event. */
export function describeAuditEvent(event: AuditEvent): Record<string, unknown> {
  return {
    ...(event.id === undefined ? {} : { id: event.id }),
    time: event.time.toISOString(),
    type: event.type,
    ...(event.clientId === undefined ? {} : { client_id: event.clientId }),
    ...(event.keyThumbprint === undefined ? {} : { key_thumbprint: event.keyThumbprint }),
    ...(event.reason === undefined ? {} : { reason: event.reason }),
    ...(event.sourceAddress === undefined ? {} : { source_address: event.sourceAddress }),
    ...(event.actor === undefined ? {} : { actor: event.actor }),
    ...(event.details === undefined ? {} : { details: event.details }),
  };
}

/** Registers `audit`. */
export function registerAuditCommand(program: Command): void {
  program.command('audit')
    .description('show the audit log (newest first)')
    .option('--client <client_id>', 'only this client')
    .option('--reason <code>', 'only this reason code (e.g. jti_replayed, aud_mismatch)')
    .option('--type <type>', 'only this event type (token.granted, token.refused, client.created, ...)')
    .option('--since <when>', 'only events after a date or a duration back (30m, 2h, 7d)')
    .option('--limit <n>', 'at most this many events', (value) => Number.parseInt(value, 10), 50)
    .option('--config <file>', 'config file (default: KEYWARD_CONFIG)')
    .option('--data-dir <dir>', 'data directory (default: KEYWARD_DATA_DIR or ./.keyward)')
    .option('--json', 'print JSON with wire names')
    .action(async (options: { client?: string; reason?: string; type?: string; since?: string; limit: number; config?: string; dataDir?: string; json?: boolean }) => {
      if (!Number.isInteger(options.limit) || options.limit < 1) throw new CliError('--limit is a positive number', EXIT.usage);
      const since = options.since === undefined ? undefined : parseSince(options.since);
      const events = await withConfiguredStore(options, (store) => store.audit.queryAudit({
        ...(options.client ? { clientId: options.client } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
        ...(options.type ? { type: options.type } : {}),
        ...(since ? { since } : {}),
        limit: options.limit,
      }));
      const rows = events.map(describeAuditEvent);
      printResult(options.json, rows, () => rows.length === 0 ? 'no matching audit events' : events.map((event) => [
        event.time.toISOString(),
        event.type.padEnd(18),
        event.clientId ?? '-',
        event.reason ?? '',
        event.keyThumbprint ? `key=${event.keyThumbprint.slice(0, 12)}…` : '',
        event.sourceAddress ? `from ${event.sourceAddress}` : '',
      ].filter((part) => part !== '').join('  ')).join('\n'));
    });
}
