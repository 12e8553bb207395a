/**
 * What every registry operation shares: the store, the clock, and the change feed every change is
 * published on (a server node's feed drops its own cached copies at once and tells the other
 * processes; the CLI's collects what to announce when the command ends).
 */
import type { Store } from '../../../store/contract.ts';
import { systemClock, type Clock } from '../../clock.ts';
import type { ChangeFeed } from '../change-feed/change-feed.ts';
import { createChangeFeed } from '../change-feed/create-change-feed.ts';

/** Shared state of the registry operations. */
export interface RegistryContext {
  readonly store: Store;
  /** The clock, in epoch milliseconds (injected so tests can move the time). */
  readonly clock: Clock;
  /** Where every change to a client or its keys is published, after it is stored. */
  readonly changes: ChangeFeed;
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
