// Per-caller cache of verified claims, so a caller's repeated requests skip the Credential Service query and
// credential verification (issuer DID resolution, signatures, status lists). An entry holds the claims of one
// query and the scopes it asked for; a lookup is served by any entry whose scopes include the ones needed
// (claims from a wider query answer a narrower question). An entry lives no longer than maxTtlMs and the
// earliest credential expiry. The ID token is still checked on every request.
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
  readonly scopes: ReadonlySet<string>;
  readonly claims: Readonly<VerifiedClaims>;
  readonly expiresAt: number;
}

export class ClaimsCache {
  readonly maxTtlMs: number;
  readonly #cache: TtlCache<string, readonly Entry[]>;
  readonly #clock: Clock;

  constructor(options: ClaimsCacheOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.maxTtlMs = options.maxTtlMs ?? 5 * 60_000;
    this.#cache = new TtlCache({ maxEntries: options.maxEntries ?? 10_000, clock: this.#clock });
  }

  /** Claims of `caller` from a query that asked for at least `scopes`. */
  lookup(caller: string, scopes: readonly string[]): Readonly<VerifiedClaims> | undefined {
    const entries = this.#cache.get(caller);
    if (entries === undefined) return undefined;
    const now = this.#clock().getTime();
    for (const entry of entries) {
      if (entry.expiresAt > now && scopes.every((scope) => entry.scopes.has(scope))) return entry.claims;
    }
    return undefined;
  }

  /**
   * Stores the claims of a query for `scopes` until now + maxTtlMs, or `notAfter` if that is earlier.
   * Entries of the caller for fewer scopes are dropped: the new one answers them too.
   */
  store(caller: string, scopes: readonly string[], claims: Readonly<VerifiedClaims>, notAfter?: Date): void {
    const now = this.#clock().getTime();
    let expiresAt = now + this.maxTtlMs;
    if (notAfter) expiresAt = Math.min(expiresAt, notAfter.getTime());
    const asked = new Set(scopes);
    const kept = (this.#cache.get(caller) ?? []).filter(
      (entry) => entry.expiresAt > now && ![...entry.scopes].every((scope) => asked.has(scope)),
    );
    const entries = [...kept, { scopes: asked, claims, expiresAt }];
    this.#cache.set(caller, entries, Math.max(...entries.map((entry) => entry.expiresAt)));
  }

  /** Forgets the caller's claims (its standing changed): its next request is verified afresh. */
  evict(caller: string): void {
    this.#cache.delete(caller);
  }

  clear(): void {
    this.#cache.clear();
  }
}
