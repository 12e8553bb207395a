/**
 * A private redis-server for the tests that kill Redis: its own process on a free loopback port,
 * without persistence (`--save "" --appendonly no`, what a cache deployment runs), so a restart
 * starts empty. The shared Redis on 6379 is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../shared/free-port.ts';
import { Redis } from 'ioredis';

/** Why private Redis servers cannot be started here, or undefined when they can. */
export const redisServerMissing = await new Promise<string | undefined>((resolve) => {
  const probe = spawn('redis-server', ['--version'], { stdio: 'ignore' });
  probe.once('error', () => resolve('redis-server is not installed (apt-get install redis-server)'));
  probe.once('exit', (code) => resolve(code === 0 ? undefined : 'redis-server --version failed'));
});

/** A running private Redis. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** `kill -9`, and waits until the process is gone. */
  kill(): Promise<void>;
  /** Starts a new, empty redis-server on the same port and waits until it answers. */
  restart(): Promise<void>;
}

async function launch(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return child;
    } catch {
      client.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`the private redis-server on port ${port} did not answer`);
}

/** Starts a private redis-server on a free loopback port. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child = await launch(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      child = await launch(port);
    },
  };
}
