// Renders a decision and its trace as sentences for policy authors and for DSP error reasons.

import type { Decision } from './compiled-policy.js';
import type { ConstraintTrace, DutyTrace } from './trace.js';

const SUMMARY: Readonly<Record<string, string>> = {
  PERMITTED: 'a permission applies and all its constraints are satisfied',
  PERMITTED_BY_CONFLICT_STRATEGY:
    'a permission and a prohibition both apply; the conflict strategy "perm" lets the permission win',
  NO_RULE_APPLIES: 'no rule of the policy is about this action, target and party',
  CONSTRAINT_NOT_SATISFIED: 'a permission applies but its constraints are not satisfied',
  DUTY_VIOLATED: 'a permission applies but one of its duties was violated and not remedied',
  PROHIBITED: 'a prohibition applies and its constraints are satisfied',
  POLICY_VOID_BY_CONFLICT:
    'a permission and a prohibition both apply and the conflict strategy "invalid" makes the policy void',
  OBLIGATION_VIOLATED: 'an obligation of the policy was violated and not remedied',
  EVALUATION_ERROR:
    'a constraint could not be evaluated (a value is malformed or cannot be compared), so the engine refuses (fail closed)',
  MISSING_INFORMATION:
    'the request does not give a value a constraint needs, so the engine refuses (fail closed)',
  INVALID_POLICY: 'the policy is invalid, so nothing it says is permitted',
  INVALID_REQUEST: 'the request is malformed',
};

/** One sentence: the decision and its main reason (suitable for a DSP error "reason"). */
export function reasonOf(decision: Decision): string {
  const base = `${decision.decision}: ${SUMMARY[decision.code] ?? decision.code}`;
  if (decision.code === 'INVALID_REQUEST') return `${base}: ${decision.detail ?? ''}`.trim();
  if (decision.code === 'INVALID_POLICY')
    return `${base}: ${decision.problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ')}`;
  const rules = decision.trace.rules;
  // Name what decided: the prohibition for PROHIBITED and conflicts, otherwise the first failing
  // constraint (a prohibition's before a permission's for EVALUATION_ERROR: that is what denied).
  if (decision.code === 'PROHIBITED' || decision.code === 'POLICY_VOID_BY_CONFLICT') {
    const x = rules.find((r) => r.kind === 'prohibition' && r.outcome === 'satisfied');
    return x ? `${base} (prohibition at ${x.path} on ${x.action})` : base;
  }
  if (decision.decision === 'permit') return base;
  const ordered = [
    ...rules.filter((r) => r.kind === 'prohibition'),
    ...rules.filter((r) => r.kind !== 'prohibition'),
  ];
  for (const rule of ordered) {
    const wanted = rule.kind === 'prohibition' ? ['error'] : ['not-satisfied', 'error'];
    if (!wanted.includes(rule.outcome)) continue;
    const c = findConstraint(rule.constraints, wanted);
    if (c) return `${base} (${c.constraint}: ${c.reason})`;
  }
  return base;
}

function findConstraint(list: readonly ConstraintTrace[], outcomes: string[]): ConstraintTrace | undefined {
  for (const c of list) {
    if (!outcomes.includes(c.outcome)) continue;
    if (c.constraints && c.constraints.length > 0 && c.outcome === 'error')
      return findConstraint(c.constraints, outcomes) ?? c;
    return c;
  }
  return undefined;
}

/** The decision explained in sentences, one per line, rule by rule. */
export function explain(decision: Decision): string[] {
  const lines = [
    `Decision: ${decision.decision.toUpperCase()} because ${SUMMARY[decision.code] ?? decision.code}.`,
  ];
  if (decision.detail) lines.push(`  ${decision.detail}`);
  for (const p of decision.problems) lines.push(`  Policy error at ${p.path || '/'}: ${p.message}`);
  const trace = decision.trace;
  if (decision.code !== 'INVALID_POLICY') {
    lines.push(
      `Request: ${trace.request.action}${trace.request.target ? ` of ${trace.request.target}` : ''}${trace.request.assignee ? ` by ${trace.request.assignee}` : ''} at ${trace.request.time}.`,
    );
  }
  for (const rule of trace.rules) {
    const name = `${rule.kind === 'obligation' ? 'Obligation' : capitalise(rule.kind)} ${rule.uid ?? rule.path} (${rule.action}${rule.target ? ` on ${rule.target}` : ''})`;
    if (rule.outcome === 'not-applicable') {
      lines.push(`${name} does not apply: ${rule.notApplicable}.`);
      continue;
    }
    const verdict = {
      satisfied: rule.kind === 'prohibition' ? 'applies and forbids the request' : 'is satisfied',
      'not-satisfied': rule.kind === 'prohibition' ? 'does not forbid the request' : 'is not satisfied',
      error: 'could not be evaluated',
    }[rule.outcome];
    lines.push(
      `${name} ${verdict}${rule.kind === 'obligation' ? '' : rule.constraints.length === 0 ? ' (it has no constraints)' : ':'}`,
    );
    for (const c of rule.constraints) renderConstraint(c, '  ', lines);
    for (const d of rule.duties) renderDuty(d, '  ', lines);
    for (const d of rule.remedies) renderDuty(d, '  ', lines, 'remedy');
    for (const d of rule.remedies) renderDuty(d, '  remedy ', lines);
  }
  if (decision.duties.length > 0) {
    lines.push('Duties that come with the permit:');
    for (const d of decision.duties) {
      const how = d.refinements.length > 0 ? ` (${d.refinements.join('; ')})` : '';
      const when = d.constraints.length > 0 ? ` when ${d.constraints.join('; ')}` : '';
      lines.push(`  - ${d.action}${how}${when}: ${d.state}${d.obligation ? ' (policy obligation)' : ''}`);
    }
  }
  return lines;
}

function renderConstraint(c: ConstraintTrace, indent: string, lines: string[]): void {
  const mark = c.outcome === 'satisfied' ? '✓' : c.outcome === 'error' ? '!' : '✗';
  const role = c.role === 'constraint' ? '' : ` [${c.role}]`;
  lines.push(`${indent}${mark} ${c.constraint}${role}: ${c.reason}`);
  for (const child of c.constraints ?? []) renderConstraint(child, indent + '  ', lines);
}

function renderDuty(d: DutyTrace, indent: string, lines: string[], label = 'duty'): void {
  lines.push(`${indent}${label} ${d.uid ?? d.action}: ${d.state}`);
  for (const c of d.constraints) renderConstraint(c, indent + '  ', lines);
  for (const q of d.consequences) renderDuty(q, indent + '  ', lines);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
