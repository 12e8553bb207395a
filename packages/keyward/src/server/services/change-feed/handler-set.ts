/**
 * A set of callbacks called one after another, where one that throws does not stop the others: the
 * subscribers of a feed, the receivers of a transport.
 */

/** The callbacks. */
export interface HandlerSet<T> {
  /** Adds `handler`; returns the function that removes it. */
  add(handler: (value: T) => void): () => void;
  /** Calls every handler with `value`; `onError` receives what one of them threw. */
  call(value: T, onError?: (error: unknown) => void): void;
  clear(): void;
}

/** Creates an empty set. */
export function createHandlerSet<T>(): HandlerSet<T> {
  const handlers = new Set<(value: T) => void>();
  return {
    add(handler) {
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
      };
    },
    call(value, onError) {
      for (const handler of handlers) {
        try {
          handler(value);
        } catch (error) {
          onError?.(error);
        }
      }
    },
    clear() {
      handlers.clear();
    },
  };
}
