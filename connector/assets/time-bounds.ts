// When an access policy's answer can change by itself. Evaluation is a pure function of the policy,
// the request and the time, and the only operand that reads the time is dateTime: between two
// consecutive instants named by a policy's dateTime constraints every comparison with "now" keeps
// its outcome (values/compare.ts: an instant t covers [t, t+1), an xsd:date its day [start, end)).
// The catalog caches each caller's visibility until the next such instant (caller-view.ts).

import type { Constraint, Policy, Rule } from '../../policies/index.js';

/** The instants at which `policy`'s decisions may change, unsorted (empty: never by itself). */
export function timeBoundaries(policy: Policy | undefined): number[] {
  const out: number[] = [];
  if (policy === undefined) return out;
  const constraints = (list: readonly Constraint[]): void => {
    for (const c of list) {
      if (c.kind === 'logical') constraints(c.constraints);
      else if (c.leftOperand === 'dateTime')
        for (const v of c.rightOperand)
          if (v.type === 'dateTime') out.push(v.start, v.start + 1, v.end, v.end + 1);
    }
  };
  const rule = (r: Rule): void => {
    constraints(r.action.refinements);
    constraints(r.constraints);
    for (const party of [r.target, r.assigner, r.assignee]) if (party) constraints(party.refinements);
    for (const d of [...r.duties, ...r.remedies, ...r.consequences]) rule(d);
  };
  for (const r of [...policy.permissions, ...policy.prohibitions, ...policy.obligations]) rule(r);
  return out;
}

/** Sorted, distinct. */
export function sortedBoundaries(lists: Iterable<readonly number[]>): Float64Array {
  const all: number[] = [];
  for (const list of lists) for (const t of list) all.push(t);
  const sorted = Float64Array.from(all).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i] as number;
  return sorted.subarray(0, n);
}

/**
 * The interval [from, until) around `now` in which no boundary lies strictly inside: decisions made
 * at `now` hold for every instant in it.
 */
export function stableInterval(boundaries: Float64Array, now: number): { from: number; until: number } {
  // First boundary > now.
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((boundaries[mid] as number) <= now) lo = mid + 1;
    else hi = mid;
  }
  return {
    from: lo === 0 ? -Infinity : (boundaries[lo - 1] as number),
    until: lo === boundaries.length ? Infinity : (boundaries[lo] as number),
  };
}
