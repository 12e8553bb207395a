// Silent connections under many connections, over real sockets:
// - thousands of idle sockets (half send nothing, half only `GET /hea`) opened in one burst are
//   every one closed within server.requestTimeout plus a margin, and the server answers a normal
//   request meanwhile (the burst used to overflow node's default listen backlog of 511: the kernel
//   kept the overflow as connections the server never accepted, so no timeout could close them);
// - connections beyond server.maxConnections are closed at once, in one process and in the
//   worker processes of `serve --workers 2`.
// Bounded: a short requestTimeout, every wait has a deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { resolveConfig } from '../../packages/keyward/src/config/resolve-config.ts';
import { startWorkerPool } from '../../packages/keyward/src/server/workers/start-worker-pool.ts';
import { makeDataDir, startTestServer } from './helpers.ts';

/** A number read from a Linux /proc file, or undefined elsewhere. */
function procNumber(path: string, pattern: RegExp): number | undefined {
  try {
    const match = pattern.exec(readFileSync(path, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How many idle sockets this machine lets the test open: 3,000, or fewer when the open-file limit
 * (client and server share this process: two descriptors a connection) or the kernel's cap on the
 * listen queue (net.core.somaxconn) is lower.
 */
function idleSocketCount(): number {
  const files = procNumber('/proc/self/limits', /^Max open files\s+(\d+)/m) ?? 4096;
  const somaxconn = procNumber('/proc/sys/net/core/somaxconn', /(\d+)/) ?? 4096;
  return Math.max(100, Math.min(3000, Math.floor((files - 400) / 2), somaxconn - 100));
}

/** An idle client socket and what happened to it. */
interface Idle {
  readonly socket: Socket;
  connected: boolean;
  closedAt?: number;
  answer: string;
}

/** Opens `count` sockets at once; every second one sends `GET /hea` and stops. */
function openIdle(port: number, count: number): Idle[] {
  return Array.from({ length: count }, (_, i) => {
    const socket = connect(port, '127.0.0.1');
    const idle: Idle = { socket, connected: false, answer: '' };
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      idle.connected = true;
      if (i % 2 === 1) socket.write('GET /hea');
    });
    socket.on('data', (data) => { idle.answer += data.toString('latin1'); });
    socket.on('close', () => { idle.closedAt = Date.now(); });
    return idle;
  });
}

/** Resolves once `check` holds, or after `ms` (polling every 50 ms). */
async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((go) => setTimeout(go, 50));
}

test('thousands of silent connections opened in one burst are all closed within requestTimeout + 4 s, and a normal request is answered meanwhile', { timeout: 40_000 }, async () => {
  const count = idleSocketCount();
  const server = await startTestServer({ overrides: { server: { requestTimeout: 2 } } });
  const sockets: Idle[] = [];
  try {
    sockets.push(...openIdle(Number(new URL(server.url).port), count));
    await until(() => sockets.every((s) => s.connected || s.closedAt !== undefined), 10_000);
    const connectedAt = Date.now();
    assert.ok(sockets.every((s) => s.connected), 'every socket connected');
    // The server still serves while they hang.
    const started = Date.now();
    const jwks = await fetch(`${server.url}/jwks`, { signal: AbortSignal.timeout(5000) });
    assert.equal(jwks.status, 200);
    await jwks.arrayBuffer();
    assert.ok(Date.now() - started < 2000, `a normal request took ${Date.now() - started} ms`);
    // Every silent connection is closed: requestTimeout (2 s) + connectionsCheckingInterval (1 s) + margin.
    await until(() => sockets.every((s) => s.closedAt !== undefined), 2000 + 1000 + 4000);
    const open = sockets.filter((s) => s.closedAt === undefined).length;
    assert.equal(open, 0, `${open} of ${count} silent connections still open ${Date.now() - connectedAt} ms after the last connected`);
    assert.ok(sockets.filter((s) => s.answer.startsWith('HTTP/1.1 408')).length > count * 0.9, 'answered 408 Request Timeout');
  } finally {
    for (const s of sockets) s.socket.destroy();
    await server.stop();
  }
});

test('connections beyond server.maxConnections are closed at once; below the cap the server serves', { timeout: 30_000 }, async () => {
  const server = await startTestServer({ overrides: { server: { requestTimeout: 5, maxConnections: 200 } } });
  const port = Number(new URL(server.url).port);
  const held: Idle[] = [];
  const extra: Idle[] = [];
  try {
    held.push(...openIdle(port, 200));
    await until(() => held.every((s) => s.connected), 5000);
    await new Promise((go) => setTimeout(go, 300)); // accepted by the server
    const opened = Date.now();
    extra.push(...openIdle(port, 100));
    await until(() => extra.every((s) => s.closedAt !== undefined), 1500);
    assert.equal(extra.filter((s) => s.closedAt === undefined).length, 0, 'every connection beyond the cap was closed');
    assert.ok(extra.every((s) => s.closedAt! - opened < 1500 && !s.answer.startsWith('HTTP/1.1 408')), 'closed at once, not by the request timeout');
    assert.equal(held.filter((s) => s.closedAt !== undefined).length, 0, 'the connections within the cap are kept');
    // Below the cap again, a normal request is served.
    for (const s of held) s.socket.destroy();
    await new Promise((go) => setTimeout(go, 200));
    const jwks = await fetch(`${server.url}/jwks`, { signal: AbortSignal.timeout(5000) });
    assert.equal(jwks.status, 200);
  } finally {
    for (const s of [...held, ...extra]) s.socket.destroy();
    await server.stop();
  }
});

test('serve --workers 2: each worker process applies server.maxConnections, closing the extra connections at once', { timeout: 60_000 }, async () => {
  const data = makeDataDir();
  const config = resolveConfig({ overrides: { server: { port: 0, requestTimeout: 5, maxConnections: 50, workers: 2 }, storage: { dataDir: data.dir }, log: { level: 'silent' } } });
  const pool = await startWorkerPool(config, { count: 2, logger: pino({ level: 'silent' }) });
  const sockets: Idle[] = [];
  try {
    const opened = Date.now();
    sockets.push(...openIdle(Number(new URL(pool.url).port), 200));
    // 2 workers x 50: at least 100 of the 200 are closed at once, long before the 5 s timeout.
    await until(() => sockets.filter((s) => s.closedAt !== undefined).length >= 100, 2000);
    const closedEarly = sockets.filter((s) => s.closedAt !== undefined && s.closedAt - opened < 2000).length;
    assert.ok(closedEarly >= 100, `${closedEarly} of 200 closed within 2 s`);
    assert.ok(sockets.filter((s) => s.closedAt !== undefined).every((s) => !s.answer.startsWith('HTTP/1.1 408')), 'closed by the cap, not by the timeout');
  } finally {
    for (const s of sockets) s.socket.destroy();
    await pool.close();
    data.remove();
  }
});
