/**
 * The messages between the main process of `keyward serve --workers N` and its worker processes
 * (node:cluster IPC, JSON). Every message carries `keyward` (its kind), so messages of other modules
 * on the same channel (prom-client's metric requests) are told apart. Messages carry configuration,
 * identifiers and metric text only: never key material, tokens or assertions.
 */
import type { KeywardConfig } from '../../config/defaults.ts';
import type { ChangeEvent } from '../services/change-feed/change-event.ts';

/** Main process → worker. */
export type ToWorker =
  /** Start serving with this configuration. */
  | { readonly keyward: 'start'; readonly config: KeywardConfig }
  /** A change event from another worker or from the local CLI (the worker's change feed validates it). */
  | { readonly keyward: 'invalidate'; readonly event: ChangeEvent }
  /** The answer to a `metrics` request. */
  | { readonly keyward: 'metrics'; readonly id: number; readonly text?: string; readonly error?: string }
  /** Stop (draining first for server.shutdownDrain when `drain`), write the queued audit events, exit. */
  | { readonly keyward: 'stop'; readonly drain?: boolean };

/** Worker → main process. */
export type ToPrimary =
  /** The worker's program is loaded and listens for messages: send `start` (sent earlier, it would be lost). */
  | { readonly keyward: 'ready' }
  /** The worker listens. */
  | { readonly keyward: 'listening'; readonly url: string; readonly issuer: string; readonly kid: string; readonly alg: string }
  /** The worker could not start (the message says why). */
  | { readonly keyward: 'failed'; readonly message: string }
  /** Pass this change event to every other worker (the sender's feed delivered it already). */
  | { readonly keyward: 'invalidate'; readonly event: ChangeEvent }
  /** Send back the metrics of every worker, added up (GET /metrics). */
  | { readonly keyward: 'metrics'; readonly id: number };

/** True when `message` is one of ours (it has a string `keyward` member). */
export function isKeywardMessage<T extends { keyward: string }>(message: unknown): message is T {
  return typeof message === 'object' && message !== null && typeof (message as { keyward?: unknown }).keyward === 'string';
}
