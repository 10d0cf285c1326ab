// Timeouts for processes that wait on their counterparty: a provider AGREED waiting for the
// verification, a consumer REQUESTED waiting for an offer or agreement, a consumer's transfer
// REQUESTED waiting for the start... Which states wait is read off the state table: those where only
// the counterparty may move the process on (we could only terminate). Past the configured time since
// the record was last written, the process is terminated with the reason, the peer is told (code
// "timeout") and the evidence log records it, in one transaction.
//
// Deadlines come from the stored updated_at, so they survive a restart: the sweep runs at start-up,
// again at the earliest deadline it finds, and at least every hour; a commit that leaves a process
// waiting brings the next sweep forward to its deadline.

import {
  negotiationTable,
  otherRole,
  ROLES,
  type Role,
  type StateTable,
  type Waiting,
} from '../negotiation/index.js';
import { transferTable } from '../transfer/index.js';
import type { Clock } from '../identity/clock.js';
import type { ControlPlaneContext, ProcessKind, ProcessRecord } from './context.js';
import { terminateProcess } from './delivery.js';

export const DEFAULT_TIMEOUT_MS = 24 * 3_600_000;
/** The sweep runs at least this often, whatever deadlines it knows of. */
const MAX_SWEEP_INTERVAL_MS = 3_600_000;
const BATCH = 100;

export interface TimeoutSettings {
  readonly negotiationMs?: number;
  readonly transferMs?: number;
}

/** The states in which `role` waits on its counterparty: only the other party's messages move it on. */
export function waitingStates<S extends string, M extends string>(table: StateTable<S, M>, role: Role): S[] {
  return table.spec.states.filter((state) => {
    if (table.isTerminal(state)) return false;
    const from = table.spec.rules.filter((r) => r.from === state);
    const ours = from.filter((r) => r.sender === role && !isTermination(r.message));
    const theirs = from.filter((r) => r.sender === otherRole(role) && !isTermination(r.message));
    return ours.length === 0 && theirs.length > 0;
  });
}

function isTermination(message: string): boolean {
  return message.endsWith('TerminationMessage');
}

function waiting<S extends string, M extends string>(table: StateTable<S, M>): Waiting<S>[] {
  return ROLES.map((role) => ({ role, states: waitingStates(table, role) }));
}

const NEGOTIATION_WAITING = waiting(negotiationTable);
const TRANSFER_WAITING = waiting(transferTable);

export class ProcessTimeouts {
  private readonly negotiationMs: number;
  private readonly transferMs: number;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: ControlPlaneContext,
    settings: TimeoutSettings,
    private readonly onError: (error: unknown) => void,
    private readonly clock: Clock = ctx.clock,
  ) {
    this.negotiationMs = settings.negotiationMs ?? DEFAULT_TIMEOUT_MS;
    this.transferMs = settings.transferMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Terminates what has waited too long, then schedules the next sweep. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((e: unknown) => this.onError(e))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** After a commit: a record left waiting brings the next sweep forward to its deadline. */
  committed(kind: ProcessKind, record: ProcessRecord | undefined): void {
    if (record === undefined || this.stopped) return;
    const states = (kind === 'negotiation' ? NEGOTIATION_WAITING : TRANSFER_WAITING).find(
      (w) => w.role === record.role,
    )?.states as readonly string[] | undefined;
    if (!states?.includes(record.state)) return;
    this.arm(Date.parse(record.updatedAt) + this.limit(kind));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private limit(kind: ProcessKind): number {
    return kind === 'negotiation' ? this.negotiationMs : this.transferMs;
  }

  private async sweepOnce(): Promise<void> {
    const now = this.clock().getTime();
    const { negotiations, transfers } = this.ctx;
    for (;;) {
      const idle = await negotiations.idle(NEGOTIATION_WAITING, new Date(now - this.negotiationMs), BATCH);
      for (const record of idle) await this.expire('negotiation', record);
      if (idle.length < BATCH) break;
    }
    for (;;) {
      const idle = await transfers.idle(TRANSFER_WAITING, new Date(now - this.transferMs), BATCH);
      for (const record of idle) await this.expire('transfer', record);
      if (idle.length < BATCH) break;
    }
    const oldest = [
      { at: await negotiations.oldestWaiting(NEGOTIATION_WAITING), ms: this.negotiationMs },
      { at: await transfers.oldestWaiting(TRANSFER_WAITING), ms: this.transferMs },
    ].flatMap(({ at, ms }) => (at === undefined ? [] : [Date.parse(at) + ms]));
    this.timerAt = Number.POSITIVE_INFINITY; // this sweep replaces whatever was scheduled
    this.arm(Math.min(now + MAX_SWEEP_INTERVAL_MS, ...oldest));
  }

  private async expire(kind: ProcessKind, seen: ProcessRecord): Promise<void> {
    const ms = this.limit(kind);
    const waitingFor = seen.role === 'provider' ? 'consumer' : 'provider';
    const reason = `timed out: no answer from the ${waitingFor} within ${ms} ms in state ${seen.state}`;
    const { hooks } = this.ctx;
    const ended = await terminateProcess(this.ctx, seen.id, {
      reason,
      code: 'timeout',
      tell: true,
      // Only if nothing happened to it since we looked.
      stillDue: (record) => record.version === seen.version,
      record: async (tx, _kind, record) =>
        hooks?.processTimedOut?.(tx, kind, record, { state: seen.state, waitedMs: ms, reason }),
    });
    if (ended) this.ctx.committed(ended, seen.id);
  }

  private arm(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    const wait = Math.max(0, Math.min(at - this.clock().getTime(), MAX_SWEEP_INTERVAL_MS));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.sweep();
    }, wait);
    this.timer.unref();
  }
}
