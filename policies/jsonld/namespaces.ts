// IRIs the policy engine knows, and the canonical short form it gives them.
// ODRL terms become their bare local name ("use", "purpose"), Shuyu and xsd terms keep a prefix
// ("shuyu:sector", "xsd:dateTime"), everything else stays a full IRI.

export const ODRL_NS = 'http://www.w3.org/ns/odrl/2/';
export const SHUYU_NS = 'https://w3id.org/shuyu/v1#';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema#';
export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

/** Prefixes accepted in compact IRIs even without a context that declares them. */
export const KNOWN_PREFIXES: Readonly<Record<string, string>> = {
  odrl: ODRL_NS,
  shuyu: SHUYU_NS,
  xsd: XSD_NS,
  rdf: RDF_NS,
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  dct: 'http://purl.org/dc/terms/',
  dcat: 'http://www.w3.org/ns/dcat#',
  dspace: 'https://w3id.org/dspace/2025/1/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  dpv: 'https://w3id.org/dpv#',
};

/** Prefixes that stay in the canonical form (the rest expand to full IRIs). */
const KEPT_PREFIXES: ReadonlyArray<[string, string]> = [
  ['shuyu:', SHUYU_NS],
  ['xsd:', XSD_NS],
  ['dpv:', 'https://w3id.org/dpv#'],
];

/**
 * Misspelt IRIs in the published W3C ODRL context (https://www.w3.org/ns/odrl.jsonld):
 * `neq` expands to odrl:neg and `industry` to odrl:industry: (trailing colon). Expanded
 * policies carry those IRIs, so they are read as the terms they were meant to be.
 */
const ODRL_CONTEXT_TYPOS: Readonly<Record<string, string>> = { neg: 'neq', 'industry:': 'industry' };

/** Expands a compact IRI with a known prefix; returns other strings unchanged. */
export function expandIri(value: string): string {
  const colon = value.indexOf(':');
  if (colon > 0) {
    const prefix = value.slice(0, colon);
    const ns = KNOWN_PREFIXES[prefix];
    if (ns !== undefined && !value.startsWith('//', colon + 1)) return ns + value.slice(colon + 1);
  }
  return value;
}

/** The canonical short form of an IRI or compact IRI (see the file comment). */
export function canonicalIri(value: string): string {
  if (value.indexOf(':') < 0) return value; // a bare term: nothing to expand
  let canonical = CANONICAL_CACHE.get(value);
  if (canonical === undefined) {
    if (CANONICAL_CACHE.size >= CACHE_LIMIT) CANONICAL_CACHE.clear();
    canonical = computeCanonicalIri(value);
    CANONICAL_CACHE.set(value, canonical);
  }
  return canonical;
}

/** Requests repeat the same DIDs and terms: remembering their canonical form saves the hot path. */
const CANONICAL_CACHE = new Map<string, string>();
const CACHE_LIMIT = 10_000;

function computeCanonicalIri(value: string): string {
  const iri = expandIri(value);
  if (iri.startsWith(ODRL_NS)) {
    const local = iri.slice(ODRL_NS.length);
    return ODRL_CONTEXT_TYPOS[local] ?? local;
  }
  for (const [prefix, ns] of KEPT_PREFIXES) {
    if (iri.startsWith(ns)) return prefix + iri.slice(ns.length);
  }
  return iri;
}

/** Is this an IRI in the ODRL namespace (compact or full)? Returns its canonical local name. */
export function odrlLocalName(value: string): string | undefined {
  const iri = expandIri(value);
  if (!iri.startsWith(ODRL_NS)) return undefined;
  const local = iri.slice(ODRL_NS.length);
  return ODRL_CONTEXT_TYPOS[local] ?? local;
}
