// The twelve ODRL operators over typed values. Left values come from the request (several for
// declared and held operands, see operands/registry.ts), right values from the policy.
//
// Set semantics (ODRL 2.2 defines these operators in one line each; this is Shuyu's reading):
//   eq / isA / isPartOf   declared: every value;  held: some value
//   neq                   no value equals it
//   lt, lteq, gt, gteq    the (single) value compared in order
//   isAnyOf               declared: every value is one of the list; held: some value is
//   isAllOf, hasPart      every listed value is matched by some request value
//   isNoneOf              no request value matches any listed value
// With a vocabulary hierarchy, "matches" means "equals or lies below" (clinical-research matches
// medical-research; for hasPart the listed value lies below the request's). eq and neq never use
// the hierarchy. Comparisons that cannot be decided (P1M against P30D) are 'indeterminate', and
// combine as "unknown" in Kleene's logic. Written as plain loops: this is the evaluation hot path.

import type { Operator } from '../model/types.js';
import type { Cardinality } from '../operands/registry.js';
import { compare } from '../values/compare.js';
import type { TypedValue } from '../values/types.js';
import type { Hierarchy } from '../vocabulary/hierarchy.js';

export type Truth = boolean | 'indeterminate';
const UNKNOWN = 'indeterminate';

/** x op r for one pair of values. */
function pair(op: Operator, x: TypedValue, r: TypedValue, h: Hierarchy | undefined): Truth {
  switch (op) {
    case 'eq':
    case 'neq': {
      const o = compare(x, r);
      let equal: Truth;
      if (o !== UNKNOWN) equal = o === 0;
      else equal = x.type === 'iri' || x.type === 'string' || x.type === 'boolean' ? false : UNKNOWN;
      return op === 'eq' || equal === UNKNOWN ? equal : !equal;
    }
    case 'lt':
    case 'lteq':
    case 'gt':
    case 'gteq': {
      const o = compare(x, r);
      if (o === UNKNOWN) return o;
      return op === 'lt' ? o < 0 : op === 'lteq' ? o <= 0 : op === 'gt' ? o > 0 : o >= 0;
    }
    case 'hasPart':
      return within(h, r, x);
    default: // isA, isPartOf, isAnyOf, isAllOf, isNoneOf: membership below a term
      return within(h, x, r);
  }
}

function within(h: Hierarchy | undefined, x: TypedValue, r: TypedValue): Truth {
  if (
    h !== undefined &&
    (x.type === 'iri' || x.type === 'string') &&
    (r.type === 'iri' || r.type === 'string')
  ) {
    return h.within(x.value, r.value);
  }
  const o = compare(x, r);
  if (o !== UNKNOWN) return o === 0;
  return x.type === 'iri' || x.type === 'string' || x.type === 'boolean' ? false : UNKNOWN;
}

/** Does some right value match x? (false, true or unknown) */
function anyRight(
  op: Operator,
  x: TypedValue,
  right: readonly TypedValue[],
  h: Hierarchy | undefined,
): Truth {
  let unknown = false;
  for (let j = 0; j < right.length; j++) {
    const t = pair(op, x, right[j] as TypedValue, h);
    if (t === true) return true;
    if (t === UNKNOWN) unknown = true;
  }
  return unknown ? UNKNOWN : false;
}

/** Does some left value match r? */
function anyLeft(op: Operator, left: readonly TypedValue[], r: TypedValue, h: Hierarchy | undefined): Truth {
  let unknown = false;
  for (let i = 0; i < left.length; i++) {
    const t = pair(op, left[i] as TypedValue, r, h);
    if (t === true) return true;
    if (t === UNKNOWN) unknown = true;
  }
  return unknown ? UNKNOWN : false;
}

/** Does `left op right` hold? */
export function holds(
  op: Operator,
  cardinality: Cardinality,
  left: readonly TypedValue[],
  right: readonly TypedValue[],
  h: Hierarchy | undefined,
): Truth {
  let unknown = false;
  switch (op) {
    case 'isAllOf':
    case 'hasPart':
      // every right value is matched by some left value
      for (let j = 0; j < right.length; j++) {
        const t = anyLeft(op, left, right[j] as TypedValue, h);
        if (t === false) return false;
        if (t === UNKNOWN) unknown = true;
      }
      return unknown ? UNKNOWN : true;
    case 'isNoneOf':
      // no left value matches any right value
      for (let i = 0; i < left.length; i++) {
        const t = anyRight(op, left[i] as TypedValue, right, h);
        if (t === true) return false;
        if (t === UNKNOWN) unknown = true;
      }
      return unknown ? UNKNOWN : true;
    case 'neq':
      // no left value equals the right value
      for (let i = 0; i < left.length; i++) {
        const t = pair(op, left[i] as TypedValue, right[0] as TypedValue, h);
        if (t === false) return false;
        if (t === UNKNOWN) unknown = true;
      }
      return unknown ? UNKNOWN : true;
    default: {
      // eq, lt.., isA, isPartOf, isAnyOf: every (declared) or some (held) left value matches the right
      const held = cardinality === 'held';
      for (let i = 0; i < left.length; i++) {
        const t = anyRight(op, left[i] as TypedValue, right, h);
        if (t === held) return held;
        if (t === UNKNOWN) unknown = true;
      }
      return unknown ? UNKNOWN : !held;
    }
  }
}
