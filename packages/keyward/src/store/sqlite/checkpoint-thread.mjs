// Worker thread of the SQLite store (start-checkpointer.ts): copies the write-ahead log back into
// the database file every `intervalMs` on a connection of its own, so that the page copies and the
// fsync of a checkpoint never block the event loop that serves requests. Plain JavaScript so the
// thread needs no TypeScript loader. PASSIVE: never waits for readers or writers.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma('wal_autocheckpoint = 0');

const checkpoint = (mode) => {
  try {
    const [row] = db.pragma(`wal_checkpoint(${mode})`);
    return row;
  } catch {
    return undefined; // busy or closing: the next pass does it
  }
};

const timer = setInterval(() => checkpoint('PASSIVE'), intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    parentPort.postMessage({ checkpointed: checkpoint('PASSIVE') ?? null });
  } else if (message === 'close') {
    clearInterval(timer);
    checkpoint('PASSIVE');
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ ready: true });
