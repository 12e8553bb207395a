/**
 * The program each worker process of `keyward serve --workers N` runs (node:cluster sets it as
 * the worker's main module). It waits for the `start` message with the resolved configuration,
 * starts a server node on the shared port, and reports `listening` or `failed`. It stops
 * gracefully (closing the port, writing queued audit events, closing the store) on `stop`, on
 * SIGINT/SIGTERM, or when the main process goes away.
 */
import { startServer, type RunningServer } from '../main.ts';
import { isKeywardMessage, type ToWorker } from './messages.ts';
import { createWorkerLink, sendToPrimary as send } from './worker-link.ts';

let running: RunningServer | undefined;
let stopping = false;

async function stop(code: number, drain = false): Promise<never> {
  if (!stopping) {
    stopping = true;
    try {
      await running?.close({ drain });
    } catch (error) {
      process.stderr.write(`keyward worker ${process.pid}: error while stopping: ${(error as Error).message}\n`);
      code = 1;
    }
  }
  process.exit(code);
}

process.on('message', (message: unknown) => {
  if (!isKeywardMessage<ToWorker>(message)) return;
  if (message.keyward === 'start' && running === undefined && !stopping) {
    startServer(message.config, { workerLink: createWorkerLink() }).then((server) => {
      running = server;
      const active = server.context.signingKeys.active();
      send({ keyward: 'listening', url: server.url, issuer: server.issuer, kid: active.kid, alg: active.alg });
    }, (error: unknown) => {
      send({ keyward: 'failed', message: (error as Error).message });
      void stop(1);
    });
  } else if (message.keyward === 'stop') {
    void stop(0, message.drain === true);
  }
});
send({ keyward: 'ready' });
// Ctrl-C reaches every process of the group: each worker stops on its own, cleanly.
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0, true));
// The main process died (kill -9): do not serve on alone.
process.once('disconnect', () => void stop(0));
