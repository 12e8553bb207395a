/**
 * How the main process of `keyward serve --workers N` passes on a change event: to every worker but
 * the one it came from, whose change feed delivered it already (a transport never hands a process
 * back its own events: each cache sees each change once). An event of the local CLI (the data
 * directory's socket) comes from no worker and goes to all.
 */

/** Calls `send` for every worker in `workers` except `sender`. */
export function relayChangeEvent<W>(workers: Iterable<W>, sender: W | undefined, send: (worker: W) => void): void {
  for (const worker of workers) {
    if (worker !== sender) send(worker);
  }
}
