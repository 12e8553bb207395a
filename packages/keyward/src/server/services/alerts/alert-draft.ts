/**
 * An alert as a detector sees it, before the store: what happened, to whom, when and by how much.
 * Its id is derived from (kind, dedupKey), so every node that sees the same anomaly in the same
 * window derives the same id, and the store keeps one alert (AlertStore.raiseAlert is atomic).
 */
import { createHash } from 'node:crypto';
import type { AlertRecord } from '../../../store/contract.ts';

/**
 * An anomaly found by a detector: the facts of an AlertRecord (never a token or an assertion),
 * without what the store adds (id, state, times, deliveries), plus what makes it one alert.
 */
export type AlertDraft = Omit<AlertRecord, 'id' | 'state' | 'raisedAt' | 'updatedAt' | 'updatedBy' | 'deliveries'> & {
  /**
   * The subject and the window (`client|minute`, `client|key`, ...): two drafts with the same kind
   * and key are the same alert.
   */
  readonly dedupKey: string;
};

/** One day in milliseconds (the detectors' windows and figures in days). */
export const DAY_MS = 86_400_000;

/** A duration as days to one decimal: an alert's observed figure. */
export function daysOf(ms: number): number {
  return Math.round((ms / DAY_MS) * 10) / 10;
}

/** What a detector answers for an event that completes no alert (shared, never written to). */
export const NO_DRAFTS: readonly AlertDraft[] = Object.freeze([]);

/** The stable id of a draft: `alert_` and 128 bits of SHA-256 over kind and dedup key, base64url. */
export function alertIdOf(draft: Pick<AlertDraft, 'kind' | 'dedupKey'>): string {
  return `alert_${createHash('sha256').update(`${draft.kind}\n${draft.dedupKey}`).digest().subarray(0, 16).toString('base64url')}`;
}
