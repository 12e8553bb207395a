/**
 * A small bounded map with approximate LRU eviction, used by every cache of the verifier so memory
 * stays bounded whatever clients, kids or tokens an attacker sends.
 */

/**
 * Two generations ("young" and "old", each at most half the bound): new and recently read entries
 * live in the young one; when it is full it becomes the old one and the previous old generation is
 * dropped. A read is one or two Map lookups and never reorders anything (cheap on the hot path); an
 * entry read at least once per half-bound insertions is never evicted. At most `maxEntries` entries
 * are held.
 */
export class BoundedCache<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #half: number;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('maxEntries must be a positive integer');
    this.#half = Math.max(1, Math.floor(maxEntries / 2));
  }

  /** Entries held now (at most maxEntries). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** Reads an entry; an entry of the old generation moves to the young one. */
  get(key: K): V | undefined {
    const value = this.#young.get(key);
    if (value !== undefined) return value;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#insert(key, old);
    }
    return old;
  }

  /** Reads without moving the entry. */
  peek(key: K): V | undefined {
    return this.#young.get(key) ?? this.#old.get(key);
  }

  set(key: K, value: V): void {
    this.#old.delete(key);
    if (this.#young.has(key)) this.#young.set(key, value);
    else this.#insert(key, value);
  }

  delete(key: K): void {
    this.#young.delete(key);
    this.#old.delete(key);
  }

  clear(): void {
    this.#young.clear();
    this.#old.clear();
  }

  #insert(key: K, value: V): void {
    if (this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
