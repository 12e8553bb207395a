/**
 * An alert as a detector sees it, before the store: what happened, to whom, when and by how much.
 * Its id is derived from (kind, dedupKey), so every node that sees the same anomaly in the same
 * window derives the same id, and the store keeps one alert (AlertStore.raiseAlert is atomic).
 */
import { createHash } from 'node:crypto';
import type { AlertKind } from '../../../store/contract.ts';

/** An anomaly found by a detector. Never holds a token or an assertion. */
export interface AlertDraft {
  readonly kind: AlertKind;
  /**
   * What makes this alert one alert: the subject and the window (`client|minute`, `client|key`,
   * ...). Two drafts with the same kind and key are the same alert.
   */
  readonly dedupKey: string;
  readonly clientId?: string;
  readonly keyThumbprint?: string;
  /** A source address or network. */
  readonly source?: string;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly observed: number;
  readonly expected?: number;
  readonly firstEventAt: Date;
  readonly lastEventAt: Date;
  readonly details?: Record<string, unknown>;
}

/** The stable id of a draft: `alert_` and 128 bits of SHA-256 over kind and dedup key, base64url. */
export function alertIdOf(draft: Pick<AlertDraft, 'kind' | 'dedupKey'>): string {
  return `alert_${createHash('sha256').update(`${draft.kind}\n${draft.dedupKey}`).digest().subarray(0, 16).toString('base64url')}`;
}
