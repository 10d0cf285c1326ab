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
import type { Database, Migration } from '../store/database.js';
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

/** The steps a takeover looks for, as SQL over the negotiation and transfer tables (automation.ts's rules). */
function staleWorkQueries(allows: (step: AutomationStep) => boolean): string[] {
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
  const queries: string[] = [];
  if (negotiation.length > 0) {
    queries.push(
      `SELECT 'negotiation ' || id AS resource FROM negotiation
       WHERE pending_action = 0 AND (${negotiation.join(' OR ')}) AND updated_at <= ?`,
    );
  }
  if (transfer.length > 0) {
    queries.push(
      `SELECT 'transfer ' || id AS resource FROM transfer
       WHERE role = 'provider' AND (${transfer.join(' OR ')}) AND updated_at <= ?`,
    );
  }
  return queries;
}

/** Most left-behind processes claimed by one sweep (the next sweep takes more). */
const SWEEP_BATCH = 200;

/**
 * Finds automatic steps no replica has taken for `leaseMs` (their replica died between the commit and the
 * step), claims them with a lease in one statement (INSERT ... SELECT ... ON CONFLICT DO UPDATE WHERE the
 * lease ran out: the database gives each to one replica) and kicks them here.
 */
export class StaleWorkTakeover {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private sweeps = 0;
  private readonly queries: string[];

  constructor(
    private readonly db: Database,
    private readonly automation: Automation,
    private readonly replica: ResolvedReplicaSettings,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void,
  ) {
    this.queries = staleWorkQueries((step) => automation.allows(step));
  }

  start(): void {
    if (this.timer !== undefined || this.queries.length === 0) return;
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch(this.onError)
        .finally(() => (this.sweeping = undefined));
    }, this.replica.renewMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One sweep; returns how many processes it claimed and kicked. */
  async sweep(): Promise<number> {
    const now = this.clock().getTime();
    const stale = new Date(now - this.replica.leaseMs).toISOString();
    const at = new Date(now).toISOString();
    const until = new Date(now + this.replica.leaseMs).toISOString();
    let claimed = 0;
    for (const select of this.queries) {
      const rows = await this.db.all<{ resource: string }>(
        `INSERT INTO work_lease (resource, owner, expires_at)
         SELECT resource, ?, ? FROM (${select} LIMIT ${SWEEP_BATCH}) AS due WHERE true
         ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE work_lease.expires_at <= ?
         RETURNING resource`,
        [this.replica.id, until, stale, at],
      );
      for (const { resource } of rows) {
        const space = resource.indexOf(' ');
        const kind = resource.slice(0, space) as 'negotiation' | 'transfer';
        this.automation.kick(kind, resource.slice(space + 1));
      }
      claimed += rows.length;
    }
    // Leases outlive their work only by leaseMs; forget the old ones now and then.
    if (++this.sweeps % 60 === 0) await this.db.run('DELETE FROM work_lease WHERE expires_at <= ?', [at]);
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
