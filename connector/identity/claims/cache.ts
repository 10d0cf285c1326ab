// Per-caller cache of verified claims, so a caller's repeated requests skip credential verification (issuer
// DID resolution, signatures, status lists). An entry is keyed by the digest of the exact credentials it was
// computed from and lives no longer than maxTtlMs and the earliest credential expiry. Token signature, replay
// and presentation binding are still checked on every request; only credential checks are skipped.
import { systemClock, type Clock } from '../clock.js';
import { TtlCache } from '../util/ttl-cache.js';
import type { VerifiedClaims } from './types.js';

export interface ClaimsCacheOptions {
  /** Default 10000 callers. */
  maxEntries?: number;
  /**
   * Default 5 minutes: the longest a revocation can go unnoticed for a caller with cached claims when no
   * pushed status event evicts it first (see status-list/events.ts).
   */
  maxTtlMs?: number;
  clock?: Clock;
}

interface Entry {
  readonly digest: string;
  readonly claims: Readonly<VerifiedClaims>;
}

export class ClaimsCache {
  readonly maxTtlMs: number;
  readonly #cache: TtlCache<string, Entry>;
  readonly #clock: Clock;

  constructor(options: ClaimsCacheOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.maxTtlMs = options.maxTtlMs ?? 5 * 60_000;
    this.#cache = new TtlCache({ maxEntries: options.maxEntries ?? 10_000, clock: this.#clock });
  }

  lookup(caller: string, digest: string): Readonly<VerifiedClaims> | undefined {
    const entry = this.#cache.get(caller);
    return entry && entry.digest === digest ? entry.claims : undefined;
  }

  /** Stores claims until now + maxTtlMs, or `notAfter` if that is earlier. */
  store(caller: string, digest: string, claims: Readonly<VerifiedClaims>, notAfter?: Date): void {
    let expiresAt = this.#clock().getTime() + this.maxTtlMs;
    if (notAfter) expiresAt = Math.min(expiresAt, notAfter.getTime());
    this.#cache.set(caller, { digest, claims }, expiresAt);
  }

  /** Forgets the caller's claims (its standing changed): its next request is verified afresh. */
  evict(caller: string): void {
    this.#cache.delete(caller);
  }

  clear(): void {
    this.#cache.clear();
  }
}
