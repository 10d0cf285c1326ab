// What the DSP 2025-1 context defines, read once from the bundled context itself (never a second
// hand-kept list): every term in any scope, the prefixes, and the IRIs the terms stand for. The fast
// path uses these to decide that a key means the same with or without JSON-LD processing.

import { dspContextDocument } from './loader.js';

export interface DspTerms {
  /** Every term defined at the top or in a type-scoped context ("offer", "Catalog", "leftOperand"...). */
  readonly terms: ReadonlySet<string>;
  /** Prefix → namespace IRI ("dct" → "http://purl.org/dc/terms/"). */
  readonly prefixes: ReadonlyMap<string, string>;
  /** The absolute IRIs those terms expand to: a prefixed key naming one of these compacts to a term. */
  readonly termIris: ReadonlySet<string>;
  /** Terms that stand for the ODRL IRI of the same name ("use", "eq", "and"): safe as bare ODRL values. */
  readonly odrlTerms: ReadonlySet<string>;
}

type Definition = string | { '@id'?: string; '@context'?: Record<string, unknown> } | null;

function readTerms(): DspTerms {
  const root = (dspContextDocument() as { '@context': Record<string, unknown> })['@context'];
  const prefixes = new Map<string, string>();
  const terms = new Set<string>();
  const ids: string[] = [];
  const odrlTerms = new Set<string>();
  const visit = (ctx: Record<string, unknown>): void => {
    for (const [key, raw] of Object.entries(ctx)) {
      if (key.startsWith('@')) continue;
      const def = raw as Definition;
      const id = typeof def === 'string' ? def : def?.['@id'];
      if (typeof id === 'string' && /[/#]$/.test(id) && !id.includes('@')) prefixes.set(key, id);
      else terms.add(key);
      if (typeof id === 'string') ids.push(id);
      if (id === `odrl:${key}`) odrlTerms.add(key);
      if (def !== null && typeof def === 'object' && def['@context']) visit(def['@context']);
    }
  };
  visit(root);
  const expand = (iri: string): string => {
    const colon = iri.indexOf(':');
    const ns = colon > 0 ? prefixes.get(iri.slice(0, colon)) : undefined;
    return ns === undefined ? iri : ns + iri.slice(colon + 1);
  };
  return { terms, prefixes, termIris: new Set(ids.map(expand)), odrlTerms };
}

export const DSP_TERMS: DspTerms = readTerms();

/**
 * Shuyu's extension properties on DSP messages (connector/control-plane/extensions.ts) are full IRIs in
 * this namespace. No DSP term or prefix maps into it (checked below), so compaction leaves such a key as
 * it is and a message carrying one keeps the fast path.
 */
const EXTENSION_NAMESPACE = 'https://w3id.org/shuyu/v1#';
const EXTENSION_KEYS_STABLE =
  ![...DSP_TERMS.prefixes.values()].some((ns) => EXTENSION_NAMESPACE.startsWith(ns)) &&
  ![...DSP_TERMS.termIris].some((iri) => iri.startsWith(EXTENSION_NAMESPACE));

/**
 * True when `key` reads the same before and after compaction with the DSP context: a term, a
 * prefixed name ("dct:title") whose IRI no term stands for, or a Shuyu extension IRI. "dspace:providerPid"
 * or another full IRI would compact to something else, so they are not.
 */
export function isStableKey(key: string): boolean {
  if (DSP_TERMS.terms.has(key)) return true;
  if (EXTENSION_KEYS_STABLE && key.startsWith(EXTENSION_NAMESPACE)) {
    return /^[A-Za-z][A-Za-z0-9_-]*$/.test(key.slice(EXTENSION_NAMESPACE.length));
  }
  const colon = key.indexOf(':');
  if (colon <= 0) return false;
  const ns = DSP_TERMS.prefixes.get(key.slice(0, colon));
  return (
    ns !== undefined && !key.startsWith('//', colon + 1) && !DSP_TERMS.termIris.has(ns + key.slice(colon + 1))
  );
}
