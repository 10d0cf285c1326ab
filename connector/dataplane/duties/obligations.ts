// Duties an agreement carries, recorded once per agreement with who performs them, their state and
// their deadline. The provider performs what it can (anonymisation, notification) and marks those
// fulfilled; the rest wait for the consumer, and a pending duty past its deadline becomes violated.
// Their states go back into every usage decision, so a violated duty blocks further access.
import { systemClock, type Clock } from '../../identity/clock.js';
import type { Store, Queries } from '../../store/database.js';
import type { DutyOutcome, DutyState, Policy, Rule } from '../../../policies/index.js';
import { DataPlaneError } from '../errors.js';
import { dutyDeadline, findDutyRule } from './deadline.js';

export type ObligationState = 'pending' | 'fulfilled' | 'violated';
export type Performer = 'provider' | 'consumer';

export interface Obligation {
  readonly id: number;
  readonly agreementId: string;
  /** The duty's uid, or "<path> <action>" when it has none. */
  readonly key: string;
  readonly uid?: string;
  readonly action: string;
  readonly path: string;
  readonly performer: Performer;
  readonly state: ObligationState;
  /** ISO 8601, when the duty has a time bound. */
  readonly deadline?: string;
  readonly refinements: readonly string[];
  readonly constraints: readonly string[];
  readonly parties: Readonly<Record<string, readonly string[]>>;
  /** true for a policy-level obligation. */
  readonly obligation: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RecordDutiesContext {
  /** The agreement's policy model (CompiledPolicy.policy), to find time bounds. */
  readonly policy?: Policy;
  readonly firstUseAt: Date;
  readonly performerOf: (duty: DutyOutcome) => Performer;
  /**
   * The deadline to record instead of the one computed from `firstUseAt` (e.g. only the calendar bounds
   * when the duties are recorded at agreement time, before any use). A deadline left unknown is filled in
   * by a later record() that knows one.
   */
  readonly deadlineOf?: (duty: DutyOutcome, rule: Rule | undefined) => Date | undefined;
}

interface Row {
  id: number;
  agreement_id: string;
  duty_key: string;
  uid: string | null;
  action: string;
  path: string;
  performer: Performer;
  state: ObligationState;
  deadline_ms: number | null;
  detail: string;
  created_at: string;
  updated_at: string;
}

interface Detail {
  refinements: string[];
  constraints: string[];
  parties: Record<string, string[]>;
  obligation: boolean;
}

export function dutyKey(duty: Pick<DutyOutcome, 'uid' | 'path' | 'action'>): string {
  return duty.uid ?? `${duty.path} ${duty.action}`;
}

function toObligation(row: Row): Obligation {
  const detail = JSON.parse(row.detail) as Detail;
  return {
    id: row.id,
    agreementId: row.agreement_id,
    key: row.duty_key,
    ...(row.uid !== null ? { uid: row.uid } : {}),
    action: row.action,
    path: row.path,
    performer: row.performer,
    state: row.state,
    ...(row.deadline_ms !== null ? { deadline: new Date(row.deadline_ms).toISOString() } : {}),
    refinements: detail.refinements,
    constraints: detail.constraints,
    parties: detail.parties,
    obligation: detail.obligation,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ObligationStore {
  readonly #clock: Clock;

  /** `db` must have been opened with DATAPLANE_MIGRATIONS. */
  constructor(
    private readonly db: Store,
    options: { clock?: Clock } = {},
  ) {
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Records the duties a permit carried (once per duty and agreement) and returns all of them. With `tx`,
   * in the caller's transaction.
   */
  async record(
    agreementId: string,
    duties: readonly DutyOutcome[],
    context: RecordDutiesContext,
    options: { tx?: Queries } = {},
  ): Promise<Obligation[]> {
    if (duties.length > 0) {
      const now = this.#clock().toISOString();
      const write = async (tx: Queries): Promise<void> => {
        for (const duty of duties) {
          const rule = findDutyRule(context.policy, duty);
          const deadline = context.deadlineOf
            ? context.deadlineOf(duty, rule)
            : rule === undefined
              ? undefined
              : dutyDeadline(rule, context.firstUseAt);
          const detail: Detail = {
            refinements: [...duty.refinements],
            constraints: [...duty.constraints],
            parties: Object.fromEntries(Object.entries(duty.parties).map(([k, v]) => [k, [...v]])),
            obligation: duty.obligation,
          };
          await tx.run(
            `INSERT INTO dataplane_obligation
               (agreement_id, duty_key, uid, action, path, performer, state, deadline_ms, detail, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
             ON CONFLICT (agreement_id, duty_key) DO UPDATE SET deadline_ms = excluded.deadline_ms,
               updated_at = excluded.updated_at
             WHERE dataplane_obligation.deadline_ms IS NULL AND excluded.deadline_ms IS NOT NULL`,
            [
              agreementId,
              dutyKey(duty),
              duty.uid ?? null,
              duty.action,
              duty.path,
              context.performerOf(duty),
              deadline?.getTime() ?? null,
              JSON.stringify(detail),
              now,
              now,
            ],
          );
        }
      };
      await (options.tx ? write(options.tx) : this.db.transaction(write));
    }
    return this.list(agreementId, options);
  }

  async list(agreementId: string, options: { tx?: Queries } = {}): Promise<Obligation[]> {
    const rows = await (options.tx ?? this.db).all<Row>(
      'SELECT * FROM dataplane_obligation WHERE agreement_id = ? ORDER BY id',
      [agreementId],
    );
    return rows.map(toObligation);
  }

  /** The consumer's duties: pending ones first, earliest deadline first. */
  async forConsumer(agreementId: string): Promise<Obligation[]> {
    const rows = await this.db.all<Row>(
      `SELECT * FROM dataplane_obligation WHERE agreement_id = ? AND performer = 'consumer'
       ORDER BY state <> 'pending', deadline_ms IS NULL, deadline_ms, id`,
      [agreementId],
    );
    return rows.map(toObligation);
  }

  /** Sets a duty's state (the provider performed it, or the consumer reported it). */
  async setState(agreementId: string, key: string, state: ObligationState): Promise<Obligation> {
    const result = await this.db.run(
      'UPDATE dataplane_obligation SET state = ?, updated_at = ? WHERE agreement_id = ? AND duty_key = ?',
      [state, this.#clock().toISOString(), agreementId, key],
    );
    if (result.changes === 0) {
      throw new DataPlaneError(
        'ERR_OBLIGATION_NOT_FOUND',
        `Agreement ${agreementId} has no recorded duty ${key}; list its obligations to see the keys.`,
        { details: { agreementId } },
      );
    }
    const row = await this.db.get<Row>(
      'SELECT * FROM dataplane_obligation WHERE agreement_id = ? AND duty_key = ?',
      [agreementId, key],
    );
    return toObligation(row as Row);
  }

  /** Marks pending duties whose deadline has passed as violated; returns how many changed. */
  async markOverdue(now: Date = this.#clock(), agreementId?: string): Promise<number> {
    const result = await this.db.run(
      `UPDATE dataplane_obligation SET state = 'violated', updated_at = ?
       WHERE state = 'pending' AND deadline_ms IS NOT NULL AND deadline_ms <= ?
       ${agreementId === undefined ? '' : 'AND agreement_id = ?'}`,
      [now.toISOString(), now.getTime(), ...(agreementId === undefined ? [] : [agreementId])],
    );
    return result.changes;
  }

  /** Known outcomes, keyed as the policy engine reads them (uid, else action). */
  async reportedStates(agreementId: string): Promise<Record<string, DutyState>> {
    const rows = await this.db.all<Pick<Row, 'uid' | 'action' | 'state'>>(
      `SELECT uid, action, state FROM dataplane_obligation WHERE agreement_id = ? AND state <> 'pending'`,
      [agreementId],
    );
    // fromEntries defines own properties, so a uid such as "__proto__" stays an ordinary key.
    return Object.fromEntries(rows.map((row) => [row.uid ?? row.action, row.state as DutyState]));
  }
}
