// A small bounded cache with per-entry expiry and least-recently-used eviction. Used for DID documents, status
// lists and verified claims: every cache in this library has both a size bound and a lifetime bound.
import type { Clock } from '../clock.js';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export interface TtlCacheOptions {
  maxEntries: number;
  clock: Clock;
}

export class TtlCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #maxEntries: number;
  readonly #clock: Clock;

  constructor(options: TtlCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError('TtlCache maxEntries must be a positive integer');
    }
    this.#maxEntries = options.maxEntries;
    this.#clock = options.clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#clock().getTime()) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-insert to mark as most recently used (Map keeps insertion order).
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` until `expiresAt` (ms since epoch). Entries that are already expired are not stored. */
  set(key: K, value: V, expiresAt: number): void {
    this.#entries.delete(key);
    if (expiresAt <= this.#clock().getTime()) return;
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt });
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
