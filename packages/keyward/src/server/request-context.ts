/**
 * The request a piece of server code runs for, without passing it down every call: the request id
 * of `X-Request-Id` (middleware/request-id.ts), read by the logger (every line of a request carries
 * `request_id`) and by the audit writers (every audit event of a request carries it). Node's
 * AsyncLocalStorage keeps it across awaits; outside a request (start-up, maintenance, the CLI)
 * there is none.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What is known of the request being served. */
export interface RequestScope {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` as part of the request `scope`. */
export function runInRequest<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The id of the request being served, or undefined outside one. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
