/**
 * A Map that holds at most `capacity` entries and forgets the least recently used one when full:
 * the detector's per-client and per-address state, bounded whatever the number of clients or of
 * addresses an attacker makes up. Map keeps insertion order, so "used" means deleted and set again.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  /** The most recently used key: using it again needs no reordering (a steady client's case). */
  #last: K | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new TypeError('BoundedMap capacity must be a positive integer');
  }

  /** The entry for `key` (marked as just used), created by `create` when absent. */
  use(key: K, create: () => V): V {
    const found = this.#entries.get(key);
    if (found !== undefined) {
      if (key !== this.#last) {
        this.#entries.delete(key);
        this.#entries.set(key, found);
        this.#last = key;
      }
      return found;
    }
    const made = create();
    this.#entries.set(key, made);
    this.#last = key;
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as K);
    return made;
  }

  get size(): number {
    return this.#entries.size;
  }
}
