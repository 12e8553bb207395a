/**
 * What every registry operation shares: the store, the clock, and the change feed every change is
 * published on (a server node's feed drops its own cached copies at once and tells the other
 * processes; the CLI's collects what to announce when the command ends).
 */
import type { Store } from '../../../store/contract.ts';
import { systemClock, type Clock } from '../../clock.ts';
import type { ChangeFeed } from '../change-feed/change-feed.ts';
import { createChangeFeed } from '../change-feed/create-change-feed.ts';

/** Where a change came from: the request it was made in (absent outside a request: the CLI, maintenance). */
export interface RequestFacts {
  /** The request's X-Request-Id (or the id the server gave it). */
  readonly requestId?: string;
  readonly sourceAddress?: string;
}

/** Shared state of the registry operations. */
export interface RegistryContext {
  readonly store: Store;
  /** The clock, in epoch milliseconds (injected so tests can move the time). */
  readonly clock: Clock;
  /** Where every change to a client or its keys is published, after it is stored. */
  readonly changes: ChangeFeed;
  /** The request the operations run for: its id and source address go on every audit event they write. */
  readonly request?: RequestFacts;
}

/**
 * Creates a registry context over `store`. `clock` defaults to the system clock, `changes` to a
 * feed that reaches this process only.
 */
export function createRegistryContext(store: Store, options: { clock?: Clock; changes?: ChangeFeed } = {}): RegistryContext {
  return {
    store,
    clock: options.clock ?? systemClock,
    changes: options.changes ?? createChangeFeed(),
  };
}

/** `ctx` for the operations of one request: their audit events carry its id and source address. */
export function withRequest(ctx: RegistryContext, request: RequestFacts): RegistryContext {
  return { ...ctx, request };
}
