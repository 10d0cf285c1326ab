// The internal policy model: what every input form normalises to and what the compiler reads.
// Values in constraints are already typed (see values/), actions and operands canonical names.

import type { TypedValue, ValueType } from '../values/types.js';

export type PolicyType =
  'Set' | 'Offer' | 'Agreement' | 'Policy' | 'Request' | 'Ticket' | 'Privacy' | 'Assertion';
export type ConflictStrategy = 'perm' | 'prohibit' | 'invalid';
export type RuleKind = 'permission' | 'prohibition' | 'duty';

export const COMPARISON_OPERATORS = ['eq', 'neq', 'lt', 'lteq', 'gt', 'gteq'] as const;
export const SET_OPERATORS = ['isA', 'hasPart', 'isPartOf', 'isAllOf', 'isAnyOf', 'isNoneOf'] as const;
export const LOGICAL_OPERATORS = ['or', 'xone', 'and', 'andSequence'] as const;

export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];
export type SetOperator = (typeof SET_OPERATORS)[number];
export type Operator = ComparisonOperator | SetOperator;
export type LogicalOperator = (typeof LOGICAL_OPERATORS)[number];

export interface AtomicConstraint {
  readonly kind: 'atomic';
  readonly path: string;
  readonly uid?: string;
  readonly leftOperand: string;
  readonly operator: Operator;
  /** One value, or several for list right operands. */
  readonly rightOperand: readonly TypedValue[];
  readonly rightIsList: boolean;
  /** IRI whose value the request supplies (odrl:rightOperandReference). */
  readonly rightOperandReference?: string;
  readonly valueType: ValueType;
  readonly unit?: string;
  readonly status?: TypedValue;
}

export interface LogicalConstraint {
  readonly kind: 'logical';
  readonly path: string;
  readonly uid?: string;
  readonly operator: LogicalOperator;
  readonly constraints: readonly Constraint[];
}

export type Constraint = AtomicConstraint | LogicalConstraint;

/** An action, possibly narrowed by refinements (e.g. print with resolution lteq 1200). */
export interface ActionRef {
  readonly name: string;
  readonly refinements: readonly Constraint[];
}

/** A target asset or a party: an identifier, or a collection narrowed by refinements. */
export interface EntityRef {
  readonly id?: string;
  readonly collection: boolean;
  readonly source?: string;
  readonly refinements: readonly Constraint[];
}

export interface Rule {
  readonly kind: RuleKind;
  readonly path: string;
  readonly uid?: string;
  readonly action: ActionRef;
  readonly target?: EntityRef;
  readonly assigner?: EntityRef;
  readonly assignee?: EntityRef;
  readonly constraints: readonly Constraint[];
  /** Duties of a permission. */
  readonly duties: readonly Rule[];
  /** Remedies of a prohibition. */
  readonly remedies: readonly Rule[];
  /** Consequences of a duty. */
  readonly consequences: readonly Rule[];
  /** Parties a duty names (compensatedParty, informedParty, ...). */
  readonly parties: Readonly<Record<string, readonly string[]>>;
}

export interface Policy {
  readonly uid?: string;
  readonly type: PolicyType;
  readonly profiles: readonly string[];
  readonly conflict: ConflictStrategy;
  readonly assigner?: EntityRef;
  readonly assignee?: EntityRef;
  readonly target?: EntityRef;
  /** Atomic rules: one action, at most one target, assigner and assignee each. */
  readonly permissions: readonly Rule[];
  readonly prohibitions: readonly Rule[];
  readonly obligations: readonly Rule[];
}
