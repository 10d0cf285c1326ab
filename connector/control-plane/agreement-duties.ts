// The duties an agreement carries, read from its policy when it is agreed, so both parties can list them
// before any data moves: the duties of its permissions and its obligations, as the policy engine reports
// them at use time (same uid, action and path, so the data plane's later records find the same rows).
// Deadlines known at agreement time are the calendar ones (`dateTime`); a bound relative to the first use
// (`elapsedTime`) is filled in by the data plane at that use.

import type { Constraint, DutyOutcome, Policy, Rule } from '../../policies/index.js';
import { constraintText } from '../../policies/evaluate/trace.js';
import { dutyDeadline } from '../dataplane/duties/deadline.js';

function outcome(rule: Rule, obligation: boolean): DutyOutcome {
  return {
    ...(rule.uid !== undefined ? { uid: rule.uid } : {}),
    action: rule.action.name,
    state: 'pending',
    refinements: rule.action.refinements.map(constraintText),
    constraints: rule.constraints.map(constraintText),
    parties: rule.parties,
    ...(rule.target?.id !== undefined ? { target: rule.target.id } : {}),
    obligation,
    path: rule.path,
  };
}

/** Every duty of the agreement's permissions and every obligation, pending. */
export function agreementDuties(policy: Policy | undefined): DutyOutcome[] {
  if (policy === undefined) return [];
  return [
    ...policy.permissions.flatMap((p) => p.duties.map((d) => outcome(d, false))),
    ...policy.obligations.map((o) => outcome(o, true)),
  ];
}

function withoutElapsedTime(constraints: readonly Constraint[]): Constraint[] {
  return constraints.filter((c) => !(c.kind === 'atomic' && c.leftOperand === 'elapsedTime'));
}

/** The deadline a duty's calendar bounds set, ignoring bounds relative to the first use. */
export function calendarDeadline(rule: Rule | undefined, now: Date): Date | undefined {
  if (rule === undefined) return undefined;
  const calendarOnly: Rule = {
    ...rule,
    action: { ...rule.action, refinements: withoutElapsedTime(rule.action.refinements) },
    constraints: withoutElapsedTime(rule.constraints),
  };
  return dutyDeadline(calendarOnly, now);
}
