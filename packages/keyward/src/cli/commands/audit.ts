/**
 * `keyward audit`: query the audit log (every token request, granted or refused, with client, key
 * thumbprint, reason code, source address and time; never a token), on the local data or, with
 * `--server`, through a running server's admin API.
 */
import type { Command } from 'commander';
import { addTargetOptions, withAdminTarget, type AdminTarget, type TargetOptions } from '../lib/remote-admin.ts';
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

/**
 * The client_id `--client` names: a client_id as given, else the one client with that name (said on
 * stderr). Several clients of that name: a usage error listing their ids. Neither: kept as an id
 * (a deleted client's events stay in the log), with a note when nothing matches.
 */
async function resolveClientArgument(target: AdminTarget, value: string): Promise<{ clientId: string; note?: string }> {
  try {
    await target.getClient(value);
    return { clientId: value };
  } catch {
    // not a client_id: try the name below
  }
  const named = (await target.listClients(10_000)).filter((client) => client.client_name === value);
  if (named.length > 1) {
    throw new CliError(`--client ${JSON.stringify(value)}: ${named.length} clients have this name (${named.map((c) => String(c.client_id)).join(', ')}); give the client_id`, EXIT.usage);
  }
  if (named.length === 1) return { clientId: String(named[0]!.client_id), note: `--client ${JSON.stringify(value)} is a client name: showing client_id ${String(named[0]!.client_id)}` };
  return { clientId: value, note: `no client has the client_id or name ${JSON.stringify(value)} (the events of a deleted client are still shown)` };
}

/** Registers `audit`. */
export function registerAuditCommand(program: Command): void {
  addTargetOptions(program.command('audit'))
    .description('show the audit log, newest first (local data, or --server with the admin key)')
    .option('--client <client>', 'only this client (its client_id, or its name)')
    .option('--reason <code>', 'only this reason code (e.g. jti_replayed, aud_mismatch)')
    .option('--type <type>', 'only this event type (token.granted, token.refused, client.created, ...)')
    .option('--since <when>', 'only events after a date or a duration back (30m, 2h, 7d)')
    .option('--limit <n>', 'at most this many events', (value) => Number.parseInt(value, 10), 50)
    .action(async (options: TargetOptions & { client?: string; reason?: string; type?: string; since?: string; limit: number }) => {
      if (!Number.isInteger(options.limit) || options.limit < 1) throw new CliError('--limit is a positive number', EXIT.usage);
      const since = options.since === undefined ? undefined : parseSince(options.since);
      const rows = await withAdminTarget(options, async (target) => {
        const client = options.client === undefined ? undefined : await resolveClientArgument(target, options.client);
        if (client?.note !== undefined) process.stderr.write(`keyward: ${client.note}\n`);
        return target.queryAudit({
          ...(client ? { client_id: client.clientId } : {}),
          ...(options.reason ? { reason: options.reason } : {}),
          ...(options.type ? { type: options.type } : {}),
          ...(since ? { since } : {}),
          limit: options.limit,
        });
      });
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
