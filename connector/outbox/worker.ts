// Delivers outbox entries: in order within an aggregate (one in flight per aggregate, the next waits for it,
// even through retries), aggregates in parallel up to `concurrency`. Before each attempt `superseded` may
// cancel an entry that a later state change made moot. Failures retry with exponential back-off (at least
// as long as a peer's Retry-After) until `giveUpAfterMs` after the entry was queued, or `maxAttempts`;
// then, or at once on PermanentDeliveryError, the entry is marked failed and `onGiveUp` runs
// (the caller terminates the negotiation there). A failed entry no longer holds up its aggregate's later
// entries; a hook that finds them pointless cancels them (cancelPending) in the same breath.
//
// Delivery is at least once: an attempt is recorded before it starts and success after it ends, so a crash
// in between makes the next worker on the same file send that message again. Peers must tolerate a
// duplicate (the inbox does that for us). Everything else is exactly once: a delivered entry is never sent
// again.
//
// Replicas: several workers (one per connector process) may share the database. Each attempt first claims
// its entry with a lease (`replicaId`, `leaseMs`) in the same UPDATE that counts the attempt, renewed every
// `renewMs` while the attempt runs; the others skip an entry under a live lease, and take it over once a
// lease runs out (its holder was killed). Within one process "in flight" stays in memory.

import { errorReporter, inRequest, rootLogger } from '../logging/index.js';
import type { Clock } from '../identity/clock.js';
import type { Store } from '../store/database.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { OutboxError, PermanentDeliveryError, RetryLaterError, toError } from './errors.js';
import {
  cancelEntry,
  countPending,
  renewLease,
  giveUpHandled,
  giveUpsNotHandled,
  markDelivered,
  markFailed,
  pendingHeads,
  scheduleRetry,
  startAttempt,
  type OutboxEntry,
  type QueuedEntry,
} from './store.js';

/** How long a message is retried by default before the worker gives up on it. */
export const DEFAULT_GIVE_UP_AFTER_MS = 10 * 60_000;

export interface DeliveryContext {
  /** Aborts when the attempt times out; pass it to fetch. */
  readonly signal: AbortSignal;
}

/**
 * Sends one entry. Resolving means delivered; throwing means retry, unless it is a PermanentDeliveryError.
 * Honour `signal`: after a timeout the worker moves on, and a send still running would overlap the retry.
 */
export type Deliver = (entry: OutboxEntry, context: DeliveryContext) => Promise<void>;

/**
 * Why `entry` is no longer worth sending (a later state change overtook it), or undefined to send it.
 * Asked before every attempt; a reason cancels the entry instead.
 */
export type SupersededCheck = (entry: OutboxEntry) => Promise<string | undefined>;

/** Runs once per given-up entry, perhaps again after a crash: make it idempotent. */
export type GiveUpHook = (entry: OutboxEntry, error: Error) => Promise<void> | void;

export interface OutboxWorkerOptions {
  readonly deliver: Deliver;
  readonly superseded?: SupersededCheck;
  readonly onGiveUp?: GiveUpHook;
  /** Unexpected failures (a database error, a throwing hook); default the process's logger. */
  readonly onError?: (error: unknown) => void;
  /** Aggregates delivered in parallel; default 4. */
  readonly concurrency?: number;
  /** Attempts per entry before giving up; default unbounded (giveUpAfterMs bounds the retries). */
  readonly maxAttempts?: number;
  /** How long after it was queued an entry is retried before giving up; default 10 minutes. */
  readonly giveUpAfterMs?: number;
  /** First retry wait; default 1 s. */
  readonly baseDelayMs?: number;
  /** Longest retry wait; default 5 min. */
  readonly maxDelayMs?: number;
  /** Share of each wait taken off at random, 0..1; default 0.5. */
  readonly jitter?: number;
  /** How often to look for entries enqueued without wake(); default 5 s. */
  readonly pollIntervalMs?: number;
  /** An attempt that takes longer fails (and is retried); default 30 s. */
  readonly deliveryTimeoutMs?: number;
  readonly random?: () => number;
  readonly now?: Clock;
  /**
   * This worker's id in its entries' leases. Replicas sharing a database need distinct ones; the default
   * suits one process per database, which after a restart takes its own leases back at once.
   */
  readonly replicaId?: string;
  /** How long a claimed entry stays ours without renewal; default 3 s (a killed replica's work waits this long). */
  readonly leaseMs?: number;
  /** How often a running attempt renews its lease; default a third of leaseMs. */
  readonly renewMs?: number;
  /**
   * Tables (`id`, `version`) holding the records entries belong to. An entry queued with the record's
   * version (OutboxMessage.aggregateVersion) whose record still has that version is sent without asking
   * `superseded`: nothing moved the process since (startAttempt reads the version in its claim).
   */
  readonly versionedBy?: readonly string[];
}

/** The replica id of a worker that is alone on its database. */
export const SOLE_REPLICA_ID = 'sole';
export const DEFAULT_LEASE_MS = 3000;

export class OutboxWorker {
  private readonly deliver: Deliver;
  private readonly superseded: SupersededCheck;
  private readonly onGiveUp: GiveUpHook;
  private readonly onError: (error: unknown) => void;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly giveUpAfterMs: number;
  private readonly backoff: BackoffOptions;
  private readonly pollIntervalMs: number;
  private readonly deliveryTimeoutMs: number;
  private readonly random: () => number;
  private readonly now: Clock;
  private readonly replicaId: string;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly versionedBy: readonly string[];

  private running = false;
  /** Counts passes and wakes: a delivery that saw none while it ran needs no pass after it. */
  private epoch = 0;
  /** The last pass found more due entries than free slots. */
  private saturated = false;
  private recovered = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private immediate: NodeJS.Immediate | undefined;
  private pass: Promise<void> | undefined;
  private passAgain = false;
  /** aggregateId -> its delivery in progress. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Store,
    options: OutboxWorkerOptions,
  ) {
    this.deliver = options.deliver;
    this.superseded = options.superseded ?? (() => Promise.resolve(undefined));
    this.onGiveUp = options.onGiveUp ?? (() => undefined);
    this.onError = options.onError ?? errorReporter(rootLogger(), 'outbox');
    this.concurrency = positiveInteger(options.concurrency ?? 4, 'concurrency');
    this.maxAttempts =
      options.maxAttempts === undefined ? Infinity : positiveInteger(options.maxAttempts, 'maxAttempts');
    this.giveUpAfterMs = nonNegative(options.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS, 'giveUpAfterMs');
    this.backoff = {
      baseDelayMs: nonNegative(options.baseDelayMs ?? 1000, 'baseDelayMs'),
      maxDelayMs: nonNegative(options.maxDelayMs ?? 300_000, 'maxDelayMs'),
      jitter: options.jitter ?? 0.5,
    };
    if (!(this.backoff.jitter >= 0 && this.backoff.jitter <= 1))
      throw new RangeError('jitter must be from 0 to 1');
    this.pollIntervalMs = positiveInteger(options.pollIntervalMs ?? 5000, 'pollIntervalMs');
    this.deliveryTimeoutMs = positiveInteger(options.deliveryTimeoutMs ?? 30_000, 'deliveryTimeoutMs');
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
    this.replicaId = options.replicaId ?? SOLE_REPLICA_ID;
    this.leaseMs = positiveInteger(options.leaseMs ?? DEFAULT_LEASE_MS, 'leaseMs');
    this.renewMs = positiveInteger(options.renewMs ?? Math.max(1, Math.floor(this.leaseMs / 3)), 'renewMs');
    if (this.renewMs >= this.leaseMs) throw new RangeError('renewMs must be shorter than leaseMs');
    this.versionedBy = options.versionedBy ?? [];
  }

  /** Starts delivering; entries left pending by an earlier process (even mid-attempt) are picked up. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Looks for due entries now instead of at the next poll; call it after committing an enqueue. */
  wake(): void {
    this.epoch += 1;
    this.schedule(0);
  }

  /**
   * Call after committing the transaction that enqueued `entries`: each that was the only pending entry of
   * its aggregate starts at once when a slot is free (no query for pending heads); others wait for a pass.
   */
  offer(entries: readonly QueuedEntry[]): void {
    for (const entry of entries) {
      const now = this.running && this.recovered && entry.first && !this.inFlight.has(entry.aggregateId);
      if (now && this.inFlight.size < this.concurrency) this.launch(entry);
      else this.wake();
    }
  }

  /** Stops starting deliveries and waits for those in flight to finish and be recorded. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    await this.pass;
    await Promise.allSettled(this.inFlight.values());
    this.emit();
  }

  /** For tests: resolves once no entry is pending or in flight (waiting out back-offs); throws after `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.wake();
    for (;;) {
      if (!this.running)
        throw new OutboxError('ERR_OUTBOX_NOT_RUNNING', 'start the outbox worker before draining it');
      const pending = await countPending(this.db);
      // `recovered` and no pass: the start-up pass (which reruns unfinished give-up hooks) has run.
      if (pending === 0 && this.inFlight.size === 0 && this.recovered && !this.pass) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new OutboxError(
          'ERR_OUTBOX_DRAIN_TIMEOUT',
          `the outbox still has ${pending} pending entries after ${timeoutMs} ms`,
        );
      }
      await this.changed(Math.min(left, 50));
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    const wait = Math.max(0, delayMs);
    if (wait === 0) {
      // Now: on the next turn of the event loop (a timer would wait at least 1 ms), once however
      // many commits ask for it in this turn.
      if (this.immediate !== undefined) return;
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.runPass();
      });
      this.immediate.unref();
      return;
    }
    if (this.immediate !== undefined) return; // a pass comes sooner and schedules what it needs
    const at = Date.now() + wait;
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.runPass();
    }, wait);
    this.timer.unref(); // an idle worker does not keep the process alive
  }

  /** One dispatch pass at a time; a wake during a pass runs one more. */
  private runPass(): void {
    if (this.pass) {
      this.passAgain = true;
      return;
    }
    this.pass = (async () => {
      try {
        do {
          this.passAgain = false;
          await this.dispatch();
        } while (this.passAgain && this.running);
      } catch (e) {
        this.onError(e);
        this.schedule(this.pollIntervalMs);
      } finally {
        this.pass = undefined;
        this.emit();
      }
    })();
  }

  private async dispatch(): Promise<void> {
    if (!this.recovered) {
      this.recovered = true;
      await this.rerunGiveUpHooks();
    }
    this.epoch += 1;
    const free = this.concurrency - this.inFlight.size;
    if (!this.running || free <= 0) {
      this.saturated = true;
      return; // a finishing delivery schedules the next pass
    }
    // One more than we can start tells us when the next not-yet-due entry is due.
    const heads = await pendingHeads(
      this.db,
      [...this.inFlight.keys()],
      free + 1,
      this.replicaId,
      this.now(),
    );
    const now = this.now().getTime();
    let nextPass = this.pollIntervalMs;
    let started = 0;
    this.saturated = false;
    for (const head of heads) {
      const wait = Date.parse(head.nextAttemptAt) - now;
      if (wait > 0) {
        nextPass = Math.min(nextPass, wait);
        break; // sorted by due time: the rest wait longer
      }
      if (started === free || !this.running) {
        this.saturated = true;
        break;
      }
      if (this.inFlight.has(head.aggregateId)) continue; // offered while this pass read the heads
      this.launch(head);
      started += 1;
    }
    this.schedule(nextPass);
  }

  private launch(entry: OutboxEntry): void {
    const launchedAt = this.epoch;
    let nothingWaits = false;
    const task = this.attempt(entry)
      .then((outcome) => {
        nothingWaits = outcome === 'delivered, the last of its aggregate';
      })
      .catch((e: unknown) => this.onError(e))
      .finally(() => {
        this.inFlight.delete(entry.aggregateId);
        this.emit();
        // The aggregate's next entry, or a slot for another aggregate; no pass when the aggregate has no
        // other entry and nothing was queued (no wake) nor left waiting for a slot while this one ran.
        if (!nothingWaits || this.epoch !== launchedAt || this.saturated) this.schedule(0);
      });
    this.inFlight.set(entry.aggregateId, task);
  }

  private async attempt(head: OutboxEntry): Promise<'delivered, the last of its aggregate' | undefined> {
    if (head.attempts >= this.maxAttempts) {
      // The process stopped during the last allowed attempt: that attempt counted.
      await this.giveUp(
        head,
        new Error(head.lastError ?? 'the process stopped during the last delivery attempt'),
      );
      return;
    }
    const entry = await startAttempt(this.db, head.seq, this.now(), this.lease(), {
      versionedBy: this.versionedBy,
    });
    if (!entry) return; // cancelled since we read it, or another replica claimed it first
    const unchanged = entry.aggregateVersion !== null && entry.currentVersion === entry.aggregateVersion;
    const moot = unchanged ? undefined : await this.superseded(entry);
    if (moot !== undefined) {
      await cancelEntry(this.db, entry.seq, moot, this.now(), this.replicaId);
      return;
    }
    // Lines logged while it is sent carry the id of the request that queued it (and only that one).
    const error = await inRequest(entry.requestId ?? undefined, () =>
      this.whileLeased(entry, () => this.tryDeliver(entry)),
    );
    if (error === undefined) {
      const more = await markDelivered(this.db, entry.seq, this.now());
      return more ? undefined : 'delivered, the last of its aggregate';
    }
    const now = this.now();
    const deadline = Date.parse(entry.createdAt) + this.giveUpAfterMs;
    if (
      error instanceof PermanentDeliveryError ||
      entry.attempts >= this.maxAttempts ||
      now.getTime() >= deadline
    ) {
      const bound = now.getTime() >= deadline ? ` (retried for ${this.giveUpAfterMs} ms)` : '';
      await this.giveUp(entry, bound ? new Error(`${error.message}${bound}`) : error);
      return;
    }
    let wait = backoffDelay(entry.attempts, this.backoff, this.random);
    if (error instanceof RetryLaterError) wait = Math.max(wait, error.retryAfterMs);
    // The last try falls on the deadline, not after it.
    const next = Math.min(now.getTime() + wait, deadline);
    await scheduleRetry(this.db, entry.seq, error.message, new Date(next), now);
  }

  private lease(): { owner: string; until: string } {
    return { owner: this.replicaId, until: new Date(this.now().getTime() + this.leaseMs).toISOString() };
  }

  /** Runs `work` renewing our lease on `entry` every renewMs (only attempts slower than that renew at all). */
  private async whileLeased<T>(entry: OutboxEntry, work: () => Promise<T>): Promise<T> {
    const renew = setInterval(() => {
      renewLease(this.db, entry.seq, this.lease()).catch((e: unknown) => this.onError(e));
    }, this.renewMs);
    try {
      return await work();
    } finally {
      clearInterval(renew);
    }
  }

  /** Resolves to the failure, or undefined on success. A deliver that ignores the signal still times out. */
  private async tryDeliver(entry: OutboxEntry): Promise<Error | undefined> {
    const signal = AbortSignal.timeout(this.deliveryTimeoutMs);
    const timedOut = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () =>
        reject(new Error(`delivery to ${entry.url} took longer than ${this.deliveryTimeoutMs} ms`)),
      ),
    );
    timedOut.catch(() => undefined); // only observed through the race below
    try {
      await Promise.race([this.deliver(entry, { signal }), timedOut]);
      return undefined;
    } catch (e) {
      return toError(e);
    }
  }

  private async giveUp(entry: OutboxEntry, error: Error): Promise<void> {
    const failed = await markFailed(this.db, entry.seq, error.message, this.now());
    if (failed) await this.runGiveUpHook(failed, error);
  }

  private async runGiveUpHook(entry: OutboxEntry, error: Error): Promise<void> {
    try {
      await this.onGiveUp(entry, error);
      await giveUpHandled(this.db, entry.seq);
    } catch (e) {
      this.onError(e); // stays flagged; the next start() runs the hook again
    }
  }

  /** Hooks a crash (or a throwing hook) left unfinished. The original error's type is not kept, its message is. */
  private async rerunGiveUpHooks(): Promise<void> {
    for (const entry of await giveUpsNotHandled(this.db)) {
      await this.runGiveUpHook(entry, new Error(entry.lastError ?? 'delivery failed'));
    }
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private changed(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.listeners.add(done);
    });
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number`);
  return value;
}
