/**
 * Writes audit events off the request's critical path: events are queued and appended on the next
 * event-loop turn (one batch per turn), and `flush()` on shutdown writes whatever is queued.
 *
 * On a clean shutdown nothing is lost. On a crash (kill -9, power loss) the events of at most the
 * last event-loop turn that were not yet handed to the store are lost; tokens themselves are recorded
 * synchronously before the response, so introspection and revocation never miss one.
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

/** An AuditWriter over `store`. */
export function createAuditWriter(store: AuditStore, logger: Logger): AuditWriter {
  let queue: AuditEvent[] = [];
  let scheduled: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      // All at once: a group-committing store writes the whole batch in one transaction.
      await Promise.all(batch.map((event) => store.appendAudit(event).catch((error: unknown) => {
        logger.error({ err: error, type: event.type, reason: event.reason }, 'audit event could not be stored');
      })));
    }
  }

  function schedule(): Promise<void> {
    scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drain).finally(() => { scheduled = undefined; });
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
