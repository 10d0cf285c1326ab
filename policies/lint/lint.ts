// Warnings a policy author wants before publishing: rules that can never be satisfied, permissions
// and prohibitions that always collide, terms outside the vocabularies, agreements missing their
// parties, offers a DSP catalog would show empty. Errors (unknown operands, type mismatches) come
// from compiling; lint only warns.

import type { AtomicConstraint, Constraint, Policy, Rule } from '../model/types.js';
import { OPERANDS } from '../operands/registry.js';
import { warning, type PolicyProblem } from '../problems.js';
import { constraintText } from '../evaluate/trace.js';
import { compare } from '../values/compare.js';
import type { TypedValue } from '../values/types.js';
import type { Hierarchy } from '../vocabulary/hierarchy.js';
import type { Vocabularies } from '../vocabulary/index.js';

export interface LintOptions {
  /** "Now" for expiry warnings (default: the current time). */
  readonly now?: number;
}

export function lintPolicy(
  policy: Policy,
  vocabularies: Vocabularies,
  options: LintOptions = {},
): PolicyProblem[] {
  const now = options.now ?? Date.now();
  const out: PolicyProblem[] = [];
  if (policy.uid === undefined)
    out.push(
      warning(
        'LINT_NO_UID',
        '',
        'the policy has no @id (uid); ODRL requires one and DSP messages refer to offers by it',
      ),
    );
  const rules = [...policy.permissions, ...policy.prohibitions, ...policy.obligations];
  const seen = new Set<string>(); // atomic rules share their source rule's path: lint each source once
  for (const rule of rules) {
    if (seen.has(`${rule.kind}${rule.path}${rule.action.name}`)) continue;
    seen.add(`${rule.kind}${rule.path}${rule.action.name}`);
    lintRule(rule, vocabularies, now, out);
    for (const d of [...rule.duties, ...rule.remedies]) lintRule(d, vocabularies, now, out);
    for (const d of rule.duties) lintDutyConstraints(d, out);
  }
  lintConflicts(policy, vocabularies, out);
  if (policy.type === 'Agreement') lintAgreement(policy, out);
  if (policy.type === 'Offer') lintOffer(policy, vocabularies, now, out);
  return dedupe(out);
}

/**
 * A constraint on a duty says when the duty applies (it is inactive otherwise), which authors rarely
 * mean: "delete, elapsedTime lteq P30D" reads as "delete within 30 days" but says "the duty to delete
 * exists only during the first 30 days". How the duty must be done is a refinement of its action.
 */
function lintDutyConstraints(duty: Rule, out: PolicyProblem[]): void {
  for (const c of duty.constraints) {
    if (c.kind !== 'atomic') continue;
    const constraint = JSON.stringify({
      leftOperand: c.leftOperand,
      operator: c.operator,
      rightOperand: c.rightIsList ? c.rightOperand.map((v) => v.text) : c.rightOperand[0]?.text,
    });
    out.push(
      warning(
        'LINT_DUTY_CONSTRAINT',
        c.path,
        `a constraint on a duty only says when the duty applies (outside it the duty is inactive); to say how ${duty.action.name} must be done ` +
          `(e.g. within a time), refine the action instead: "action": {"value": "${duty.action.name}", "refinement": [${constraint}]}`,
      ),
    );
  }
}

function lintRule(rule: Rule, vocabularies: Vocabularies, now: number, out: PolicyProblem[]): void {
  const all = [...rule.action.refinements, ...rule.constraints];
  for (const c of walk(all)) lintTerms(c, vocabularies, out);
  const why = unsatisfiable(conjuncts(all), vocabularies);
  if (why)
    out.push(warning('LINT_UNSATISFIABLE', rule.path, `this ${rule.kind} can never be satisfied: ${why}`));
  const ended = endOf(conjuncts(rule.constraints));
  if (ended !== undefined && ended.time <= now) {
    out.push(
      warning(
        'LINT_EXPIRED',
        ended.path,
        `the ${rule.kind}'s time window ended at ${ended.text}; it can no longer be satisfied`,
      ),
    );
  }
  if (rule.kind === 'permission' && all.length === 0 && rule.assignee === undefined) {
    out.push(
      warning(
        'LINT_UNCONSTRAINED',
        rule.path,
        `this permission has no constraints and no assignee: anyone may ${rule.action.name}`,
      ),
    );
  }
}

/** Atomic constraints that must all hold (top level and inside and / andSequence). */
function conjuncts(list: readonly Constraint[]): AtomicConstraint[] {
  const out: AtomicConstraint[] = [];
  for (const c of list) {
    if (c.kind === 'atomic') out.push(c);
    else if (c.operator === 'and' || c.operator === 'andSequence') out.push(...conjuncts(c.constraints));
  }
  return out;
}

function* walk(list: readonly Constraint[]): Generator<AtomicConstraint> {
  for (const c of list) {
    if (c.kind === 'atomic') yield c;
    else yield* walk(c.constraints);
  }
}

/** Why a conjunction of atomic constraints can never hold, or undefined. */
function unsatisfiable(list: AtomicConstraint[], vocabularies: Vocabularies): string | undefined {
  const byOperand = new Map<string, AtomicConstraint[]>();
  for (const c of list) {
    if (c.rightOperandReference !== undefined) continue;
    byOperand.set(c.leftOperand, [...(byOperand.get(c.leftOperand) ?? []), c]);
  }
  for (const [name, group] of byOperand) {
    const operand = OPERANDS.get(name);
    if (!operand || group.length < 2) continue;
    if (operand.cardinality !== 'held') {
      const why = boundsConflict(group);
      if (why) return why;
    }
    if (operand.hierarchy) {
      const why = disjointClasses(group, vocabularies[operand.hierarchy], operand.cardinality === 'held');
      if (why) return why;
    }
  }
  return undefined;
}

/**
 * The instants a dateTime constraint admits, as a half-open interval [from, to) in milliseconds
 * (an instant t is the millisecond [t, t+1), an xsd:date its day; see values/compare.ts).
 */
function admitted(c: AtomicConstraint): [number, number] | undefined {
  const v = c.rightOperand[0];
  if (v?.type !== 'dateTime') return undefined;
  const end = v.end === v.start ? v.start + 1 : v.end;
  switch (c.operator) {
    case 'lt':
      return [-Infinity, v.start];
    case 'lteq':
      return [-Infinity, end];
    case 'gt':
      return [end, Infinity];
    case 'gteq':
      return [v.start, Infinity];
    case 'eq':
      return [v.start, end];
    default:
      return undefined;
  }
}

/** dateTime constraints whose intervals do not overlap. */
function timeConflict(group: AtomicConstraint[]): string | undefined {
  let from = -Infinity;
  let to = Infinity;
  const used: AtomicConstraint[] = [];
  for (const c of group) {
    const range = admitted(c);
    if (!range) continue;
    used.push(c);
    from = Math.max(from, range[0]);
    to = Math.min(to, range[1]);
    if (from >= to) return `${used.map(constraintText).join(' and ')} exclude each other`;
  }
  return undefined;
}

function boundsConflict(group: AtomicConstraint[]): string | undefined {
  if (group[0]?.valueType === 'dateTime') return timeConflict(group);
  for (const a of group) {
    for (const b of group) {
      if (a === b) continue;
      const x = a.rightOperand[0];
      const y = b.rightOperand[0];
      if (!x || !y) continue;
      const o = compare(x, y);
      if (o === 'indeterminate' && !(a.operator === 'eq' && b.operator === 'eq')) continue;
      const lower = (op: string) => op === 'gt' || op === 'gteq';
      const upper = (op: string) => op === 'lt' || op === 'lteq';
      const clash =
        // x is a lower bound at or above upper bound y
        (lower(a.operator) &&
          upper(b.operator) &&
          (o === 1 || (o === 0 && (a.operator === 'gt' || b.operator === 'lt')))) ||
        (a.operator === 'eq' && b.operator === 'eq' && o !== 0) ||
        (a.operator === 'eq' && b.operator === 'neq' && o === 0) ||
        (a.operator === 'eq' && upper(b.operator) && (o === 1 || (o === 0 && b.operator === 'lt'))) ||
        (a.operator === 'eq' && lower(b.operator) && (o === -1 || (o === 0 && b.operator === 'gt')));
      if (clash) return `${constraintText(a)} and ${constraintText(b)} exclude each other`;
    }
  }
  return undefined;
}

/** isA A and isA B (declared values) with no term below both: no value can be both. */
function disjointClasses(group: AtomicConstraint[], h: Hierarchy, held: boolean): string | undefined {
  if (held) return undefined; // a member may hold several sectors at once
  const classes = group.filter(
    (c) => c.operator === 'isA' || c.operator === 'isPartOf' || c.operator === 'eq',
  );
  for (const a of classes) {
    for (const b of classes) {
      if (a === b) continue;
      const x = (a.rightOperand[0] as TypedValue & { value: string }).value;
      const y = (b.rightOperand[0] as TypedValue & { value: string }).value;
      if (!h.has(x) || !h.has(y)) continue;
      let common = false;
      for (const t of h.terms()) {
        if (
          (a.operator === 'eq' ? t === x : h.within(t, x)) &&
          (b.operator === 'eq' ? t === y : h.within(t, y))
        ) {
          common = true;
          break;
        }
      }
      if (!common)
        return `${constraintText(a)} and ${constraintText(b)} exclude each other (nothing in the ${h.name} vocabulary is both)`;
    }
  }
  return undefined;
}

/** The earliest upper bound on dateTime among the conjuncts. */
function endOf(list: AtomicConstraint[]): { time: number; text: string; path: string } | undefined {
  let best: { time: number; text: string; path: string } | undefined;
  for (const c of list) {
    const v = c.rightOperand[0];
    if (c.leftOperand !== 'dateTime' || v?.type !== 'dateTime') continue;
    const time =
      c.operator === 'lt' ? v.start : c.operator === 'lteq' || c.operator === 'eq' ? v.end : undefined;
    if (time !== undefined && (best === undefined || time < best.time))
      best = { time, text: v.text, path: c.path };
  }
  return best;
}

function lintTerms(c: AtomicConstraint, vocabularies: Vocabularies, out: PolicyProblem[]): void {
  const operand = OPERANDS.get(c.leftOperand);
  if (!operand) return;
  if (operand.hierarchy) {
    const h = vocabularies[operand.hierarchy];
    for (const v of c.rightOperand) {
      if ((v.type === 'iri' || v.type === 'string') && !h.has(v.value)) {
        out.push(
          warning(
            'LINT_UNKNOWN_TERM',
            c.path,
            `"${v.value}" is not in the ${h.name} vocabulary: only requests naming exactly it will match, nothing below it`,
          ),
        );
      }
    }
  }
  if (c.leftOperand === 'dateTime') {
    for (const v of c.rightOperand) {
      if (v.type === 'dateTime' && !/(Z|[+-]\d{2}:\d{2})$/.test(v.text)) {
        out.push(
          warning(
            'LINT_NO_TIMEZONE',
            c.path,
            `${v.text} has no time zone and is read as UTC; write Z or an offset such as +08:00`,
          ),
        );
      }
    }
  }
  if (operand.cardinality === 'declared' && (c.operator === 'isAllOf' || c.operator === 'hasPart')) {
    out.push(
      warning(
        'LINT_SET_OPERATOR',
        c.path,
        `${c.operator} on ${c.leftOperand} requires the request to declare every listed value; isAnyOf is usually meant`,
      ),
    );
  }
}

function lintConflicts(policy: Policy, vocabularies: Vocabularies, out: PolicyProblem[]): void {
  const actions = vocabularies.actions;
  for (const p of policy.permissions) {
    for (const x of policy.prohibitions) {
      // A prohibition of a narrower action (use, except distribute) is an exception, not a clash,
      // unless "perm" lets the permission override it.
      const shadowsPermission = actions.within(p.action.name, x.action.name);
      const exception = !shadowsPermission && actions.within(x.action.name, p.action.name);
      if (!shadowsPermission && !(exception && policy.conflict === 'perm')) continue;
      if (!sameOrOpen(p.target?.id, x.target?.id) || !sameOrOpen(p.assignee?.id, x.assignee?.id)) continue;
      const pTexts = new Set([...p.action.refinements, ...p.constraints].map(constraintText));
      const xTexts = [...x.action.refinements, ...x.constraints].map(constraintText);
      if (!xTexts.every((t) => pTexts.has(t))) continue;
      const message = exception
        ? `the prohibition of ${x.action.name} never takes effect: conflict strategy "perm" lets the permission of ${p.action.name} at ${p.path} win; use "prohibit" to make it an exception`
        : `this prohibition of ${x.action.name} applies whenever the permission at ${p.path} (${p.action.name}) does: ` +
          {
            invalid:
              'with the default conflict strategy "invalid" the policy is void for every request the permission covers',
            prohibit: 'with conflict strategy "prohibit" the permission can never be used',
            perm: 'with conflict strategy "perm" the prohibition never takes effect',
          }[policy.conflict];
      out.push(warning('LINT_ALWAYS_CONFLICTS', x.path, message));
    }
  }
}

function sameOrOpen(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

function lintAgreement(policy: Policy, out: PolicyProblem[]): void {
  const rules = [...policy.permissions, ...policy.prohibitions, ...policy.obligations];
  const missing = (['target', 'assigner', 'assignee'] as const).filter((k) =>
    rules.some((r) => r[k]?.id === undefined && !r[k]?.collection),
  );
  if (missing.length > 0) {
    out.push(
      warning(
        'LINT_AGREEMENT_INCOMPLETE',
        '',
        `an Agreement must name its ${missing.join(', ')} (at policy level or on every rule); a DSP contract agreement without them cannot be enforced`,
      ),
    );
  }
}

function lintOffer(policy: Policy, vocabularies: Vocabularies, now: number, out: PolicyProblem[]): void {
  if (policy.permissions.length === 0 && policy.prohibitions.length === 0) {
    out.push(
      warning(
        'LINT_OFFER_EMPTY',
        '',
        'a DSP catalog offer needs at least one permission or prohibition; this one would be empty',
      ),
    );
    return;
  }
  const usable = policy.permissions.filter((p) => {
    const all = conjuncts([...p.action.refinements, ...p.constraints]);
    const ended = endOf(conjuncts(p.constraints));
    return unsatisfiable(all, vocabularies) === undefined && !(ended && ended.time <= now);
  });
  if (policy.permissions.length > 0 && usable.length === 0 && policy.prohibitions.length === 0) {
    out.push(
      warning(
        'LINT_OFFER_EMPTY',
        '',
        'no permission of this offer can ever be satisfied: in a DSP catalog it offers nothing',
      ),
    );
  }
  if (policy.target !== undefined || policy.permissions.some((p) => p.target !== undefined)) {
    out.push(
      warning(
        'LINT_OFFER_TARGET',
        '',
        'offers in a DSP catalog carry no target (the dataset is the target); Shuyu removes it when publishing',
      ),
    );
  }
}

function dedupe(list: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = `${p.code}${p.path}${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
