// The DCAT-AP harvest view: the same catalog as the DSP one, serialised for EU-style data portals,
// which harvest DCAT-AP as plain RDF rather than through DSP. The metadata is built once (dsp.ts's
// datasetHeader and dcat-ap.ts's builders, or the federation's catalog of them); this module only
// re-serialises a DSP Catalog document under Shuyu's DCAT-AP context, where nothing forces the two
// DCAT-AP violations DSP 2025-1 does (docs/catalog-metadata.md, "Harvest view: 0 violations"):
//   - the DataService's `dcat:endpointURL` is an IRI (an rdfs:Resource), not DSP's plain literal;
//   - a distribution's `dcat:accessService` is that DataService node, `dct:format` its transfer type.
// DSP-only terms go: `participantId` (the publisher agent carries the DID) and the ODRL offers
// (`hasPolicy`, written for the DSP context; a harvester negotiates through the DSP endpoint, the
// distributions' `dcat:accessURL`).

import { DCAT_AP_CONTEXT_URL } from '../../policies/jsonld/document-loader.js';
import type { Json, JsonObject } from '../../policies/jsonld/canonicalize.js';
import { resource, transferFormat } from './dcat-ap.js';

export { DCAT_AP_CONTEXT_URL };

/** The media type of the harvest view (JSON-LD; the context is bundled, never fetched). */
export const DCAT_AP_MEDIA_TYPE = 'application/ld+json';

/**
 * A DSP Catalog document (a connector's, or the federation's catalog of nested provider catalogs) as
 * DCAT-AP JSON-LD under the harvest context: every node keeps its metadata, DSP's terms become DCAT's.
 */
export function harvestCatalog(dspCatalog: object): JsonObject {
  return { '@context': DCAT_AP_CONTEXT_URL, ...catalogNode(dspCatalog as JsonObject) };
}

type NodeWriter = (node: JsonObject) => JsonObject;
/** A DSP term's value as the harvest view's key and value, or undefined to leave it out. */
type TermWriter = (value: Json) => [string, Json] | undefined;

/**
 * A node of `type`: DSP's compact terms (its context's) rewritten by `terms`; every other key (dct:,
 * dcat:, full IRIs: the shared metadata) copied as it is.
 */
function rewrite(type: string, terms: Readonly<Record<string, TermWriter>>): NodeWriter {
  return (node) => {
    const out: JsonObject = { '@type': type };
    for (const [key, value] of Object.entries(node)) {
      if (key === '@context' || key === '@type') continue;
      const term = terms[key];
      const written: [string, Json] | undefined = term === undefined ? [key, value] : term(value);
      if (written !== undefined) out[written[0]] = written[1];
    }
    return out;
  };
}

const nodes = (value: Json): JsonObject[] =>
  (Array.isArray(value) ? value : [value]).filter(
    (v): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v),
  );
const drop = (): undefined => undefined;

const serviceNode: NodeWriter = rewrite('dcat:DataService', {
  endpointURL: (url) => ['dcat:endpointURL', resource(String(url))],
});

const distributionNode: NodeWriter = rewrite('dcat:Distribution', {
  format: (format) => ['dct:format', transferFormat(String(format))],
  // A string names a DataService described elsewhere in the document; an object is one.
  accessService: (service) => [
    'dcat:accessService',
    typeof service === 'string' ? { '@id': service } : nodes(service).map(serviceNode),
  ],
});

const datasetNode: NodeWriter = rewrite('dcat:Dataset', {
  hasPolicy: drop,
  distribution: (list) => ['dcat:distribution', nodes(list).map(distributionNode)],
});

const catalogNode: NodeWriter = rewrite('dcat:Catalog', {
  participantId: drop,
  service: (list) => ['dcat:service', nodes(list).map(serviceNode)],
  dataset: (list) => ['dcat:dataset', nodes(list).map(datasetNode)],
  catalog: (list) => ['dcat:catalog', nodes(list).map((c) => catalogNode(c))],
});
