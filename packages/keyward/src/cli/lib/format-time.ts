/**
 * Human rendering of NumericDate claims (RFC 7519 §2): an ISO date and an age relative to now.
 */
import { isMilliseconds } from '@keyward/core';

/** "in 5 min", "3 s ago", "2 h 5 min ago". */
export function formatRelative(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  const text = abs < 60 ? `${abs} s`
    : abs < 3600 ? `${Math.floor(abs / 60)} min${abs % 60 ? ` ${abs % 60} s` : ''}`
      : abs < 86400 ? `${Math.floor(abs / 3600)} h${Math.floor((abs % 3600) / 60) ? ` ${Math.floor((abs % 3600) / 60)} min` : ''}`
        : `${Math.floor(abs / 86400)} d`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** Describes a NumericDate claim value against `now` (epoch seconds). */
export function describeNumericDate(value: unknown, now: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${JSON.stringify(value)} (not a number: NumericDate is seconds since the epoch)`;
  if (isMilliseconds(value)) {
    return `${value} (looks like MILLISECONDS: ${new Date(value).toISOString()}; use seconds, Math.floor(Date.now() / 1000))`;
  }
  return `${value} = ${new Date(value * 1000).toISOString()} (${formatRelative(value - now)})`;
}
