// An ODRL offer in sentences for people choosing data: who may use it, for what, until when, with
// which duties, and what is forbidden. Built from the policy engine's model, so every JSON-LD form
// reads the same. Terms the summary has no words for fall back to the engine's own constraint text
// ("industry isA energy"): never silently dropped.
//
//   const summary = await summariseOffer(offerJson);
//   summary.sentences  // ["Members holding MembershipCredential and SectorCredential, in the medical
//                      //   sector, … may use the data for scientific research …", "Forbidden: …"]
import { compilePolicy } from '../../../policies/index.js';
import { constraintText } from '../../../policies/evaluate/trace.js';
import type { AtomicConstraint, Constraint, Policy, Rule } from '../../../policies/model/types.js';
import { action, list, region, term, value } from './words.js';

export interface PermissionSummary {
  /** Who may: "Members holding …, in the medical sector, acting as hospital or research institute". */
  readonly who: string;
  /** What for and where: "use the data for scientific research (or a narrower purpose), in China". */
  readonly what: string;
  /** Until when: "from 2026-01-01+08:00, before 2028-01-01+08:00, for at most 180 days after first use". */
  readonly when: string;
  /** What the user must do: "anonymise the data", "delete the data within 180 days", "pay 5000.00 CNY". */
  readonly duties: readonly string[];
  /** The whole rule as one sentence. */
  readonly sentence: string;
}

export interface OfferSummary {
  readonly permissions: readonly PermissionSummary[];
  /** "Forbidden: distribute the data (if it happens: delete the data)." */
  readonly prohibitions: readonly string[];
  /** Policy-level obligations: "Every user must pay 5000.00 CNY." */
  readonly obligations: readonly string[];
  /** Every sentence above, in order: what a console prints. */
  readonly sentences: readonly string[];
  /** Why the offer could not be read (it then permits nothing). */
  readonly problems?: readonly string[];
}

type Category = 'who' | 'what' | 'when';

const CATEGORY: Readonly<Record<string, Category>> = {
  'shuyu:credentialType': 'who',
  'shuyu:sector': 'who',
  'shuyu:sectorRole': 'who',
  'shuyu:dataGradeClearance': 'who',
  'shuyu:memberRole': 'who',
  'shuyu:dataSpace': 'who',
  'shuyu:registrationNumber': 'who',
  dateTime: 'when',
  elapsedTime: 'when',
  meteredTime: 'when',
  count: 'when',
};

const NEGATIVE = new Set(['neq', 'isNoneOf']);

/** The right operand for people; `show` names IRI values (regions by their name, terms spelt out). */
function values(c: AtomicConstraint, show?: (iri: string) => string): string[] {
  return c.rightOperand.map((v) => (show && v.type === 'iri' ? show(v.value) : value(v)));
}

function joined(c: AtomicConstraint, show?: (v: string) => string): string {
  return list(values(c, show), c.operator === 'isAllOf' || c.operator === 'hasPart' ? 'and' : 'or');
}

/** "(or a narrower …)" when the operator walks a hierarchy. */
function narrower(c: AtomicConstraint, what: string): string {
  return c.operator === 'isA' || c.operator === 'isPartOf' ? ` (or a narrower ${what})` : '';
}

const COMPARISON: Readonly<Record<string, string>> = {
  eq: 'exactly',
  neq: 'other than',
  lt: 'below',
  lteq: 'at most',
  gt: 'above',
  gteq: 'at least',
};

/** One atomic constraint as a phrase, or undefined when there are no words for it. */
function phrase(c: AtomicConstraint): string | undefined {
  const not = NEGATIVE.has(c.operator) ? 'not ' : '';
  switch (c.leftOperand) {
    case 'shuyu:credentialType':
      return `${not}holding ${joined(c)}`;
    case 'shuyu:sector':
      return `${not}in the ${joined(c, term)} sector${narrower(c, 'sector')}`;
    case 'shuyu:sectorRole':
      return `${not}acting as ${joined(c, term)}${narrower(c, 'role')}`;
    case 'shuyu:memberRole':
      return `${not}with the member role ${joined(c)}`;
    case 'shuyu:dataSpace':
      return `${not}members of ${joined(c)}`;
    case 'shuyu:registrationNumber':
      return `${not}registered as ${joined(c)}`;
    case 'shuyu:dataGradeClearance':
      if (c.operator === 'gteq') return `cleared for ${joined(c)} data or higher`;
      if (c.operator === 'gt') return `cleared above ${joined(c)} data`;
      return `with a data grade clearance ${COMPARISON[c.operator] ?? c.operator} ${joined(c)}`;
    case 'shuyu:dataGrade':
      return `for data graded ${COMPARISON[c.operator] ?? c.operator} ${joined(c)}`;
    case 'purpose':
      return `${not}for ${joined(c, term)}${narrower(c, 'purpose')}`;
    case 'spatial':
      if (NEGATIVE.has(c.operator)) return `outside ${joined(c, region)}`;
      return `in ${joined(c, region)}`;
    case 'dateTime':
      if (c.operator === 'gteq') return `from ${joined(c)}`;
      if (c.operator === 'gt') return `after ${joined(c)}`;
      if (c.operator === 'lt') return `before ${joined(c)}`;
      if (c.operator === 'lteq') return `until ${joined(c)}`;
      return undefined;
    case 'elapsedTime':
      return `for ${COMPARISON[c.operator] ?? c.operator} ${joined(c)} after first use`;
    case 'meteredTime':
      return `for ${COMPARISON[c.operator] ?? c.operator} ${joined(c)} of use in total`;
    case 'count':
      if (c.operator === 'lteq') return `at most ${joined(c)} times`;
      if (c.operator === 'lt') return `fewer than ${joined(c)} times`;
      return `a number of times ${COMPARISON[c.operator] ?? c.operator} ${joined(c)}`;
    case 'payAmount':
      return `for a payment of ${joined(c)}${c.unit ? ' ' + term(c.unit) : ''}`;
    default:
      return undefined;
  }
}

function constraintPhrase(c: Constraint): string {
  if (c.kind === 'atomic') return phrase(c) ?? constraintText(c);
  const parts = c.constraints.map(constraintPhrase);
  if (c.operator === 'or') return `either ${list(parts.map((p) => `(${p})`))}`;
  if (c.operator === 'xone') return `exactly one of ${list(parts.map((p) => `(${p})`))}`;
  return list(parts, 'and');
}

function categoryOf(c: Constraint): Category {
  if (c.kind === 'atomic') return CATEGORY[c.leftOperand] ?? 'what';
  const first = c.constraints[0];
  return first === undefined ? 'what' : categoryOf(first);
}

/**
 * A duty's constraint says when the duty applies, not how it is done: "while at most 30 days have
 * passed since first use" (not "for at most 30 days", which reads as a deadline).
 */
function dutyCondition(c: Constraint): string {
  if (c.kind === 'atomic' && c.leftOperand === 'elapsedTime')
    return `while ${COMPARISON[c.operator] ?? c.operator} ${joined(c)} have passed since first use`;
  if (c.kind === 'atomic' && c.leftOperand === 'meteredTime')
    return `while the data has been used ${COMPARISON[c.operator] ?? c.operator} ${joined(c)} in total`;
  if (c.kind === 'atomic' && c.leftOperand === 'count')
    return `while the number of uses is ${COMPARISON[c.operator] ?? c.operator} ${joined(c)}`;
  return `when ${constraintPhrase(c)}`;
}

/** A duty as an imperative: "delete the data (elapsedTime at most 180 days)" reads "delete the data within 180 days". */
function duty(rule: Rule): string {
  const how = rule.action.refinements.map((r) =>
    r.kind === 'atomic' && r.leftOperand === 'elapsedTime' && (r.operator === 'lteq' || r.operator === 'lt')
      ? `within ${joined(r)} of first use`
      : r.kind === 'atomic' && r.leftOperand === 'payAmount'
        ? `${joined(r)}${r.unit ? ' ' + term(r.unit) : ''}`
        : constraintPhrase(r),
  );
  const when = rule.constraints.map(dutyCondition);
  const parties = Object.entries(rule.parties).map(([role, ids]) => `${term(role)}: ${list([...ids])}`);
  return [
    action(rule.action.name),
    ...how,
    ...(when.length ? [`(a duty only ${list(when, 'and')})`] : []),
    ...parties,
  ].join(' ');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function who(rule: Rule, phrases: readonly string[]): string {
  const party = rule.assignee?.id
    ? rule.assignee.collection
      ? `Members of ${rule.assignee.id}`
      : `Only ${rule.assignee.id}`
    : phrases.length > 0
      ? 'Members'
      : 'Anyone who can see this offer';
  return phrases.length > 0 ? `${party} ${list([...phrases], 'and')}` : party;
}

function permission(rule: Rule): PermissionSummary {
  const byCategory: Record<Category, string[]> = { who: [], what: [], when: [] };
  for (const c of [...rule.constraints, ...rule.action.refinements]) {
    byCategory[categoryOf(c)].push(constraintPhrase(c));
  }
  const whoText = who(rule, byCategory.who);
  const what = [action(rule.action.name), ...byCategory.what].join(' ');
  const when = byCategory.when.length > 0 ? byCategory.when.join(', ') : 'with no time limit';
  const duties = rule.duties.map(duty);
  const sentence =
    `${whoText} may ${what}, ${when}.` + (duties.length > 0 ? ` They must ${list(duties, 'and')}.` : '');
  return { who: whoText, what, when, duties, sentence };
}

function prohibition(rule: Rule): string {
  const conditions = rule.constraints.map(constraintPhrase);
  const remedies = rule.remedies.map(duty);
  return (
    `Forbidden: ${action(rule.action.name)}${conditions.length ? ' ' + list(conditions, 'and') : ''}` +
    `${remedies.length ? ` (if it happens: ${list(remedies, 'and')})` : ''}.`
  );
}

/** The summary of a compiled policy model (undefined: the policy did not compile). */
export function summarisePolicy(policy: Policy | undefined, problems: readonly string[] = []): OfferSummary {
  if (policy === undefined) {
    const sentence = `This offer cannot be read, so it permits nothing${problems.length ? `: ${problems.join('; ')}` : '.'}`;
    return { permissions: [], prohibitions: [], obligations: [], sentences: [sentence], problems };
  }
  const permissions = policy.permissions.map(permission);
  const prohibitions = policy.prohibitions.map(prohibition);
  const obligations = policy.obligations.map((o) => `Every user must ${duty(o)}.`);
  const sentences = [
    ...(permissions.length === 0 ? ['This offer permits nothing.'] : permissions.map((p) => p.sentence)),
    ...prohibitions,
    ...obligations,
  ];
  return { permissions, prohibitions, obligations, sentences: sentences.map(capitalise) };
}

/** Summarises an ODRL offer in any JSON-LD form (a DSP catalog offer, a template, an agreement). */
export async function summariseOffer(offer: unknown): Promise<OfferSummary> {
  const compiled = await compilePolicy(offer);
  return summarisePolicy(
    compiled.policy.policy,
    compiled.problems.map((p) => `${p.path || '/'}: ${p.message}`),
  );
}
