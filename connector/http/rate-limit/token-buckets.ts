// Token buckets per key (a caller's DID, a remote address): each key may spend `burst` requests at once and
// gets `perSecond` back every second. Kept in memory, in an LRU-bounded cache: a bucket is forgotten once it
// would be full again (a fresh one is the same), and beyond `maxKeys` the least recently used go first, so a
// flood of new DIDs or addresses cannot grow memory (it can only hand the evicted keys a full bucket).
// Each process has its own buckets: replicas behind one address each allow the full rate (docs/operations.md).
import { systemClock, type Clock } from '../../identity/clock.js';
import { TtlCache } from '../../identity/util/ttl-cache.js';

export interface BucketSettings {
  /** Sustained requests per second; 0 turns the limit off. */
  readonly perSecond: number;
  /** Requests allowed at once after a quiet period (at least 1). */
  readonly burst: number;
}

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

interface Bucket {
  readonly tokens: number;
  readonly at: number;
}

export class TokenBuckets {
  readonly #settings: BucketSettings;
  readonly #clock: Clock;
  readonly #buckets: TtlCache<string, Bucket>;

  constructor(settings: BucketSettings, options: { maxKeys: number; clock?: Clock }) {
    this.#settings = settings;
    this.#clock = options.clock ?? systemClock;
    this.#buckets = new TtlCache({ maxEntries: options.maxKeys, clock: this.#clock });
  }

  /** Buckets currently remembered (at most maxKeys). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Spends `cost` tokens of `key`'s bucket, or says in how many whole seconds there will be enough. */
  take(key: string, cost = 1): TakeResult {
    const { perSecond, burst } = this.#settings;
    if (perSecond <= 0) return { ok: true };
    const now = this.#clock().getTime();
    const bucket = this.#buckets.get(key);
    const refilled =
      bucket === undefined ? burst : Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    const ok = refilled >= cost;
    const tokens = ok ? refilled - cost : refilled;
    // Forgotten when it would be full again: until then it must be remembered.
    this.#buckets.set(key, { tokens, at: now }, now + Math.ceil(((burst - tokens) / perSecond) * 1000));
    if (ok) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - tokens) / perSecond)) };
  }
}
