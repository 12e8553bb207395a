/**
 * `keyward audit`: query the audit log (every token request, granted or refused, with client, key
 * thumbprint, reason code, source address and time; never a token), on the local data or, with
 * `--server`, through a running server's admin API.
 */
import type { Command } from 'commander';
import type { AuditQueryParams } from '../../server/services/audit-query.ts';
import { addTargetOptions, withAdminTarget, type AdminTarget, type TargetOptions } from '../lib/remote-admin.ts';
import { CliError, EXIT, printResult } from '../output.ts';

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

/** The filters every form of `keyward audit` takes. */
interface FilterOptions extends TargetOptions { client?: string; reason?: string; type?: string; since?: string; until?: string }

function addFilterOptions(command: Command): Command {
  return addTargetOptions(command)
    .option('--client <client>', 'only this client (its client_id, or its name)')
    .option('--reason <code>', 'only this reason code (e.g. jti_replayed, aud_mismatch)')
    .option('--type <type>', 'only this event type (token.granted, token.refused, client.created, ...)')
    .option('--since <when>', 'only events at or after a date-time or a duration back (30m, 2h, 7d)')
    .option('--until <when>', 'only events at or before a date-time or a duration back (30m, 2h, 7d)');
}

/** The wire filters of `options`, the client named by id or name (a note on stderr when it was a name). */
async function filtersOf(target: AdminTarget, options: FilterOptions): Promise<AuditQueryParams> {
  const client = options.client === undefined ? undefined : await resolveClientArgument(target, options.client);
  if (client?.note !== undefined) process.stderr.write(`keyward: ${client.note}\n`);
  return { client_id: client?.clientId, reason: options.reason, type: options.type, since: options.since, until: options.until };
}

function humanLine(row: Record<string, unknown>): string {
  return [
    `#${String(row.id)}`,
    String(row.time),
    String(row.type).padEnd(18),
    typeof row.client_id === 'string' ? row.client_id : '-',
    typeof row.reason === 'string' ? row.reason : '',
    typeof row.key_thumbprint === 'string' ? `key=${row.key_thumbprint.slice(0, 12)}…` : '',
    typeof row.source_address === 'string' ? `from ${row.source_address}` : '',
  ].filter((part) => part !== '').join('  ');
}

/** Registers `audit` and `audit export`. */
export function registerAuditCommand(program: Command): void {
  const audit = addFilterOptions(program.command('audit'))
    .description('show the audit log, newest first, a page at a time (local data, or --server with the admin key)')
    .option('--limit <n>', 'at most this many events (1 to 10000)', '50')
    .option('--before <id>', 'the next page: events older than this id (the last id shown, or next_before)')
    // `audit export --reason x`: the filters after `export` are export's own, not audit's.
    .enablePositionalOptions()
    .addHelpText('after', `
Examples:
  keyward audit --reason jti_replayed --since 1h
  keyward audit --client my-app --since 2026-12-01 --until 2026-12-02 --json
  keyward audit --limit 1000 --before 52311          # the page after the one that ended at #52312
  keyward audit export --format csv --since 30d > audit.csv`)
    .action(async (options: FilterOptions & { limit: string; before?: string }) => {
      const page = await withAdminTarget(options, async (target) => target.queryAudit({ ...(await filtersOf(target, options)), limit: options.limit, before: options.before }));
      printResult(options.json, page.events, () => page.events.length === 0 ? 'no matching audit events' : page.events.map(humanLine).join('\n'));
      if (page.next_before !== undefined && options.json !== true) {
        process.stderr.write(`keyward: more events: add --before ${page.next_before} for the next page\n`);
      }
    });

  addFilterOptions(audit.command('export'))
    .description('write every matching audit event, oldest last, as NDJSON or CSV on standard output (streamed page by page)')
    .option('--format <format>', 'ndjson (one JSON event per line) or csv', 'ndjson')
    .addHelpText('after', `
Examples:
  keyward audit export --since 30d > audit.ndjson
  keyward audit export --format csv --client my-app --until 2026-12-01 > my-app.csv
CSV: one header line, then id, time, type, client_id, key_thumbprint, reason, source_address, actor,
details (JSON); a value starting with = + - @ is prefixed with ' so a spreadsheet never runs it.
Progress goes to standard error.`)
    .action(async (options: FilterOptions & { format: string }) => {
      if (options.format !== 'ndjson' && options.format !== 'csv') throw new CliError(`--format ${JSON.stringify(options.format)}: use ndjson or csv`, EXIT.usage);
      const format = options.format;
      const count = await withAdminTarget(options, async (target) => {
        const filters = await filtersOf(target, options);
        return exportAudit((before) => target.queryAudit({ ...filters, limit: String(EXPORT_PAGE), before: before === undefined ? undefined : String(before) }), format, (line) => writeOut(line));
      });
      process.stderr.write(`keyward: exported ${count} audit event${count === 1 ? '' : 's'}\n`);
    });
}

/** Events per page of `audit export`. */
const EXPORT_PAGE = 1000;

/** Writes to standard output, waiting when the pipe is full (a slow reader never makes us buffer everything). */
function writeOut(text: string): Promise<void> | undefined {
  if (process.stdout.write(text)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

const CSV_COLUMNS = ['id', 'time', 'type', 'client_id', 'key_thumbprint', 'reason', 'source_address', 'actor', 'details'] as const;

/** One CSV field (RFC 4180 quoting; a leading = + - @ tab or CR neutralised against formula injection). */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Pages through the audit log with the id cursor and writes each event (NDJSON or CSV); progress on
 * standard error every 10,000 events when it is a terminal. Returns how many were written.
 */
export async function exportAudit(
  page: (before: number | undefined) => Promise<{ events: Record<string, unknown>[]; next_before?: number }>,
  format: 'ndjson' | 'csv',
  write: (text: string) => Promise<void> | undefined,
): Promise<number> {
  let count = 0;
  let before: number | undefined;
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\r\n`);
  for (;;) {
    const { events, next_before: next } = await page(before);
    for (const event of events) {
      await write(format === 'ndjson' ? `${JSON.stringify(event)}\n` : `${CSV_COLUMNS.map((column) => csvField(event[column])).join(',')}\r\n`);
      count += 1;
      if (count % 10_000 === 0 && process.stderr.isTTY) process.stderr.write(`keyward: ${count} events exported...\n`);
    }
    if (next === undefined) return count;
    before = next;
  }
}
