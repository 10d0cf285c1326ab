// The twelve ODRL operators over typed values. Left values come from the request (several for
// declared and held operands, see operands/registry.ts), right values from the policy.
//
// Set semantics (ODRL 2.2 defines these operators in one line each; this is Shuyu's reading):
//   eq / isA / isPartOf   declared: every value;  held: some value
//   neq                   no value equals it
//   isAnyOf               declared: every value is one of the list; held: some value is
//   isAllOf, hasPart      every listed value is matched by some request value
//   isNoneOf              no request value matches any listed value
// With a vocabulary hierarchy, "matches" means "equals or lies below" (clinical-research matches
// medical-research); eq and neq never use the hierarchy.

import type { Operator } from '../model/types.js';
import type { Cardinality } from '../operands/registry.js';
import { compare } from '../values/compare.js';
import type { Ordering, TypedValue } from '../values/types.js';
import type { Hierarchy } from '../vocabulary/hierarchy.js';

export type Truth = boolean | 'indeterminate';

function within(h: Hierarchy | undefined, x: TypedValue, r: TypedValue): Truth {
  if (
    h !== undefined &&
    (x.type === 'iri' || x.type === 'string') &&
    (r.type === 'iri' || r.type === 'string')
  ) {
    return h.within(x.value, r.value);
  }
  return eq(compare(x, r));
}

function eq(o: Ordering): Truth {
  return o === 'indeterminate' ? (o as 'indeterminate') : o === 0;
}

/** Equality for eq / neq: ordered types by meaning (may be indeterminate), others by identity. */
function equal(x: TypedValue, r: TypedValue): Truth {
  const o = compare(x, r);
  if (o !== 'indeterminate') return o === 0;
  return x.type === 'iri' || x.type === 'string' || x.type === 'boolean' ? false : 'indeterminate';
}

function and(a: Truth, b: Truth): Truth {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : 'indeterminate';
}

function or(a: Truth, b: Truth): Truth {
  if (a === true || b === true) return true;
  return a === false && b === false ? false : 'indeterminate';
}

/** ∀x∈left: test(x)  (declared, one) or  ∃x∈left: test(x)  (held). */
function quantify(held: boolean, left: readonly TypedValue[], test: (x: TypedValue) => Truth): Truth {
  let acc: Truth = !held;
  for (let i = 0; i < left.length; i++) {
    const t = test(left[i] as TypedValue);
    acc = held ? or(acc, t) : and(acc, t);
    if (held ? acc === true : acc === false) return acc;
  }
  return acc;
}

function anyRight(right: readonly TypedValue[], test: (r: TypedValue) => Truth): Truth {
  let acc: Truth = false;
  for (let i = 0; i < right.length && acc !== true; i++) acc = or(acc, test(right[i] as TypedValue));
  return acc;
}

function allRight(right: readonly TypedValue[], test: (r: TypedValue) => Truth): Truth {
  let acc: Truth = true;
  for (let i = 0; i < right.length && acc !== false; i++) acc = and(acc, test(right[i] as TypedValue));
  return acc;
}

function not(t: Truth): Truth {
  return t === 'indeterminate' ? t : !t;
}

/** Does `left op right` hold? 'indeterminate' when the values cannot be ordered (P1M vs P30D). */
export function holds(
  op: Operator,
  cardinality: Cardinality,
  left: readonly TypedValue[],
  right: readonly TypedValue[],
  h: Hierarchy | undefined,
): Truth {
  const held = cardinality === 'held';
  const r0 = right[0] as TypedValue;
  switch (op) {
    case 'eq':
      return quantify(held, left, (x) => equal(x, r0));
    case 'neq':
      return quantify(false, left, (x) => not(equal(x, r0)));
    case 'lt':
    case 'lteq':
    case 'gt':
    case 'gteq':
      return quantify(held, left, (x) => ordered(op, compare(x, r0)));
    case 'isA':
    case 'isPartOf':
      return quantify(held, left, (x) => within(h, x, r0));
    case 'hasPart':
      return allRight(right, (r) => quantify(true, left, (x) => within(h, r, x)));
    case 'isAnyOf':
      return quantify(held, left, (x) => anyRight(right, (r) => within(h, x, r)));
    case 'isAllOf':
      return allRight(right, (r) => quantify(true, left, (x) => within(h, x, r)));
    case 'isNoneOf':
      return quantify(false, left, (x) => not(anyRight(right, (r) => within(h, x, r))));
  }
}

function ordered(op: 'lt' | 'lteq' | 'gt' | 'gteq', o: Ordering): Truth {
  if (o === 'indeterminate') return o;
  switch (op) {
    case 'lt':
      return o < 0;
    case 'lteq':
      return o <= 0;
    case 'gt':
      return o > 0;
    case 'gteq':
      return o >= 0;
  }
}
