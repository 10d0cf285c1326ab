// Replay protection for ID tokens: each (caller, jti) is remembered until the token expires, behind a
// one-method interface. Processes use the SQLite one (a restart opens no replay window); the in-memory one
// serves tests and libraries without a store. When full either refuses new tokens rather than forgetting
// live ones, which would allow replays.
import type { Migration, Queries } from '../../store/database.js';
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

/** The table behind SqliteReplayCache; add it to the migrations of the database the cache uses. */
export const REPLAY_CACHE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'replay-cache/1',
    sql: `
      CREATE TABLE replay_cache (
        id TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX replay_cache_by_expiry ON replay_cache (expires_at);
    `,
  },
];

export interface SqliteReplayCacheOptions {
  /** Default 100000 live tokens, as in memory. */
  maxEntries?: number;
  clock?: Clock;
}

/**
 * The replay cache in the process's SQLite store: a token seen before a restart is still refused after it.
 * One upsert decides (the writer connection runs statements one at a time, so two concurrent calls with the
 * same id cannot both insert); an expired row is reused. Expired rows are deleted by pruneReplayCache, which
 * the connector's housekeeping runs.
 */
export class SqliteReplayCache implements ReplayCache {
  readonly #db: Queries;
  readonly #maxEntries: number;
  readonly #clock: Clock;
  #live: number | undefined;

  constructor(db: Queries, options: SqliteReplayCacheOptions = {}) {
    this.#db = db;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#clock = options.clock ?? systemClock;
  }

  async remember(id: string, expiresAt: number): Promise<boolean> {
    const now = this.#clock().getTime();
    // Counting every call would cost a scan; count once, then only when the bound may have been reached.
    this.#live ??= await this.#countLive(now);
    if (this.#live >= this.#maxEntries) {
      this.#live = await this.#countLive(now);
      if (this.#live >= this.#maxEntries) {
        throw new TokenError(
          'ERR_REPLAY_CACHE_FULL',
          `The replay cache holds ${this.#maxEntries} live tokens; refusing new tokens until some expire (raise ` +
            'maxEntries or shorten the accepted token lifetime).',
        );
      }
    }
    const { changes } = await this.#db.run(
      `INSERT INTO replay_cache (id, expires_at) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE replay_cache.expires_at <= ?`,
      [id, Math.ceil(expiresAt), now],
    );
    if (changes === 0) return false;
    this.#live += 1;
    return true;
  }

  async #countLive(now: number): Promise<number> {
    const row = await this.#db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM replay_cache WHERE expires_at > ?',
      [now],
    );
    return row?.n ?? 0;
  }
}

/** Deletes remembered tokens that expired before `now`; returns how many went. */
export async function pruneReplayCache(db: Queries, now: Date): Promise<number> {
  const { changes } = await db.run('DELETE FROM replay_cache WHERE expires_at <= ?', [now.getTime()]);
  return changes;
}
