/**
 * Writes audit events off the request's critical path: events are queued and handed to the store
 * together every `flushDelayMs` (default 10 ms), so that a group-committing store writes them in the
 * same transaction as the replay reservations of the requests of that moment instead of a commit of
 * their own; `flush()` on shutdown writes whatever is queued.
 *
 * On a clean shutdown nothing is lost. On a crash (kill -9, power loss) the events of at most the
 * last `flushDelayMs` that were not yet committed are lost; tokens themselves are recorded before
 * the response, so introspection and revocation never miss one.
 */
import type { Logger } from 'pino';
import type { AuditEvent, AuditStore } from '../../store/contract.ts';

/** Queue of audit events in front of the store. */
export interface AuditWriter {
  /** Queues one event (never throws; storage failures are logged). */
  write(event: AuditEvent): void;
  /** Writes every queued event. */
  flush(): Promise<void>;
}

/**
 * An AuditWriter over `store`; `onFailure` hears of each event the store did not take (the metric),
 * `onWritten` of each batch once the store has had it (the anomaly detector reads the stream there,
 * off the request's path).
 */
export function createAuditWriter(store: AuditStore, logger: Logger, options: { flushDelayMs?: number; onFailure?: () => void; onWritten?: (events: readonly AuditEvent[]) => void } = {}): AuditWriter {
  const delay = options.flushDelayMs ?? 10;
  let queue: AuditEvent[] = [];
  let scheduled: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      // All at once: a group-committing store writes the whole batch in one transaction.
      await Promise.all(batch.map((event) => store.appendAudit(event).catch((error: unknown) => {
        logger.error({ err: error, type: event.type, reason: event.reason }, 'audit event could not be stored');
        options.onFailure?.();
      })));
      options.onWritten?.(batch);
    }
  }

  function schedule(): Promise<void> {
    scheduled ??= new Promise<void>((resolve) => (delay > 0 ? setTimeout(resolve, delay) : setImmediate(resolve))).then(drain).finally(() => { scheduled = undefined; });
    return scheduled;
  }

  return {
    write(event) {
      queue.push(event);
      void schedule();
    },
    async flush() {
      if (scheduled) await scheduled;
      await drain();
    },
  };
}
