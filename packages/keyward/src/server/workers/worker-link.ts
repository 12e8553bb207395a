/**
 * What a worker process of `keyward serve --workers N` gets from its main process: an
 * invalidation bus over IPC (a change made through one worker's registry reaches every worker's
 * cache at once, as the Redis bus does between nodes) and the metrics of all workers added up.
 */
import { AggregatorRegistry, type Registry } from 'prom-client';
import { createInvalidationHandlers, toInvalidationEvent, type InvalidationBus } from '../../store/redis/create-invalidation-bus.ts';
import { isKeywardMessage, type ToPrimary, type ToWorker } from './messages.ts';

/** The link of one worker to the main process. */
export interface WorkerLink {
  /** Invalidation events of every worker of this process group. */
  readonly bus: InvalidationBus;
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
  const handlers = createInvalidationHandlers();
  const pendingMetrics = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 0;

  const onMessage = (message: unknown): void => {
    if (!isKeywardMessage<ToWorker>(message)) return;
    if (message.keyward === 'invalidate') {
      // Re-validated: the channel is ours, but a malformed event must not reach the caches.
      const event = toInvalidationEvent(message.event);
      if (event !== undefined) handlers.dispatch(event);
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
    bus: {
      async publish(event) {
        sendToPrimary({ keyward: 'invalidate', event });
      },
      async subscribe(handler) {
        return handlers.add(handler);
      },
      async close() {
        handlers.clear();
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
