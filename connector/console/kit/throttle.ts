// Sign-in throttling with a growing back-off, per remote address and per account: a few failures are
// free, then each further failure closes the door for twice as long as the one before (up to a cap).
// While closed, sign-in answers 429 with Retry-After and does not even look at the key, so guessing
// costs time whichever address or account the guesses come from. A success clears the account's record
// (not the address's: one valid key must not reset an attacker's address).

export interface ThrottleSettings {
  /** Failures allowed before the first wait (default 5). */
  readonly freeFailures?: number;
  /** The first wait (default 1 s), doubled for each further failure. */
  readonly baseDelayMs?: number;
  /** The longest wait (default 15 min). */
  readonly maxDelayMs?: number;
  /** Records kept at most (oldest dropped first; default 10 000). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Record {
  failures: number;
  blockedUntil: number;
}

export class SignInThrottle {
  readonly #records = new Map<string, Record>();
  readonly #free: number;
  readonly #base: number;
  readonly #max: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(settings: ThrottleSettings = {}) {
    this.#free = settings.freeFailures ?? 5;
    this.#base = settings.baseDelayMs ?? 1000;
    this.#max = settings.maxDelayMs ?? 15 * 60_000;
    this.#maxEntries = settings.maxEntries ?? 10_000;
    this.#now = settings.now ?? Date.now;
  }

  /** Seconds to wait before any of `keys` may try again; 0 when all may try now. */
  retryAfter(keys: readonly string[]): number {
    const now = this.#now();
    let wait = 0;
    for (const key of keys) {
      const record = this.#records.get(key);
      if (record && record.blockedUntil > now) wait = Math.max(wait, record.blockedUntil - now);
    }
    return Math.ceil(wait / 1000);
  }

  failure(keys: readonly string[]): void {
    const now = this.#now();
    for (const key of keys) {
      const record = this.#records.get(key) ?? { failures: 0, blockedUntil: 0 };
      record.failures += 1;
      const over = record.failures - this.#free;
      if (over > 0) record.blockedUntil = now + Math.min(this.#max, this.#base * 2 ** Math.min(over - 1, 30));
      this.#records.delete(key); // re-insert: the map stays ordered by last failure
      this.#records.set(key, record);
    }
    while (this.#records.size > this.#maxEntries) {
      const first = this.#records.keys().next().value;
      if (first === undefined) break;
      this.#records.delete(first);
    }
  }

  success(keys: readonly string[]): void {
    for (const key of keys) this.#records.delete(key);
  }
}
