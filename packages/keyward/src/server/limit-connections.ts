/**
 * The cap on connections one server process holds open (`server.maxConnections`): a connection
 * beyond it is closed as soon as it is accepted, so an idle-connection flood cannot take every
 * file descriptor of the process (which would stop it accepting the clients that matter).
 *
 * Why not node's own `server.maxConnections`: in a worker of `serve --workers N` (node:cluster,
 * round-robin), a worker at the cap answers the main process "not accepted", and the main process
 * hands the same connection to another worker, and back, for as long as every worker is full:
 * measured with 2 workers capped at 50 and 300 idle sockets, the 200 extra connections stayed open
 * until the request timeout and the main process spent 3.2 s of CPU in 6 s passing them around.
 * Closing the socket here, after the worker took it, ends it at once in both modes.
 *
 * Does NOT limit connection rate or per-source connections (a proxy in front does that).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Closes every connection of `server` beyond `max` open at once, as soon as it is accepted. */
export function limitConnections(server: Server, max: number): void {
  if (!Number.isInteger(max) || max < 1) throw new TypeError(`max is a whole number of at least 1, not ${max}`);
  let open = 0;
  server.on('connection', (socket: Socket) => {
    if (open >= max) {
      socket.destroy();
      return;
    }
    open += 1;
    socket.once('close', () => { open -= 1; });
  });
}
