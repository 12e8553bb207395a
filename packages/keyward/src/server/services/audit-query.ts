/**
 * Reads an audit query given as text: the query string of `GET /admin/v1/audit` and the options of
 * `keyward audit` (local or `--server`), so that both accept the same values and mean the same.
 *
 * - `since`, `until`: an ISO 8601 date-time, or a duration back from now (`30s`, `15m`, `2h`, `7d`);
 *   both inclusive.
 * - `before`: the paging cursor, the `id` of the last event of the previous page (events come newest
 *   first, so the next page holds the ids below it).
 * - `limit`: 1 to 10,000 (default 100).
 * Refusals are RegistryError 'invalid' (400 in the admin API, a usage error in the CLI).
 */
import type { AuditQuery } from '../../store/contract.ts';
import { AUDIT_MAX_LIMIT } from '../../store/shared/patches.ts';
import { RegistryError } from './registry/registry-error.ts';

/** The audit filters as text (wire names). */
export interface AuditQueryParams {
  readonly client_id?: string | undefined;
  readonly type?: string | undefined;
  readonly reason?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly before?: string | undefined;
  readonly limit?: string | undefined;
}

const UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** A point in time: an ISO date-time, or a duration back from `nowMs`; undefined when it is neither. */
export function readTimeBound(value: string, nowMs: number): Date | undefined {
  const relative = /^(\d{1,9})([smhd])$/.exec(value.trim());
  if (relative !== null) return new Date(nowMs - Number(relative[1]) * UNITS[relative[2] as keyof typeof UNITS] * 1000);
  // A date alone or a date-time; Date.parse would also take "1" or "March", which are refused.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) return undefined;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function timeBound(name: 'since' | 'until', value: string | undefined, nowMs: number): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = readTimeBound(value, nowMs);
  if (date === undefined) throw new RegistryError('invalid', `${name} ${JSON.stringify(value)} is neither a date-time (2026-01-31T12:00:00Z) nor a duration back from now (30m, 2h, 7d)`);
  return date;
}

function wholeNumber(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) throw new RegistryError('invalid', `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return number;
}

/** The store query of `params` at `nowMs`. Throws RegistryError 'invalid' naming the bad parameter. */
export function readAuditQuery(params: AuditQueryParams, nowMs: number): AuditQuery {
  const since = timeBound('since', params.since, nowMs);
  const until = timeBound('until', params.until, nowMs);
  if (since !== undefined && until !== undefined && since.getTime() > until.getTime()) throw new RegistryError('invalid', 'since is after until: nothing can match');
  const beforeId = wholeNumber('before', params.before, 1, Number.MAX_SAFE_INTEGER);
  const limit = wholeNumber('limit', params.limit, 1, AUDIT_MAX_LIMIT);
  return {
    ...(params.client_id ? { clientId: params.client_id } : {}),
    ...(params.type ? { type: params.type } : {}),
    ...(params.reason ? { reason: params.reason } : {}),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(beforeId === undefined ? {} : { beforeId }),
    ...(limit === undefined ? {} : { limit }),
  };
}
