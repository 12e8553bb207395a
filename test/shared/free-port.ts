/**
 * A free TCP port on the loopback interface, for tests that start a process which must be told its
 * port up front (a private redis-server, a packed `keyward serve`). The port is free when this
 * resolves; another process could take it before the caller binds it, which on a test machine is
 * rare enough to accept.
 */
import { createServer } from 'node:net';

/** Resolves to a port that 127.0.0.1 had free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
