/**
 * What every registry operation shares: the store, the clock, and the change listeners (a server
 * node subscribes its client cache, so a change made through the admin API takes effect at once).
 */
import type { Store } from '../../../store/contract.ts';

/** Listener called after every change to a client or its keys. */
export type RegistryChangeListener = (clientId: string) => void;

/** Shared state of the registry operations. */
export interface RegistryContext {
  readonly store: Store;
  /** Current time (injected so tests can move the clock). */
  now(): Date;
  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: RegistryChangeListener): () => void;
  /** Tells every listener that `clientId` changed. */
  notifyChange(clientId: string): void;
}

/** Creates a registry context over `store`. `now` defaults to the system clock. */
export function createRegistryContext(store: Store, options: { now?: () => Date } = {}): RegistryContext {
  const listeners = new Set<RegistryChangeListener>();
  return {
    store,
    now: options.now ?? (() => new Date()),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notifyChange(clientId) {
      for (const listener of listeners) {
        try {
          listener(clientId);
        } catch {
          // A failing listener must not undo a change that is already stored.
        }
      }
    },
  };
}
