/**
 * `keyward serve --workers N` (config `server.workers`): the main process prepares the store (runs
 * the migrations, creates the first signing key), then starts N worker processes (node:cluster)
 * that accept connections on the same port, each a full server node on the same store. A node
 * with one event loop uses one core; the workers use them all.
 *
 * The main process serves no request. It passes change events between workers (when Redis does
 * not) and relays those of the local CLI (the data directory's socket), adds up the workers'
 * metrics for GET /metrics, restarts a worker that dies (and gives up when workers keep dying:
 * more than MAX_RESTARTS within RESTART_WINDOW_MS), and stops them all gracefully on close().
 *
 * Safety does not depend on which worker serves a request: the replay reservation, token records
 * and audit log live in the shared store (SQLite serializes the writers of one file; PostgreSQL
 * or Redis for several machines). What each worker keeps for itself: its client cache (dropped on
 * every change event), its signing keys (re-read every `tokens.signingKeyRefresh` seconds) and,
 * without Redis, its rate-limit counters.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { KeywardConfig } from '../../config/defaults.ts';
import { openConfiguredStore } from '../open-configured-store.ts';
import { packageModule } from '../../package-files.ts';
import type { ChangeFeed } from '../services/change-feed/change-feed.ts';
import { createChangeFeed } from '../services/change-feed/create-change-feed.ts';
import { listenOnAnnouncementSocket } from '../services/change-feed/socket-transport.ts';
import { loadSigningKeys } from '../services/signing-keys.ts';
import { resolveKeyEncryption } from '../services/key-encryption/index.ts';
import { isKeywardMessage, type ToPrimary, type ToWorker } from './messages.ts';
import { relayChangeEvent } from './relay-change-event.ts';

/** More worker deaths than this within RESTART_WINDOW_MS stop the whole server. */
export const MAX_RESTARTS = 5;
export const RESTART_WINDOW_MS = 60_000;
/** A worker that has not stopped this long beyond its drain and grace after `stop` is killed. */
const STOP_TIMEOUT_MS = 10_000;
/** A worker that has not listened this long after its start is a failed start. */
const START_TIMEOUT_MS = 30_000;

/** The running workers. */
export interface WorkerPool {
  /** The base URL the workers listen on. */
  readonly url: string;
  readonly issuer: string;
  /** Number of worker processes. */
  readonly size: number;
  /** The signing key that signs new tokens. */
  readonly signingKey: { readonly kid: string; readonly alg: string };
  /** Settles when the pool has stopped: resolves after close(), rejects when workers keep dying. */
  readonly stopped: Promise<void>;
  /**
   * Stops every worker gracefully (each drains for server.shutdownDrain unless `drain: false`, lets
   * requests under way finish within server.shutdownGrace, writes its queued audit events and closes
   * the store).
   */
  close(options?: { drain?: boolean }): Promise<void>;
}

/** The number of workers `server.workers` asks for (`auto`: one per CPU core). */
export function resolveWorkerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, availableParallelism()) : setting;
}

/** Refuses a store the workers cannot share. */
function checkShareableStore(config: KeywardConfig): void {
  if (config.storage.databaseUrl === undefined && config.storage.dataDir === ':memory:') {
    throw new Error('server.workers above 1 needs a store the worker processes share: SQLite in a data directory (KEYWARD_DATA_DIR) or PostgreSQL (KEYWARD_DATABASE_URL), not :memory:');
  }
}

/**
 * The worker's module: `dist/server/workers/worker-process.js` in the published package, or the
 * `.ts` source when the repository runs its sources (its loader then comes with the parent's
 * NODE_OPTIONS, set by the repository's bin/keyward.mjs).
 */
function workerModule(): string {
  return packageModule('server/workers/worker-process');
}

/** Starts `count` workers serving `config`. Call in the main process only. */
export async function startWorkerPool(config: KeywardConfig, options: { count: number; logger: Logger }): Promise<WorkerPool> {
  const { count, logger } = options;
  if (!cluster.isPrimary) throw new Error('startWorkerPool() runs in the main process');
  if (!Number.isInteger(count) || count < 1) throw new Error(`the number of workers is a whole number of at least 1, not ${count}`);
  checkShareableStore(config);

  // Migrations and the first signing key, once, before any worker opens the store.
  const store = await openConfiguredStore(config);
  try {
    await loadSigningKeys(store.signingKeys, { alg: config.tokens.signingAlg, refreshSeconds: config.tokens.signingKeyRefresh, encryption: resolveKeyEncryption(config) });
  } finally {
    await store.close();
  }

  cluster.setupPrimary({ exec: workerModule(), execArgv: [...process.execArgv], args: [] });
  const aggregator = new AggregatorRegistry();
  const workers = new Set<Worker>();
  const deaths: number[] = [];
  let closing = false;
  let started = false;
  let settleStopped!: { resolve: () => void; reject: (error: Error) => void };
  const stopped = new Promise<void>((resolve, reject) => {
    settleStopped = { resolve, reject };
  });
  stopped.catch(() => undefined); // observed by the caller; never an unhandled rejection

  const sendTo = (worker: Worker, message: ToWorker): void => {
    // A worker killed a moment ago can still look connected: the write then fails with EPIPE. With a
    // callback, that failure comes here instead of as an 'error' event that would stop the main
    // process; the worker's exit is handled by onExit.
    if (worker.isConnected()) worker.send(message, undefined, (error: Error | null) => {
      if (error !== null) logger.debug({ pid: worker.process.pid, err: error }, 'message to a stopping worker was not delivered');
    });
  };

  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isKeywardMessage<ToPrimary>(message)) return;
    if (message.keyward === 'invalidate') {
      relayChangeEvent(workers, worker, (each) => sendTo(each, { keyward: 'invalidate', event: message.event }));
    } else if (message.keyward === 'metrics') {
      aggregator.clusterMetrics().then(
        (text) => sendTo(worker, { keyward: 'metrics', id: message.id, text }),
        (error: unknown) => sendTo(worker, { keyward: 'metrics', id: message.id, error: (error as Error).message }),
      );
    }
  };

  /** Forks one worker; resolves with what it reported once listening. */
  const fork = (): Promise<Extract<ToPrimary, { keyward: 'listening' }>> => {
    const worker = cluster.fork();
    workers.add(worker);
    // Errors of the channel to a dying worker (EPIPE, ECONNRESET) must not stop the main process.
    worker.on('error', (error) => logger.debug({ pid: worker.process.pid, err: error }, 'worker channel error'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${worker.process.pid ?? '?'} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      worker.on('message', (message: unknown) => {
        onMessage(worker, message);
        if (!isKeywardMessage<ToPrimary>(message)) return;
        if (message.keyward === 'ready') {
          // A `stop` sent before the worker listened for messages was lost: send it again now.
          sendTo(worker, closing ? { keyward: 'stop' } : { keyward: 'start', config });
        } else if (message.keyward === 'listening') {
          clearTimeout(timer);
          resolve(message);
        } else if (message.keyward === 'failed') {
          clearTimeout(timer);
          reject(new Error(message.message));
        }
      });
      worker.once('exit', (code, signal) => {
        clearTimeout(timer);
        workers.delete(worker);
        reject(new Error(`worker ${worker.process.pid ?? '?'} stopped while starting (${signal ?? `exit code ${code}`})`));
        onExit(worker, code, signal);
      });
    });
  };

  const stopAll = async (drain = false): Promise<void> => {
    const patienceMs = STOP_TIMEOUT_MS + ((drain ? config.server.shutdownDrain : 0) + config.server.shutdownGrace) * 1000;
    const exits = [...workers].map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), patienceMs);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      sendTo(worker, { keyward: 'stop', drain });
    }));
    await Promise.all(exits);
  };

  const onExit = (worker: Worker, code: number | null, signal: string | null): void => {
    if (closing || !started) return;
    const now = Date.now();
    deaths.push(now);
    while (deaths.length > 0 && deaths[0]! < now - RESTART_WINDOW_MS) deaths.shift();
    if (deaths.length > MAX_RESTARTS) {
      logger.fatal({ pid: worker.process.pid, code, signal }, `workers stopped ${deaths.length} times within ${RESTART_WINDOW_MS / 1000} s; stopping the server`);
      closing = true;
      void stopAll().then(() => local?.close()).then(() => settleStopped.reject(new Error(`workers kept stopping (${deaths.length} times within ${RESTART_WINDOW_MS / 1000} s); see the log above for why`)));
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'a worker stopped; starting a new one');
    fork().catch((error: unknown) => logger.error({ err: error }, 'a replacement worker did not start'));
  };

  let first: Extract<ToPrimary, { keyward: 'listening' }>;
  let local: ChangeFeed | undefined = undefined; // set once the workers listen (read by onExit)
  try {
    const reports = await Promise.all(Array.from({ length: count }, () => fork()));
    first = reports[0]!;
    started = true;
  } catch (error) {
    closing = true;
    await stopAll();
    throw error;
  }
  // Without Redis, the local CLI's announcements (data directory socket) reach every worker from
  // here, validated by this process's feed first.
  const socket = await listenOnAnnouncementSocket(config, logger);
  if (socket !== undefined) {
    local = createChangeFeed({ transport: socket, logger });
    local.subscribe((event) => {
      relayChangeEvent(workers, undefined, (each) => sendTo(each, { keyward: 'invalidate', event }));
    });
  }

  let closePromise: Promise<void> | undefined;
  return {
    url: first.url,
    issuer: first.issuer,
    size: count,
    signingKey: { kid: first.kid, alg: first.alg },
    stopped,
    close(options = {}) {
      closePromise ??= (async () => {
        closing = true;
        await local?.close();
        await stopAll(options.drain !== false);
        settleStopped.resolve();
      })();
      return closePromise;
    },
  };
}
