// DSP 2025-1 compact JSON for the catalog: Dataset, Distribution, DataService, Catalog and the
// catalog offers (ODRL Offers without target), plus the offer ids that tie an offer to its dataset.
//
// The DSP context defines no dct/dcat metadata terms (title, keyword, ...), only their prefixes:
// a bare "title" would vanish when a JSON-LD processor expands the dataset, so metadata is written
// "dct:title", "dcat:keyword" (as the DSP 2024-1 examples do) and Shuyu's own facts as full IRIs.

import { termKind, type Json, type JsonObject } from '../../policies/jsonld/canonicalize.js';
import { expandIri, RDF_NS, SHUYU_NS } from '../../policies/jsonld/namespaces.js';
import { wireFormat } from '../dsp/messages/format.js';
import { DSP_TERMS } from '../dsp/messages/terms.js';
import {
  agent,
  catalogMetadata,
  contactPoint,
  licenceDocument,
  location,
  mediaType,
  oneOrMany,
  periodOfTime,
  resource,
  sectorThemes,
  temporal,
  theme,
  transferFormat,
  type PublisherProfile,
} from './dcat-ap.js';
import { LITERAL_KEYS, normaliseLiteral } from './policy-key.js';
import type { Asset, AssetRegistration } from './types.js';

export const DSP_CONTEXT = 'https://w3id.org/dspace/2025/1/context.jsonld';

/** Keys of the dataset metadata, for readers of the catalog (the federated catalog's crawler). */
export const DATASET_KEYS = {
  title: 'dct:title',
  description: 'dct:description',
  keywords: 'dcat:keyword',
  publisher: 'dct:publisher',
  licence: 'dct:license',
  issued: 'dct:issued',
  modified: 'dct:modified',
  mediaType: 'dcat:mediaType',
  sector: `${SHUYU_NS}sector`,
  dataGrade: `${SHUYU_NS}dataGrade`,
  registration: `${SHUYU_NS}registration`,
} as const;

export interface DspDataService {
  readonly '@id': string;
  readonly '@type': 'DataService';
  /** A literal, as DSP's context and schema define it (DCAT-AP wants an IRI: docs/catalog-metadata.md). */
  readonly endpointURL: string;
  readonly 'dct:title'?: string;
  /** The transfer types served, each typed dct:MediaTypeOrExtent (what a distribution's format needs). */
  readonly 'dct:format'?: JsonObject | readonly JsonObject[];
}

export interface DspDistribution {
  readonly '@type': 'Distribution';
  /** The transfer type as an IRI that expands (e.g. "dspace:HttpData-PULL", dsp/messages/format.ts). */
  readonly format: string;
  readonly accessService: DspDataService;
  /** The DSP endpoint, where the data is negotiated for (DCAT-AP's mandatory accessURL). */
  readonly 'dcat:accessURL': JsonObject;
  /** The IANA media type IRI as a dct:MediaType. */
  readonly 'dcat:mediaType': JsonObject;
  readonly 'dct:license': JsonObject;
}

/** An ODRL Offer in a catalog: no target; rules and metadata as the policy engine canonicalised them. */
export interface DspOffer {
  readonly '@id': string;
  readonly '@type': 'Offer';
  readonly assigner: string;
  readonly [term: string]: Json;
}

export interface DspDataset {
  readonly '@context'?: readonly string[];
  readonly '@id': string;
  readonly '@type': 'Dataset';
  readonly 'dct:title': string;
  readonly 'dct:description'?: string;
  readonly 'dcat:keyword'?: readonly string[];
  /** A foaf:Agent (dcat-ap.ts). */
  readonly 'dct:publisher': JsonObject;
  readonly 'dct:license': JsonObject;
  /** xsd:dateTime value objects. */
  readonly 'dct:issued': JsonObject;
  readonly 'dct:modified': JsonObject;
  readonly 'dcat:contactPoint'?: JsonObject;
  /** One concept, or an array of several (oneOrMany). */
  readonly 'dcat:theme': JsonObject | readonly JsonObject[];
  readonly 'dct:spatial'?: JsonObject | readonly JsonObject[];
  readonly 'dct:temporal'?: JsonObject;
  readonly [DATASET_KEYS.sector]: string;
  readonly [DATASET_KEYS.dataGrade]: string;
  readonly hasPolicy: readonly DspOffer[];
  readonly distribution: readonly DspDistribution[];
}

export interface DspCatalog {
  readonly '@context': readonly string[];
  readonly '@id': string;
  readonly '@type': 'Catalog';
  readonly participantId: string;
  readonly service: readonly DspDataService[];
  /** DCAT-AP: dct:title, dct:description, dct:publisher, foaf:homepage, dct:language. */
  readonly [dcatAp: string]: unknown;
  /** Absent when the caller sees no dataset (the DSP schema wants a non-empty list or none). */
  readonly dataset?: readonly DspDataset[];
}

// --- Offer ids -------------------------------------------------------------------------------

/**
 * A catalog offer is one offer (contract definition) applied to one dataset. Its id names both,
 * readable and stable across restarts: urn:shuyu:offer:<offer id>:<dataset id>. Offer ids have no
 * ':' (validate/offer.ts), so everything after the fourth ':' is the dataset id.
 */
export const DSP_OFFER_PREFIX = 'urn:shuyu:offer:';

export function dspOfferId(offerId: string, datasetId: string): string {
  return `${DSP_OFFER_PREFIX}${offerId}:${datasetId}`;
}

export function parseDspOfferId(id: string): { offerId: string; datasetId: string } | undefined {
  if (!id.startsWith(DSP_OFFER_PREFIX)) return undefined;
  const rest = id.slice(DSP_OFFER_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  return { offerId: rest.slice(0, colon), datasetId: rest.slice(colon + 1) };
}

// --- Datasets ----------------------------------------------------------------------------------

/** Everything of a Dataset but its offers: computed once per asset version (snapshot.ts). */
export type DatasetHeader = Omit<DspDataset, 'hasPolicy' | '@context'>;

/** What every dataset of one catalog shares: its endpoint, transfer types and publisher. */
export interface DatasetContext {
  readonly service: DspDataService;
  readonly transferFormats: readonly string[];
  /** The provider's DID: the publisher agent's @id when the asset names the member as publisher. */
  readonly participantId: string;
  /** The member's registration: defaults for the DCAT-AP fields the asset leaves out. */
  readonly publisher?: PublisherProfile;
}

/**
 * The dataset's DCAT-AP description (dcat-ap.ts). The publisher is the member (its DID as @id, its
 * credit code as dct:identifier) unless the asset names another organisation, which is then an Agent
 * without either. Themes default to the sector's EU theme and the sector itself; spatial coverage and
 * the contact point to the member's; a description, which DCAT-AP requires, to the title.
 */
export function datasetHeader(asset: Asset, context: DatasetContext): DatasetHeader {
  const profile = context.publisher;
  const member =
    profile === undefined || asset.publisher === profile.name || asset.publisher === context.participantId;
  const publisherName = member && profile !== undefined ? profile.name : asset.publisher;
  const contact = asset.contact ?? profile?.contact;
  const point = contact === undefined ? undefined : contactPoint(publisherName, contact);
  const regions = asset.spatial ?? profile?.regions ?? [];
  const licence = licenceDocument(asset.licence);
  return deepFreeze({
    '@id': asset.id,
    '@type': 'Dataset',
    'dct:title': asset.title,
    'dct:description': asset.description === '' ? asset.title : asset.description,
    ...(asset.keywords.length === 0 ? {} : { 'dcat:keyword': [...asset.keywords] }),
    'dct:publisher': member
      ? agent(publisherName, profile?.identifier, context.participantId)
      : agent(publisherName),
    'dct:license': licence,
    'dct:issued': temporal(asset.issued),
    'dct:modified': temporal(asset.modified),
    ...(point === undefined ? {} : { 'dcat:contactPoint': point }),
    'dcat:theme': oneOrMany((asset.themes ?? sectorThemes(asset.sector)).map(theme)),
    ...(regions.length === 0 ? {} : { 'dct:spatial': oneOrMany(regions.map(location)) }),
    ...(asset.temporal === undefined ? {} : { 'dct:temporal': periodOfTime(asset.temporal) }),
    [DATASET_KEYS.sector]: asset.sector,
    [DATASET_KEYS.dataGrade]: asset.dataGrade,
    ...(asset.registration ? { [DATASET_KEYS.registration]: registrationNode(asset.registration) } : {}),
    distribution: context.transferFormats.map((format) => ({
      '@type': 'Distribution' as const,
      format: wireFormat(format),
      accessService: context.service,
      'dcat:accessURL': resource(context.service.endpointURL),
      'dcat:mediaType': mediaType(asset.format),
      'dct:license': licence,
    })),
  });
}

/**
 * The product registration on the wire: a node named by the credential's id with the product identifier
 * and the credential's URL, all as full IRIs (the DSP context has no shuyu: prefix), so expansion keeps them.
 */
export function registrationNode(registration: AssetRegistration): JsonObject {
  return {
    '@id': registration.credentialId,
    [`${SHUYU_NS}productId`]: registration.productId,
    [`${SHUYU_NS}credentialUrl`]: { '@id': registration.credentialUrl },
  };
}

/** The connector's DSP endpoint as a DSP DataService and a DCAT-AP one (title, formats served). */
export function dataService(
  id: string,
  endpointURL: string,
  title = 'Dataspace Protocol endpoint',
  transferFormats: readonly string[] = [],
): DspDataService {
  return deepFreeze({
    '@id': id,
    '@type': 'DataService',
    endpointURL,
    'dct:title': title,
    ...(transferFormats.length === 0
      ? {}
      : { 'dct:format': oneOrMany(transferFormats.map((f) => transferFormat(wireFormat(f)))) }),
  });
}

export interface CatalogDocumentOptions {
  readonly catalogId: string;
  /** The provider's participant id (its DID). */
  readonly participantId: string;
  readonly service: DspDataService;
  readonly datasets: readonly DspDataset[];
  /** The member's registration, for the catalog's title, publisher and homepage (DCAT-AP). */
  readonly publisher?: PublisherProfile;
}

/** The Catalog a CatalogRequestMessage is answered with. */
export function buildCatalog(options: CatalogDocumentOptions): DspCatalog {
  const profile = options.publisher ?? { name: options.participantId };
  return {
    '@context': [DSP_CONTEXT],
    '@id': options.catalogId,
    '@type': 'Catalog',
    participantId: options.participantId,
    ...catalogMetadata(profile, options.participantId, options.service.endpointURL),
    service: [options.service],
    ...(options.datasets.length === 0 ? {} : { dataset: options.datasets }),
  };
}

// --- Policies on the wire ----------------------------------------------------------------------

/** Properties holding rules or constraints: arrays on the wire whatever their length (DSP schema). */
const NODE_KEYS = new Set([
  'permission',
  'prohibition',
  'obligation',
  'duty',
  'remedy',
  'consequence',
  'constraint',
  'refinement',
  'and',
  'or',
  'xone',
  'andSequence',
]);
/** Set per catalog offer (id, type, assigner) or refused in stored offers (target). */
const OWN_KEYS = new Set(['uid', 'type', 'target', 'assigner']);

/**
 * The rules of a canonical policy (policies/jsonld/canonicalize.ts) in DSP compact JSON that survives
 * JSON-LD expansion with the DSP 2025-1 context alone: @id / @type keys, single values unwrapped where DSP
 * expects a string (action), and every term the DSP context does not define written as an IRI: ODRL keys
 * and values with the odrl: prefix it declares ("odrl:refinement", "leftOperand": "odrl:purpose",
 * "action": "odrl:distribute"), Shuyu terms as full IRIs (it declares no shuyu: prefix). The policy engine
 * reads this back to the same canonical form, which is what matchRequestedOffer relies on.
 */
export function dspPolicyBody(canonical: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(canonical)) {
    if (!OWN_KEYS.has(key)) out[wireKey(key)] = wireValue(key, value);
  }
  return deepFreeze(out);
}

function wireValue(key: string, value: Json): Json {
  if (LITERAL_KEYS.has(key)) return wireLiteral(normaliseLiteral(value));
  if (Array.isArray(value)) {
    const items = value.map((v) => wireValue(key, v));
    return NODE_KEYS.has(key) || items.length !== 1 ? items : (items[0] as Json);
  }
  if (typeof value === 'string') return wireTerm(key, value);
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[wireKey(k)] = wireValue(k, v);
    return out;
  }
  return value;
}

/**
 * A string the policy engine reads as an IRI or term. Under a key the DSP context defines (action,
 * leftOperand, operator, target, profile...) the context already makes it an IRI; under one it does not
 * (odrl:conflict, rdf:value, odrl:partOf...) a bare string would expand to a literal, so it becomes an
 * `{"@id"}` reference.
 */
function wireTerm(key: string, value: string): Json {
  const kind = termKind(key);
  if (kind === undefined || kind === 'id') return wireIri(value);
  const vocab = kind === 'vocab' || kind === 'type';
  if (kind === 'type' || wireKey(key) === key) return vocab ? wireVocab(value) : wireIri(value);
  // An @id is not read against the context's terms: even "prohibit", which it defines, needs the prefix.
  return { '@id': vocab && !value.includes(':') ? `odrl:${value}` : wireIri(value) };
}

function wireKey(key: string): string {
  if (key === 'uid') return '@id';
  if (key === 'type') return '@type';
  if (key === 'value') return `${RDF_NS}value`; // rdf:value: the DSP context has no rdf prefix
  // ODRL terms the DSP context does not define (refinement, remedy, consequence, conflict, ...) travel
  // with the odrl: prefix it does declare, so JSON-LD processing keeps them.
  if (!key.startsWith('@') && !key.includes(':') && !DSP_TERMS.terms.has(key)) return `odrl:${key}`;
  return key;
}

function wireLiteral(value: Json): Json {
  if (Array.isArray(value)) return value.map(wireLiteral);
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '@id' && typeof v === 'string') out[k] = wireVocab(v);
      else out[k] = k === '@type' && typeof v === 'string' ? wireIri(v) : v;
    }
    return out;
  }
  return value;
}

/**
 * A term of ODRL's vocabulary (an action, left operand, operator, policy or rule type). The canonical
 * form writes ODRL terms bare; only those the DSP context defines as the same ODRL IRI ("use", "eq",
 * "Offer") stay bare, every other one ("purpose", "distribute", "anonymize") gets the odrl: prefix, or
 * a JSON-LD processor would read a relative IRI.
 */
function wireVocab(value: string): string {
  if (value.includes(':')) return wireIri(value);
  return DSP_TERMS.odrlTerms.has(value) ? value : `odrl:${value}`;
}

/** xsd: is declared by the DSP context; shuyu: and dpv: are not, so they travel expanded. */
function wireIri(value: string): string {
  return value.startsWith('shuyu:') || value.startsWith('dpv:') ? expandIri(value) : value;
}

/** Catalog objects are shared between requests: freezing them keeps one caller's edits from the next. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
