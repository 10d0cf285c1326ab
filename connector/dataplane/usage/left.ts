// What is left of an agreement's use: the uses still allowed and until when, computed on the provider
// from the meter (uses so far, first use) and the agreement's policy (count and time limits), and sent
// to the consumer with every pull in response headers, which the consumer records per transfer (only
// the provider counts uses, so this is how the consumer learns what it has left):
//
//   Shuyu-Uses-Remaining: 7                      uses still allowed after this one (absent: no count limit)
//   Shuyu-Uses-Limit: 10                         uses allowed in total
//   Shuyu-Use-Until: 2026-12-31T15:59:00.000Z    the last instant of use (absent: no time limit)
//
// Several permissions: the most generous one counts (any permission that holds permits the access).
import type { Constraint, Policy, Rule } from '../../../policies/model/types.js';
import type { DateTimeValue, DurationValue } from '../../../policies/values/types.js';
import type { Queries } from '../../store/database.js';

export const USES_REMAINING_HEADER = 'Shuyu-Uses-Remaining';
export const USES_LIMIT_HEADER = 'Shuyu-Uses-Limit';
export const USE_UNTIL_HEADER = 'Shuyu-Use-Until';

export interface UsageLeft {
  /** Uses the policy allows in total (absent: no count limit). */
  readonly limit?: number;
  /** Uses still allowed (absent: no count limit). */
  readonly remaining?: number;
  /** The last instant of use, ISO 8601 (absent: no time limit, or one that starts at a first use not yet made). */
  readonly until?: string;
}

interface RuleLimits {
  limit?: number;
  untilMs?: number;
}

/** Constraints that all must hold: a rule's own, its action's refinements, and `and` groups inside them. */
function conjuncts(list: readonly Constraint[]): Constraint[] {
  return list.flatMap((c) => (c.kind === 'logical' && c.operator === 'and' ? conjuncts(c.constraints) : [c]));
}

/**
 * The end of a duration from `fromMs`. A duration with months has no one length (the engine compares
 * it at XML Schema's four reference instants): the shortest is the earliest the engine may refuse.
 */
function addDuration(fromMs: number, d: DurationValue): number {
  return fromMs + Math.min(...d.atReferences) * 1000;
}

function ruleLimits(rule: Rule, firstUseAt: Date | undefined): RuleLimits {
  const out: RuleLimits = {};
  const tighter = (key: keyof RuleLimits, value: number) => {
    out[key] = out[key] === undefined ? value : Math.min(out[key], value);
  };
  for (const c of conjuncts([...rule.constraints, ...rule.action.refinements])) {
    if (c.kind !== 'atomic' || c.rightOperand.length !== 1) continue;
    const [v] = c.rightOperand;
    if (c.leftOperand === 'count' && v?.type === 'integer') {
      if (c.operator === 'lteq' || c.operator === 'eq') tighter('limit', v.value);
      if (c.operator === 'lt') tighter('limit', v.value - 1);
    }
    if (c.leftOperand === 'dateTime' && v?.type === 'dateTime') {
      const day = v as DateTimeValue;
      // Before a day: until it starts; until a day (lteq): until it ends.
      if (c.operator === 'lt') tighter('untilMs', day.start - 1);
      if (c.operator === 'lteq') tighter('untilMs', day.end === day.start ? day.start : day.end - 1);
    }
    if (c.leftOperand === 'elapsedTime' && v?.type === 'duration' && firstUseAt !== undefined) {
      if (c.operator === 'lt' || c.operator === 'lteq')
        tighter('untilMs', addDuration(firstUseAt.getTime(), v));
    }
  }
  return out;
}

/** Uses and time left under `policy` after `used` uses (the first at `firstUseAt`). */
export function usageLeft(policy: Policy | undefined, used: number, firstUseAt?: Date): UsageLeft {
  const rules = policy?.permissions ?? [];
  if (rules.length === 0) return {};
  const each = rules.map((r) => ruleLimits(r, firstUseAt));
  // The most generous permission: a rule without a limit lifts it.
  const limit = each.some((l) => l.limit === undefined)
    ? undefined
    : Math.max(...each.map((l) => l.limit ?? 0));
  const untilMs = each.some((l) => l.untilMs === undefined)
    ? undefined
    : Math.max(...each.map((l) => l.untilMs ?? 0));
  return {
    ...(limit !== undefined ? { limit: Math.max(0, limit), remaining: Math.max(0, limit - used) } : {}),
    ...(untilMs !== undefined ? { until: new Date(untilMs).toISOString() } : {}),
  };
}

/** The headers of a pull's response. */
export function usageLeftHeaders(left: UsageLeft): Record<string, string> {
  return {
    ...(left.remaining !== undefined ? { [USES_REMAINING_HEADER]: String(left.remaining) } : {}),
    ...(left.limit !== undefined ? { [USES_LIMIT_HEADER]: String(left.limit) } : {}),
    ...(left.until !== undefined ? { [USE_UNTIL_HEADER]: left.until } : {}),
  };
}

/** What a consumer read from a pull's response headers (undefined: the provider sent none). */
export function usageLeftFromHeaders(
  get: (name: string) => string | string[] | null | undefined,
): UsageLeft | undefined {
  const one = (name: string): string | undefined => {
    const v = get(name.toLowerCase());
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const count = (name: string): number | undefined => {
    const v = one(name);
    return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
  };
  const remaining = count(USES_REMAINING_HEADER);
  const limit = count(USES_LIMIT_HEADER);
  const untilText = one(USE_UNTIL_HEADER);
  const until =
    untilText !== undefined && !Number.isNaN(Date.parse(untilText))
      ? new Date(untilText).toISOString()
      : undefined;
  if (remaining === undefined && limit === undefined && until === undefined) return undefined;
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(until !== undefined ? { until } : {}),
  };
}

export interface ObservedUsageLeft extends UsageLeft {
  readonly transferId: string;
  /** When the consumer last read it from the provider. */
  readonly observedAt: string;
}

interface LeftRow {
  transfer_id: string;
  remaining: number | null;
  use_limit: number | null;
  use_until_ms: number | null;
  observed_ms: number;
}

/** The consumer's record of what the provider said is left, per transfer (the newest reading wins). */
export class UsageLeftStore {
  /** `db` must have been opened with DATAPLANE_MIGRATIONS. */
  constructor(private readonly db: Queries) {}

  async record(transferId: string, left: UsageLeft, at: Date): Promise<void> {
    await this.db.run(
      `INSERT INTO dataplane_usage_left (transfer_id, remaining, use_limit, use_until_ms, observed_ms)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (transfer_id) DO UPDATE SET remaining = excluded.remaining, use_limit = excluded.use_limit,
         use_until_ms = excluded.use_until_ms, observed_ms = excluded.observed_ms
       WHERE dataplane_usage_left.observed_ms <= excluded.observed_ms`,
      [
        transferId,
        left.remaining ?? null,
        left.limit ?? null,
        left.until !== undefined ? Date.parse(left.until) : null,
        at.getTime(),
      ],
    );
  }

  async get(transferId: string): Promise<ObservedUsageLeft | undefined> {
    const row = await this.db.get<LeftRow>(
      'SELECT transfer_id, remaining, use_limit, use_until_ms, observed_ms FROM dataplane_usage_left WHERE transfer_id = ?',
      [transferId],
    );
    if (row === undefined) return undefined;
    return {
      transferId: row.transfer_id,
      ...(row.use_limit !== null ? { limit: Number(row.use_limit) } : {}),
      ...(row.remaining !== null ? { remaining: Number(row.remaining) } : {}),
      ...(row.use_until_ms !== null ? { until: new Date(Number(row.use_until_ms)).toISOString() } : {}),
      observedAt: new Date(Number(row.observed_ms)).toISOString(),
    };
  }
}
