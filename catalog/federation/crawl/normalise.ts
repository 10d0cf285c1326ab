// From a provider's DSP Catalog (already parsed and validated against the DSP schema) to the records
// the index keeps. Metadata may come in any of the forms JSON-LD allows (a string, {"@value"},
// {"@id"}, a list); each field is reduced to plain text. Nested catalogs are flattened.
import { createHash } from 'node:crypto';
import { ACCESS_POLICY_KEY, DATASET_KEYS, FOAF, mediaTypeName } from '../../../connector/assets/index.js';
import type { Json, JsonObject } from '../../../connector/dsp/messages/types.js';
import type { CrawledDataset, CrawledOffer } from '../types.js';

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Plain text of a metadata value: the first of a list, "@value" or "@id" of an object. */
function text(value: Json | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(text).find((v) => v !== undefined);
  if (typeof value === 'object') {
    return text(value['@value'] ?? value['@id'] ?? value['foaf:name'] ?? value['name']);
  }
  return String(value);
}

/** The name of a publisher: a foaf:Agent's foaf:name (DCAT-AP), else its text (a name or DID). */
function agentName(value: Json | undefined): string | undefined {
  const agent = Array.isArray(value) ? value[0] : value;
  if (isObject(agent)) {
    const name = text(agent[`${FOAF}name`] ?? agent['foaf:name']);
    if (name !== undefined) return name;
  }
  return text(value);
}

function texts(value: Json | undefined): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map(text).filter((v): v is string => v !== undefined && v.trim() !== '');
}

/** JSON with sorted keys: equal content gives equal hashes whatever order the provider wrote keys in. */
export function stableJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Part of every dataset hash. Bump it when what the index derives from a dataset changes (summaries,
 * features, columns): every dataset then counts as changed once and is re-indexed at the next crawl.
 */
const INDEX_FORMAT = 'federation-index/1';

/** The hash of a dataset and its offers as the index stores them. */
function datasetHash(body: JsonObject, offers: readonly CrawledOffer[]): string {
  return sha256(stableJson({ format: INDEX_FORMAT, body, offers: offers as unknown as Json }));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
}

function offerOf(offer: Json): CrawledOffer | undefined {
  if (!isObject(offer) || typeof offer['@id'] !== 'string') return undefined;
  const { [ACCESS_POLICY_KEY]: access, ...body } = offer;
  return { offerId: offer['@id'], body, ...(isObject(access) ? { accessPolicy: access } : {}) };
}

function datasetOf(dataset: JsonObject): CrawledDataset | undefined {
  const datasetId = dataset['@id'];
  if (typeof datasetId !== 'string') return undefined;
  const { hasPolicy, ...body } = dataset;
  const offers = (Array.isArray(hasPolicy) ? hasPolicy : [])
    .map(offerOf)
    .filter((o): o is CrawledOffer => o !== undefined)
    .sort((a, b) => (a.offerId < b.offerId ? -1 : a.offerId > b.offerId ? 1 : 0));
  const distributions = Array.isArray(body.distribution) ? body.distribution : [];
  const mediaType = distributions
    .map((d) => (isObject(d) ? text(d[DATASET_KEYS.mediaType] ?? d['dcat:mediaType']) : undefined))
    .find((m) => m !== undefined);
  // An IANA media type IRI (DCAT-AP) is indexed as the media type it names: text/csv.
  const optional = {
    sector: text(body[DATASET_KEYS.sector]),
    dataGrade: text(body[DATASET_KEYS.dataGrade]),
    publisher: agentName(body[DATASET_KEYS.publisher]),
    mediaType: mediaType === undefined ? undefined : mediaTypeName(mediaType),
    licence: text(body[DATASET_KEYS.licence]),
    issued: text(body[DATASET_KEYS.issued]),
    modified: text(body[DATASET_KEYS.modified]),
  };
  const defined = {
    datasetId,
    title: text(body[DATASET_KEYS.title]) ?? datasetId,
    description: text(body[DATASET_KEYS.description]) ?? '',
    keywords: texts(body[DATASET_KEYS.keywords]),
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Partial<
      Record<keyof typeof optional, string>
    >),
  };
  const hash = datasetHash(body, offers);
  return { ...defined, offers, body, hash };
}

/** Every dataset of a catalog page, nested catalogs included. */
export function datasetsOf(catalog: JsonObject, depth = 0): CrawledDataset[] {
  const own = (Array.isArray(catalog.dataset) ? catalog.dataset : [])
    .filter(isObject)
    .map(datasetOf)
    .filter((d): d is CrawledDataset => d !== undefined);
  // Nesting is bounded by the DSP schema's recursion only; 8 levels is more than any real catalog uses.
  const nested =
    depth < 8 && Array.isArray(catalog.catalog)
      ? catalog.catalog.filter(isObject).flatMap((c) => datasetsOf(c, depth + 1))
      : [];
  return [...own, ...nested];
}

/** The hash of a whole catalog: equal when every dataset and offer is equal. */
export function catalogHash(datasets: readonly CrawledDataset[]): string {
  return sha256(
    datasets
      .map((d) => `${d.datasetId}\u0000${d.hash}`)
      .sort()
      .join('\n'),
  );
}
