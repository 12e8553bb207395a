/**
 * What a worker process of `keyward serve --workers N` gets from its main process: the IPC
 * transport of its change feed (a change made through one worker's registry reaches every other
 * worker's cache at once, as Redis does between nodes) and the metrics of all workers added up.
 */
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { ChangeTransport } from '../services/change-feed/change-feed.ts';
import { createHandlerSet } from '../services/change-feed/handler-set.ts';
import { isKeywardMessage, type ToPrimary, type ToWorker } from './messages.ts';

/** The link of one worker to the main process. */
export interface WorkerLink {
  /** The change feed's transport to the other workers of this process group (without Redis). */
  readonly changes: ChangeTransport;
  /** Registers this worker's metrics for the sum GET /metrics shows. */
  shareMetrics(registry: Registry): void;
  /** The text exposition of the metrics of every worker, added up. */
  renderMetrics(): Promise<string>;
}

const METRICS_TIMEOUT_MS = 5000;

/** Sends `message` to the main process (dropped when the channel is closed: the main process is gone). */
export function sendToPrimary(message: ToPrimary): void {
  if (process.connected) process.send?.(message);
}

/** Creates the link of this worker process (throws outside a node:cluster worker). */
export function createWorkerLink(): WorkerLink {
  if (typeof process.send !== 'function') throw new Error('createWorkerLink() runs in a worker process of keyward serve --workers');
  const receivers = createHandlerSet<unknown>();
  const pendingMetrics = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 0;

  const onMessage = (message: unknown): void => {
    if (!isKeywardMessage<ToWorker>(message)) return;
    if (message.keyward === 'invalidate') {
      // Validated by the feed: the channel is ours, but a malformed event must not reach the caches.
      receivers.call(message.event);
    } else if (message.keyward === 'metrics') {
      const pending = pendingMetrics.get(message.id);
      if (pending === undefined) return;
      pendingMetrics.delete(message.id);
      clearTimeout(pending.timer);
      if (typeof message.text === 'string') pending.resolve(message.text);
      else pending.reject(new Error(message.error ?? 'no metrics'));
    }
  };
  process.on('message', onMessage);

  return {
    changes: {
      name: 'worker-ipc',
      async send(event) {
        sendToPrimary({ keyward: 'invalidate', event });
      },
      receive(handler) {
        return receivers.add(handler);
      },
      async close() {
        receivers.clear();
      },
    },
    shareMetrics(registry) {
      // Constructing one installs prom-client's answer to the main process's metric requests.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([registry]);
    },
    renderMetrics() {
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          pendingMetrics.delete(id);
          reject(new Error(`the main process did not send the metrics within ${METRICS_TIMEOUT_MS} ms`));
        }, METRICS_TIMEOUT_MS);
        timer.unref();
        pendingMetrics.set(id, { resolve, reject, timer });
        sendToPrimary({ keyward: 'metrics', id });
      });
    },
  };
}
