// Replicas: N processes of one connector (one DID and data directory, behind a load balancer) sharing one
// database. What one process would keep in memory is coordinated through the database instead:
//
// - outbox entries are claimed with a lease per attempt (outbox/worker.ts), so each message is sent by one
//   replica and a killed replica's entry is sent by another once its lease runs out;
// - an automatic step (automation.ts) runs on the replica that committed the state calling for it. The
//   record's updated_at is that replica's implicit lease: a record left in such a state for longer than
//   `leaseMs` (its replica was killed between commit and step) is claimed here by one replica with an
//   explicit lease row and run there. Steps are transitions with a version check, so even a step that two
//   replicas run (a slow one overtaken by a takeover) commits once;
// - waiters (management `waitFor`, a GET held for the peer's pid) are woken by commits of their own
//   process and, with replicas, re-read every `renewMs` so a commit on another replica reaches them.
//
// Usage counts, EDR validity, the replay cache, inbox deduplication and the evidence log's chain are
// decided inside database transactions already and need nothing here.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../identity/clock.js';
import type { Migration, Store } from '../store/database.js';
import type { Automation } from './automation.js';
import type { AutomationStep } from './automation-config.js';

export const REPLICA_MIGRATIONS: readonly Migration[] = [
  {
    id: 'replicas/1',
    sql: `
      -- Who runs a piece of due work left behind ("negotiation <id>"), until when.
      CREATE TABLE work_lease (
        resource TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
    `,
  },
];

export interface ReplicaSettings {
  /** Unique per process; default host, pid and a random suffix. */
  readonly id?: string;
  /** How long claimed work stays with a replica without renewal (the takeover delay); default 3000 ms. */
  readonly leaseMs?: number;
  /** How often leases are renewed and left-behind work is looked for; default 1000 ms. */
  readonly renewMs?: number;
}

export interface ResolvedReplicaSettings {
  readonly id: string;
  readonly leaseMs: number;
  readonly renewMs: number;
}

export const DEFAULT_REPLICA_LEASE_MS = 3000;
export const DEFAULT_REPLICA_RENEW_MS = 1000;

export function resolveReplicaSettings(settings: ReplicaSettings): ResolvedReplicaSettings {
  const leaseMs = settings.leaseMs ?? DEFAULT_REPLICA_LEASE_MS;
  const renewMs = settings.renewMs ?? Math.min(DEFAULT_REPLICA_RENEW_MS, Math.floor(leaseMs / 3));
  if (!Number.isInteger(leaseMs) || leaseMs < 3)
    throw new RangeError('replica leaseMs must be an integer >= 3');
  if (!Number.isInteger(renewMs) || renewMs < 1 || renewMs >= leaseMs)
    throw new RangeError('replica renewMs must be a positive integer shorter than leaseMs');
  return { id: settings.id ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`, leaseMs, renewMs };
}

/** Work of one kind that a takeover looks for: rows of `select` are `<prefix> <id>` resources. */
export interface TakeoverSource {
  /**
   * One column `resource` ("<kind> <id>") of the work due, with one `?` for the time before which its
   * record was last written (left alone for a lease length).
   */
  readonly select: string;
  /** Runs a piece of work this replica claimed (id without the prefix). */
  take(resource: string, id: string): void;
}

/** The automatic steps a takeover looks for, as SQL over the negotiation and transfer tables (automation.ts's rules). */
function automationSources(automation: Automation): TakeoverSource[] {
  const allows = (step: AutomationStep): boolean => automation.allows(step);
  const provider: string[] = [];
  if (allows('agree')) provider.push(`(state = 'REQUESTED' AND reason IS NULL)`);
  if (allows('refuse')) provider.push(`(state = 'REQUESTED' AND reason IS NOT NULL)`);
  if (allows('agreeAccepted')) provider.push(`state = 'ACCEPTED'`);
  if (allows('finalize')) provider.push(`state = 'VERIFIED'`);
  const negotiation = [
    ...(provider.length > 0 ? [`(role = 'provider' AND (${provider.join(' OR ')}))`] : []),
    ...(allows('verify') ? [`(role = 'consumer' AND state = 'AGREED')`] : []),
  ];
  const transfer = [
    ...(allows('startTransfer') ? [`(state = 'REQUESTED' AND reason IS NULL)`] : []),
    ...(allows('refuseTransfer') ? [`(state IN ('REQUESTED', 'STARTED') AND reason IS NOT NULL)`] : []),
  ];
  const kick = (resource: string, id: string): void =>
    automation.kick(resource.startsWith('negotiation ') ? 'negotiation' : 'transfer', id);
  const sources: TakeoverSource[] = [];
  if (negotiation.length > 0) {
    sources.push({
      select: `SELECT 'negotiation ' || id AS resource FROM negotiation
               WHERE pending_action = 0 AND (${negotiation.join(' OR ')}) AND updated_at <= ?`,
      take: kick,
    });
  }
  if (transfer.length > 0) {
    sources.push({
      select: `SELECT 'transfer ' || id AS resource FROM transfer
               WHERE role = 'provider' AND (${transfer.join(' OR ')}) AND updated_at <= ?`,
      take: kick,
    });
  }
  return sources;
}

/** Most left-behind pieces of work claimed by one sweep per source (the next sweep takes more). */
const SWEEP_BATCH = 200;

/**
 * Leases on pieces of work ("<kind> <id>") in the work_lease table: one replica holds each, until it
 * releases it or the lease runs out (its replica died).
 */
export class WorkLeases {
  constructor(
    private readonly db: Store,
    readonly replica: ResolvedReplicaSettings,
    private readonly clock: Clock,
  ) {}

  /** Takes (or renews) the lease on `resource` unless another replica holds a live one; true if ours. */
  async claim(resource: string): Promise<boolean> {
    const now = this.clock().getTime();
    const row = await this.db.get<{ resource: string }>(
      `INSERT INTO work_lease (resource, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE work_lease.expires_at <= ? OR work_lease.owner = excluded.owner
       RETURNING resource`,
      [resource, this.replica.id, this.until(now), new Date(now).toISOString()],
    );
    return row !== undefined;
  }

  async release(resource: string): Promise<void> {
    await this.db.run('DELETE FROM work_lease WHERE resource = ? AND owner = ?', [resource, this.replica.id]);
  }

  /**
   * Runs `work` under the lease on `resource`, renewed every renewMs and released at the end; resolves
   * undefined without running it when another replica holds the lease.
   */
  async hold<T>(resource: string, work: () => Promise<T>): Promise<T | undefined> {
    if (!(await this.claim(resource))) return undefined;
    const renew = setInterval(() => void this.claim(resource).catch(() => undefined), this.replica.renewMs);
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.release(resource);
    }
  }

  /**
   * Claims up to SWEEP_BATCH resources of `select` (work left alone for leaseMs) in one statement:
   * INSERT ... SELECT ... ON CONFLICT DO UPDATE WHERE the lease ran out, so the database gives each to
   * one replica. Returns the resources claimed.
   */
  async claimStale(select: string): Promise<string[]> {
    const now = this.clock().getTime();
    const stale = new Date(now - this.replica.leaseMs);
    // PostgreSQL: records being changed right now (their step is running) are skipped, not waited for.
    const skipLocked = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.db.all<{ resource: string }>(
      `INSERT INTO work_lease (resource, owner, expires_at)
       SELECT resource, ?, ? FROM (${select} LIMIT ${SWEEP_BATCH}${skipLocked}) AS due WHERE true
       ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE work_lease.expires_at <= ?
       RETURNING resource`,
      [this.replica.id, this.until(now), stale.toISOString(), new Date(now).toISOString()],
    );
    return rows.map((row) => row.resource);
  }

  /** Forgets leases that ran out. */
  async prune(): Promise<void> {
    await this.db.run('DELETE FROM work_lease WHERE expires_at <= ?', [this.clock().toISOString()]);
  }

  private until(now: number): string {
    return new Date(now + this.replica.leaseMs).toISOString();
  }
}

/**
 * Finds work no replica has taken for `leaseMs` (its replica died between the commit and the step, or
 * mid-push), claims it (WorkLeases.claimStale) and runs it here: the automatic steps, and what other
 * parts add (`add`, e.g. pushes).
 */
export class StaleWorkTakeover {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private sweeps = 0;
  private readonly sources: TakeoverSource[];

  constructor(
    private readonly leases: WorkLeases,
    automation: Automation,
    private readonly onError: (error: unknown) => void,
  ) {
    this.sources = automationSources(automation);
  }

  /** Also takes over this kind of work. */
  add(source: TakeoverSource): void {
    this.sources.push(source);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch(this.onError)
        .finally(() => (this.sweeping = undefined));
    }, this.leases.replica.renewMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One sweep; returns how many pieces of work it claimed and started. */
  async sweep(): Promise<number> {
    let claimed = 0;
    for (const source of this.sources) {
      for (const resource of await this.leases.claimStale(source.select)) {
        source.take(resource, resource.slice(resource.indexOf(' ') + 1));
        claimed += 1;
      }
    }
    // Leases outlive their work by leaseMs at most; forget the old ones now and then.
    if (++this.sweeps % 60 === 0) await this.leases.prune();
    return claimed;
  }
}

/**
 * Calls every watcher with no record (which makes it read the record again) every `intervalMs` while any
 * exists: with replicas, the commit a waiter waits for may happen in another process.
 */
export function pollWatchers(
  watchers: ReadonlyMap<string, ReadonlySet<(record?: undefined) => void>>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop(): void } {
  const timer = setInterval(() => {
    for (const listeners of watchers.values()) {
      for (const listener of [...listeners]) {
        try {
          listener();
        } catch (e) {
          onError(e);
        }
      }
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
