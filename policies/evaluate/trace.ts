// The evaluation trace: every rule and constraint looked at, the values compared and why each held
// or failed. Plain data (JSON-serialisable), rendered into sentences by explain.ts.

import type { AtomicConstraint, Constraint, RuleKind } from '../model/types.js';
import type { TypedValue } from '../values/types.js';

export type ConstraintOutcome = 'satisfied' | 'not-satisfied' | 'error';
export type RuleOutcome = 'satisfied' | 'not-satisfied' | 'not-applicable' | 'error';

export interface ConstraintTrace {
  readonly path: string;
  /** Where the constraint sits: a rule constraint or a refinement of the action, target or assignee. */
  readonly role: string;
  /** The constraint as text, e.g. "purpose isA scientific-research". */
  readonly constraint: string;
  readonly outcome: ConstraintOutcome;
  /** The request's value(s) compared, as text; absent when the request did not give one. */
  readonly requestValue?: string;
  readonly reason: string;
  /** Members of a logical constraint. */
  readonly constraints?: readonly ConstraintTrace[];
}

export interface DutyTrace {
  readonly path: string;
  readonly uid?: string;
  readonly action: string;
  /** inactive: its constraints do not hold now; pending: to be fulfilled; remedied: violated but its consequences were fulfilled. */
  readonly state: DutyStateName;
  readonly constraints: readonly ConstraintTrace[];
  readonly consequences: readonly DutyTrace[];
}

export type DutyStateName = 'inactive' | 'pending' | 'fulfilled' | 'violated' | 'remedied';

export interface RuleTrace {
  readonly kind: RuleKind | 'obligation';
  readonly path: string;
  readonly uid?: string;
  readonly action: string;
  readonly target?: string;
  readonly assignee?: string;
  readonly outcome: RuleOutcome;
  /** Why the rule does not apply, when it does not. */
  readonly notApplicable?: string;
  readonly constraints: readonly ConstraintTrace[];
  readonly duties: readonly DutyTrace[];
  /** Remedies of a prohibition that applies: what restores compliance if it is violated. */
  readonly remedies: readonly DutyTrace[];
}

export interface Trace {
  readonly policy: { readonly uid?: string; readonly type: string; readonly conflict: string };
  readonly request: {
    readonly action: string;
    readonly target?: string;
    readonly assignee?: string;
    readonly time: string;
  };
  readonly rules: readonly RuleTrace[];
}

export function valueText(v: TypedValue): string {
  if (v.type === 'dateTime' && v.text === '') return new Date(v.start).toISOString();
  return v.type === 'grade' ? v.value : v.text;
}

export function valuesText(values: readonly TypedValue[], asList: boolean): string {
  if (!asList && values.length === 1) return valueText(values[0] as TypedValue);
  return `[${values.map(valueText).join(', ')}]`;
}

export function constraintText(c: Constraint): string {
  if (c.kind === 'logical') return `${c.operator}(${c.constraints.map(constraintText).join('; ')})`;
  return atomicText(c);
}

function atomicText(c: AtomicConstraint): string {
  const right =
    c.rightOperandReference !== undefined && c.rightOperand.length === 0
      ? `<${c.rightOperandReference}>`
      : valuesText(c.rightOperand, c.rightIsList);
  return `${c.leftOperand} ${c.operator} ${right}${c.unit ? ' ' + c.unit : ''}`;
}
