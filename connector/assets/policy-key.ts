// Compares policies by meaning, not by spelling. The policy engine canonicalises every JSON-LD
// form (compact, odrl:-prefixed, expanded) to one shape; this file turns that shape into a string
// that is also blind to key order and to the order of rules and values in sets.

import type { Json, JsonObject } from '../../policies/jsonld/canonicalize.js';

/** Properties whose values are literals (kept as written by the canonical form). */
export const LITERAL_KEYS: ReadonlySet<string> = new Set(['rightOperand', 'unit', 'status']);

/**
 * One spelling per literal: the DSP schema allows no bare number as a right operand, so numbers
 * (and booleans) become typed strings, {"@value": "1000", "@type": "xsd:integer"}; the same value
 * sent back in either spelling then compares equal.
 */
export function normaliseLiteral(value: Json): Json {
  if (Array.isArray(value)) return value.map(normaliseLiteral);
  if (typeof value === 'number')
    return { '@value': String(value), '@type': Number.isInteger(value) ? 'xsd:integer' : 'xsd:decimal' };
  if (typeof value === 'boolean') return { '@value': String(value), '@type': 'xsd:boolean' };
  if (value !== null && typeof value === 'object' && typeof value['@type'] === 'string') {
    const v = value['@value'];
    if (typeof v === 'number' || typeof v === 'boolean') return { ...value, '@value': String(v) };
  }
  return value;
}

/** Metadata a catalog offer and a contract request legitimately differ in (checked separately). */
const IGNORED_TOP_LEVEL = new Set(['uid', 'type', 'target', 'assigner']);

/** The comparison key of a canonical policy's terms, per top-level property. */
export function policyTerms(canonical: JsonObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of Object.keys(canonical).sort()) {
    const value = canonical[key] as Json;
    if (IGNORED_TOP_LEVEL.has(key) || (Array.isArray(value) && value.length === 0)) continue;
    out.set(key, stable(value, key));
  }
  return out;
}

/** Top-level properties whose terms differ between two policies (empty: the same terms). */
export function differingTerms(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k)).sort();
}

/**
 * Sorted keys; arrays sorted too (ODRL rules, constraints and list values are sets), except the
 * members of andSequence, whose order is their meaning.
 */
function stable(value: Json, key: string): string {
  if (LITERAL_KEYS.has(key)) value = normaliseLiteral(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => stable(v, key));
    if (key !== 'andSequence') items.sort();
    return `[${items.join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    // An empty list says the same as no list ("constraint": [] is no constraint), as the DSP TCK sends it.
    const keys = Object.keys(value)
      .filter((k) => !(Array.isArray(value[k]) && (value[k] as Json[]).length === 0))
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(value[k] as Json, k)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
