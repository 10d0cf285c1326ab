// When a duty is due: the earliest bound its own refinements and constraints put on time, e.g.
// `delete` refined by `dateTime lteq 2027-01-01` (by the end of that day) or `elapsedTime lteq P180D`
// (180 days after the first use). Bounds inside `or`/`xone` are not deadlines and are ignored.
import type { Constraint, DutyOutcome, Policy, Rule } from '../../../policies/index.js';
import type { DurationValue } from '../../../policies/values/types.js';

function* rulesWithConsequences(rules: readonly Rule[]): Generator<Rule> {
  for (const rule of rules) {
    yield rule;
    yield* rulesWithConsequences(rule.consequences);
  }
}

/** The duty's rule in the policy model (matched by path and action). */
export function findDutyRule(policy: Policy | undefined, duty: DutyOutcome): Rule | undefined {
  if (policy === undefined) return undefined;
  const candidates = [
    ...rulesWithConsequences(policy.permissions.flatMap((p) => p.duties)),
    ...rulesWithConsequences(policy.obligations),
  ];
  return candidates.find((rule) => rule.path === duty.path && rule.action.name === duty.action);
}

function* conjuncts(constraints: readonly Constraint[]): Generator<Constraint> {
  for (const c of constraints) {
    if (c.kind === 'logical') {
      if (c.operator === 'and' || c.operator === 'andSequence') yield* conjuncts(c.constraints);
    } else {
      yield c;
    }
  }
}

function addDuration(start: Date, duration: DurationValue): number {
  const date = new Date(start.getTime());
  date.setUTCMonth(date.getUTCMonth() + duration.months);
  return date.getTime() + duration.seconds * 1000;
}

export function dutyDeadline(rule: Rule, firstUseAt: Date): Date | undefined {
  let earliest = Infinity;
  for (const c of conjuncts([...rule.action.refinements, ...rule.constraints])) {
    if (c.kind !== 'atomic' || !['lt', 'lteq', 'eq'].includes(c.operator)) continue;
    const value = c.rightOperand[0];
    if (c.leftOperand === 'dateTime' && value?.type === 'dateTime') {
      earliest = Math.min(earliest, c.operator === 'lt' ? value.start : value.end);
    } else if (c.leftOperand === 'elapsedTime' && value?.type === 'duration') {
      earliest = Math.min(earliest, addDuration(firstUseAt, value));
    }
  }
  return Number.isFinite(earliest) ? new Date(earliest) : undefined;
}
