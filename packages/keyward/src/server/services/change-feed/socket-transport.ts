/**
 * The change feed between the local CLI and a server running on the same data directory without
 * Redis: a Unix socket, `keyward.sock` in the data directory (mode 0600 inside the 0700 directory:
 * only the user who can already write the SQLite file can use it). The CLI tells the server what it
 * changed in the store, so that the server drops its cached client at once, or re-reads its signing
 * keys, instead of after `clients.cacheTtl` or `tokens.signingKeyRefresh`.
 *
 * Messages are change events (change-event.ts), one JSON object per line. They carry identifiers
 * only and can do nothing but drop cache entries, so a bad or flooding peer can at worst cause extra
 * store reads: the feed drops lines that are not well-formed events (with a warning), and a
 * connection is cut after 64 KiB or 5 s.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { KeywardConfig } from '../../../config/defaults.ts';
import type { ChangeEvent } from './change-event.ts';
import { decodeChangeMessage } from './change-event.ts';
import type { ChangeTransport } from './change-feed.ts';
import { createHandlerSet } from './handler-set.ts';

const SOCKET_NAME = 'keyward.sock';
/** Unix socket paths are limited to about 107 bytes (sun_path); longer data directories go without. */
const MAX_SOCKET_PATH = 100;
const MAX_BYTES_PER_CONNECTION = 64 * 1024;
const CONNECTION_TIMEOUT_MS = 5000;
const SEND_TIMEOUT_MS = 1000;

/**
 * The socket path of `config`, or undefined when there is none: with `storage.redisUrl` (the Redis
 * channel carries the announcements), with PostgreSQL (its nodes and CLI need not share a directory:
 * they use Redis), with the `:memory:` store (no other process can share it), on Windows, or when
 * the data directory's path is too long for a Unix socket.
 */
export function localAnnouncementPath(config: KeywardConfig): string | undefined {
  const { redisUrl, databaseUrl, dataDir } = config.storage;
  if (redisUrl || databaseUrl || dataDir === ':memory:' || process.platform === 'win32') return undefined;
  const path = join(resolve(dataDir), SOCKET_NAME);
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH ? path : undefined;
}

/** True when a server answers on `path` (false: nothing there, or a file left by a stopped server). */
function isAnswering(path: string): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(path);
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
  });
}

/**
 * Listens on the socket of `config` and hands each line received to the returned transport's
 * receivers (a server's change feed, or the main process of `serve --workers N`, which relays the
 * events to its workers). Returns undefined, after a warning, when there is no socket path or
 * another live server already listens on it (two servers on one data directory: the first one hears
 * the CLI). A socket file left by a stopped server is replaced. `send` does nothing: no other
 * process listens to a lone server (the CLI writes with {@link sendLocalAnnouncements}).
 */
export async function listenOnAnnouncementSocket(config: KeywardConfig, logger: Logger): Promise<ChangeTransport | undefined> {
  const path = localAnnouncementPath(config);
  if (path === undefined) return undefined;
  if (existsSync(path)) {
    if (await isAnswering(path)) {
      logger.warn({ path }, 'another server listens for CLI announcements on this data directory; this one sees CLI changes within clients.cacheTtl');
      return undefined;
    }
    unlinkSync(path);
  }
  const receivers = createHandlerSet<unknown>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    socket.setTimeout(CONNECTION_TIMEOUT_MS, () => socket.destroy());
    let buffered = '';
    let received = 0;
    socket.on('data', (chunk: string) => {
      received += Buffer.byteLength(chunk);
      if (received > MAX_BYTES_PER_CONNECTION) { socket.destroy(); return; }
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        receivers.call(decodeChangeMessage(line));
        newline = buffered.indexOf('\n');
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      // The socket is bound inside listen(): a umask of 0177 creates it 0600 from the start (the
      // chmod below covers a platform that ignores the umask for sockets).
      const previousUmask = process.umask(0o177);
      try {
        server.listen(path, () => { server.off('error', fail); done(); });
      } finally {
        process.umask(previousUmask);
      }
    });
    chmodSync(path, 0o600);
  } catch (error) {
    server.close();
    logger.warn({ err: error, path }, 'cannot listen for CLI announcements; CLI changes show up within clients.cacheTtl');
    return undefined;
  }
  server.on('error', (error) => logger.warn({ err: error }, 'CLI announcement socket error'));
  server.unref();
  return {
    name: 'socket',
    async send() {
      // Receive-only: the nodes of one issuer talk over Redis, the workers of one server over IPC.
    },
    receive(handler) {
      return receivers.add(handler);
    },
    async close() {
      receivers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
      // server.close() removes the socket file; make sure, without touching a successor's file.
      if (existsSync(path) && !(await isAnswering(path))) {
        try { unlinkSync(path); } catch { /* already gone */ }
      }
    },
  };
}

/**
 * Sends `events` to the server listening on the socket of `config`. Resolves true when they were
 * written, false when no server listens there (nothing to tell: a server that starts later reads
 * the store). Rejects only on an unexpected error (a full disk, a permission problem...), after at
 * most about a second.
 */
export function sendLocalAnnouncements(config: KeywardConfig, events: readonly ChangeEvent[]): Promise<boolean> {
  const path = localAnnouncementPath(config);
  if (path === undefined || events.length === 0 || !existsSync(path)) return Promise.resolve(false);
  return new Promise((done, fail) => {
    const socket = connect(path);
    const timer = setTimeout(() => { socket.destroy(); fail(new Error(`the server on ${path} did not take the announcement within ${SEND_TIMEOUT_MS} ms`)); }, SEND_TIMEOUT_MS);
    socket.once('connect', () => {
      socket.end(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    });
    socket.once('close', () => { clearTimeout(timer); done(true); });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') done(false);
      else fail(error);
    });
  });
}
