// Replay protection for ID tokens: each (caller, jti) is remembered until the token expires. In memory for
// now, behind a one-method interface so a shared store (database, Redis) can replace it for clustered
// connectors. When full it refuses new tokens rather than forgetting live ones, which would allow replays.
import { systemClock, type Clock } from '../clock.js';
import { TokenError } from '../errors.js';

export interface ReplayCache {
  /**
   * Records `id` until `expiresAt` (ms since epoch). Resolves true if it was new, false if it is already
   * recorded and not yet expired (a replay). Must be atomic for concurrent calls with the same id.
   */
  remember(id: string, expiresAt: number): Promise<boolean>;
}

export interface InMemoryReplayCacheOptions {
  /** Default 100000 live tokens. */
  maxEntries?: number;
  clock?: Clock;
}

export class InMemoryReplayCache implements ReplayCache {
  readonly #seen = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #clock: Clock;
  #insertsSinceSweep = 0;

  constructor(options: InMemoryReplayCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.#seen.size;
  }

  async remember(id: string, expiresAt: number): Promise<boolean> {
    const now = this.#clock().getTime();
    const previous = this.#seen.get(id);
    if (previous !== undefined && previous > now) return false;
    if (this.#seen.size >= this.#maxEntries || this.#insertsSinceSweep >= 1024) this.#sweep(now);
    if (this.#seen.size >= this.#maxEntries) {
      throw new TokenError(
        'ERR_REPLAY_CACHE_FULL',
        `The replay cache holds ${this.#maxEntries} live tokens; refusing new tokens until some expire (raise ` +
          'maxEntries or shorten the accepted token lifetime).',
      );
    }
    this.#seen.set(id, expiresAt);
    this.#insertsSinceSweep += 1;
    return true;
  }

  #sweep(now: number): void {
    for (const [id, expiresAt] of this.#seen) if (expiresAt <= now) this.#seen.delete(id);
    this.#insertsSinceSweep = 0;
  }
}
