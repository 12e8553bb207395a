/**
 * What every registry operation shares: the store, the clock, and the change feed every change is
 * published on (a server node's feed drops its own cached copies at once and tells the other
 * processes; the CLI's collects what to announce when the command ends).
 */
import type { Store } from '../../../store/contract.ts';
import type { ChangeFeed } from '../change-feed/change-feed.ts';
import { createChangeFeed } from '../change-feed/create-change-feed.ts';

/** Shared state of the registry operations. */
export interface RegistryContext {
  readonly store: Store;
  /** Current time (injected so tests can move the clock). */
  now(): Date;
  /** Where every change to a client or its keys is published, after it is stored. */
  readonly changes: ChangeFeed;
}

/**
 * Creates a registry context over `store`. `now` defaults to the system clock, `changes` to a feed
 * that reaches this process only.
 */
export function createRegistryContext(store: Store, options: { now?: () => Date; changes?: ChangeFeed } = {}): RegistryContext {
  return {
    store,
    now: options.now ?? (() => new Date()),
    changes: options.changes ?? createChangeFeed(),
  };
}
