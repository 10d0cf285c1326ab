// Facets from an offer's contract policy: which purposes and places it permits, which credentials a
// user must hold and whether it costs money. Read from the compiled model (every JSON-LD form is one
// shape there). Exclusions (neq, isNoneOf) and prohibitions are not features: "not for marketing"
// does not make an offer one "for marketing".
import type { AtomicConstraint, Constraint, Policy, Rule } from '../../../policies/model/types.js';
import { valueText } from '../../../policies/evaluate/trace.js';
import { UNRESTRICTED, type OfferFeatures } from '../types.js';

const POSITIVE = new Set(['eq', 'isA', 'isAnyOf', 'isPartOf', 'isAllOf', 'hasPart']);

function atoms(constraints: readonly Constraint[], out: AtomicConstraint[] = []): AtomicConstraint[] {
  for (const c of constraints) {
    if (c.kind === 'atomic') out.push(c);
    else atoms(c.constraints, out);
  }
  return out;
}

/** Every atomic constraint a rule, its action refinements and its duties (recursively) carry. */
function ruleAtoms(rule: Rule): AtomicConstraint[] {
  return [
    ...atoms(rule.constraints),
    ...atoms(rule.action.refinements),
    ...rule.duties.flatMap(ruleAtoms),
    ...rule.consequences.flatMap(ruleAtoms),
  ];
}

function positiveValues(constraints: readonly AtomicConstraint[], operand: string): string[] {
  return constraints
    .filter((c) => c.leftOperand === operand && POSITIVE.has(c.operator))
    .flatMap((c) => c.rightOperand.map(valueText));
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** The features of one offer; an offer whose policy did not compile has none (and permits nothing). */
export function offerFeatures(policy: Policy | undefined): OfferFeatures {
  if (policy === undefined) {
    return { purposes: [], regions: [], credentials: [], price: 'free', prices: [] };
  }
  const purposes = new Set<string>();
  const regions = new Set<string>();
  const credentials = new Set<string>();
  const prices = new Set<string>();
  for (const permission of policy.permissions) {
    const own = atoms(permission.constraints);
    const rulePurposes = positiveValues(own, 'purpose');
    const ruleRegions = positiveValues(own, 'spatial');
    // A permission that does not constrain the purpose (or place) allows any.
    for (const p of rulePurposes.length > 0 ? rulePurposes : [UNRESTRICTED]) purposes.add(p);
    for (const r of ruleRegions.length > 0 ? ruleRegions : [UNRESTRICTED]) regions.add(r);
    for (const c of positiveValues(own, 'shuyu:credentialType')) credentials.add(c);
  }
  const everything = [...policy.permissions, ...policy.obligations].flatMap(ruleAtoms);
  for (const c of everything) {
    if (c.leftOperand !== 'payAmount') continue;
    for (const v of c.rightOperand) prices.add(`${valueText(v)}${c.unit ? ' ' + c.unit : ''}`);
  }
  return {
    purposes: sorted(purposes),
    regions: sorted(regions),
    credentials: sorted(credentials),
    price: prices.size > 0 ? 'paid' : 'free',
    prices: sorted(prices),
  };
}

/** (kind, value) rows for the index; kinds match the search parameters. */
export function featureRows(features: OfferFeatures): { kind: string; value: string }[] {
  return [
    ...features.purposes.map((value) => ({ kind: 'purpose', value })),
    ...features.regions.map((value) => ({ kind: 'region', value })),
    ...features.credentials.map((value) => ({ kind: 'credential', value })),
    { kind: 'price', value: features.price },
  ];
}
