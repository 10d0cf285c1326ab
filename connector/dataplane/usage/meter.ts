// Use-time usage control: every access counts, and the agreement's policy decides each one with the
// count so far (this one included), the time elapsed since the first use and the current time. The
// increment and the decision happen in one SQLite transaction (the store serialises transactions),
// so concurrent requests cannot overrun a count limit; a denial rolls the increment back.
import { systemClock, type Clock } from '../../identity/clock.js';
import type { Store } from '../../store/database.js';
import {
  reasonOf,
  type CompiledPolicy,
  type Decision,
  type DutyOutcome,
  type DutyState,
  type EvaluationRequest,
  type RequestAsset,
  type RequestClaims,
} from '../../../policies/index.js';
import { DataPlaneError } from '../errors.js';

export interface AccessContext {
  readonly agreementId: string;
  readonly consumerDid: string;
  readonly claims?: RequestClaims;
  readonly purpose?: string | readonly string[];
  readonly spatial?: string | readonly string[];
  /** Default: the meter's clock. */
  readonly now?: Date;
  /** The ODRL action asked for (default `read`: a `use` permission covers it, and a `read` prohibition applies). */
  readonly action?: string;
  readonly target?: string;
  readonly assigner?: string;
  readonly asset?: RequestAsset;
  /** Duty outcomes known so far (ObligationStore.reportedStates). */
  readonly duties?: Readonly<Record<string, DutyState>>;
}

export interface AccessGrant {
  readonly agreementId: string;
  /** Accesses so far, this one included. */
  readonly count: number;
  readonly firstUseAt: Date;
  readonly elapsedSeconds: number;
  readonly decision: Decision;
  /** Duties the permit carries (pending or fulfilled). */
  readonly duties: readonly DutyOutcome[];
}

export interface Usage {
  readonly count: number;
  readonly firstUseAt: Date;
  readonly lastUseAt: Date;
}

interface UsageRow {
  count: number;
  first_use_ms: number;
}

/** Thrown inside the transaction to roll the increment back; carries the grant or the denial out. */
class Rollback {
  constructor(
    readonly decision: Decision,
    readonly grant: AccessGrant | undefined,
  ) {}
}

export class UsageMeter {
  readonly #clock: Clock;

  /** `db` must have been opened with DATAPLANE_MIGRATIONS. */
  constructor(
    private readonly db: Store,
    options: { clock?: Clock } = {},
  ) {
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Counts one access and decides it. Resolves with the grant; throws ERR_USAGE_DENIED (the policy's
   * reason as message, the decision code in details) and leaves the count unchanged on a denial.
   * `dryRun` decides as if the access happened and counts nothing (HEAD requests).
   */
  async authorizeAccess(
    policy: CompiledPolicy,
    context: AccessContext,
    options: { dryRun?: boolean } = {},
  ): Promise<AccessGrant> {
    const now = context.now ?? this.#clock();
    const nowMs = now.getTime();
    let outcome: AccessGrant | Rollback;
    try {
      outcome = await this.db.transaction(async (tx) => {
        const row = await tx.get<UsageRow>(
          `INSERT INTO dataplane_usage (agreement_id, count, first_use_ms, last_use_ms) VALUES (?, 1, ?, ?)
           ON CONFLICT (agreement_id) DO UPDATE SET count = dataplane_usage.count + 1, last_use_ms = excluded.last_use_ms
           RETURNING count, first_use_ms`,
          [context.agreementId, nowMs, nowMs],
        );
        if (row === undefined) throw new Error('the usage counter returned no row');
        const elapsedSeconds = Math.max(0, Math.floor((nowMs - row.first_use_ms) / 1000));
        const decision = policy.evaluate(request(context, now, row.count, elapsedSeconds));
        const grant: AccessGrant | undefined = decision.permitted
          ? {
              agreementId: context.agreementId,
              count: row.count,
              firstUseAt: new Date(row.first_use_ms),
              elapsedSeconds,
              decision,
              duties: decision.duties,
            }
          : undefined;
        if (grant === undefined || options.dryRun === true) throw new Rollback(decision, grant);
        return grant;
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
      outcome = error;
    }
    if (!(outcome instanceof Rollback)) return outcome;
    if (outcome.grant) return outcome.grant;
    // The reason needs the trace: computed here, after the transaction has ended.
    throw new DataPlaneError('ERR_USAGE_DENIED', reasonOf(outcome.decision), {
      details: { decisionCode: outcome.decision.code, agreementId: context.agreementId },
    });
  }

  async usage(agreementId: string): Promise<Usage | undefined> {
    const row = await this.db.get<UsageRow & { last_use_ms: number }>(
      'SELECT count, first_use_ms, last_use_ms FROM dataplane_usage WHERE agreement_id = ?',
      [agreementId],
    );
    return row === undefined
      ? undefined
      : { count: row.count, firstUseAt: new Date(row.first_use_ms), lastUseAt: new Date(row.last_use_ms) };
  }
}

function request(
  context: AccessContext,
  now: Date,
  count: number,
  elapsedSeconds: number,
): EvaluationRequest {
  return {
    action: context.action ?? 'read',
    assignee: context.consumerDid,
    time: now.getTime(),
    count,
    elapsedTime: elapsedSeconds,
    ...(context.target !== undefined ? { target: context.target } : {}),
    ...(context.assigner !== undefined ? { assigner: context.assigner } : {}),
    ...(context.asset !== undefined ? { asset: context.asset } : {}),
    ...(context.claims !== undefined ? { claims: context.claims } : {}),
    ...(context.purpose !== undefined ? { purpose: context.purpose } : {}),
    ...(context.spatial !== undefined ? { spatial: context.spatial } : {}),
    ...(context.duties !== undefined ? { duties: context.duties } : {}),
  };
}
