// The federation as one DSP 2025-1 Catalog: the authority's root catalog holds one nested Catalog per
// provider (DSP allows catalogs of catalogs), each with the provider's DataService and the datasets
// the asker may see, carrying only the offers the asker may see. Datasets keep the provider's own
// distributions, so a consumer negotiates with the provider, never with the catalog.
import {
  buildCatalog,
  DspError,
  type Catalog,
  type Dataset,
  type NestedCatalog,
} from '../../../connector/dsp/messages/index.js';
import {
  catalogMetadata,
  DATASET_KEYS,
  FOAF,
  type PublisherProfile,
} from '../../../connector/assets/index.js';
import { HttpProblem } from '../../../connector/http/problem.js';
import { expandIri, ODRL_NS } from '../../../policies/jsonld/namespaces.js';
import { DATA_GRADES, SECTORS } from '../../../connector/identity/index.js';
import type { DspRow } from '../search/search.js';
import type { SearchQuery } from '../types.js';

export interface FederatedCatalogOptions {
  /** The authority's DID: the root catalog's participantId. */
  readonly participantId: string;
  /** Where this catalog answers DSP requests (…/catalog/dsp). */
  readonly endpointURL: string;
  readonly rows: readonly DspRow[];
  /** The authority's registration: the root catalog's DCAT-AP publisher. Default "Federated catalog". */
  readonly publisher?: PublisherProfile;
}

/**
 * The provider's own publisher agent, as its datasets carry it (`dct:publisher` with the provider's DID
 * as @id): the nested catalog's name and publisher. A provider whose datasets name no such agent is
 * named by its DID.
 */
function providerProfile(did: string, datasets: readonly Dataset[]): PublisherProfile {
  for (const dataset of datasets) {
    const publisher = (dataset as unknown as Record<string, unknown>)[DATASET_KEYS.publisher];
    if (publisher === null || typeof publisher !== 'object' || Array.isArray(publisher)) continue;
    const agent = publisher as Record<string, unknown>;
    const name = agent[`${FOAF}name`];
    if (agent['@id'] === did && typeof name === 'string') {
      const identifier = agent['dct:identifier'];
      return { name, ...(typeof identifier === 'string' ? { identifier } : {}) };
    }
  }
  return { name: did };
}

export function federatedCatalog(options: FederatedCatalogOptions): Catalog {
  const byProvider = new Map<string, { connectorUrl?: string; datasets: Dataset[] }>();
  for (const row of options.rows) {
    let group = byProvider.get(row.providerDid);
    if (group === undefined) {
      group = { ...(row.connectorUrl ? { connectorUrl: row.connectorUrl } : {}), datasets: [] };
      byProvider.set(row.providerDid, group);
    }
    group.datasets.push({ ...row.dataset, hasPolicy: row.offers } as unknown as Dataset);
  }
  const catalogs: NestedCatalog[] = [...byProvider].map(([did, group]) => {
    const profile = providerProfile(did, group.datasets);
    return {
      '@id': `${did}#catalog`,
      '@type': 'Catalog',
      ...catalogMetadata(profile, did, group.connectorUrl),
      ...(group.connectorUrl
        ? {
            service: [
              {
                '@id': `${did}#dsp`,
                '@type': 'DataService',
                endpointURL: group.connectorUrl,
                'dct:title': `${profile.name}: Dataspace Protocol endpoint`,
              },
            ],
          }
        : {}),
      dataset: group.datasets,
    } as NestedCatalog;
  });
  const authority = options.publisher ?? { name: 'Federated catalog' };
  return buildCatalog({
    '@id': `${options.participantId}#federated-catalog`,
    participantId: options.participantId,
    ...catalogMetadata(authority, options.participantId, options.endpointURL),
    'dct:title': `${authority.name}: federated catalog`,
    'dct:description':
      'The datasets of every member of the data space, one catalog per provider, each with the offers the asker may see.',
    service: [
      {
        '@id': `${options.participantId}#catalog`,
        '@type': 'DataService',
        endpointURL: options.endpointURL,
        'dct:title': `${authority.name}: federated catalog (Dataspace Protocol)`,
      },
    ],
    ...(catalogs.length > 0 ? { catalog: catalogs } : {}),
  } as Parameters<typeof buildCatalog>[0]);
}

/** Filter keys, by expanded IRI: the dataset's wire keys (as providers' catalogs filter) and ODRL terms. */
const FILTERS: ReadonlyMap<string, 'sector' | 'grade' | 'keyword' | 'publisher' | 'purpose' | 'region'> =
  new Map([
    [expandIri(DATASET_KEYS.sector), 'sector'],
    [expandIri(DATASET_KEYS.dataGrade), 'grade'],
    [expandIri(DATASET_KEYS.keywords), 'keyword'],
    [expandIri(DATASET_KEYS.publisher), 'publisher'],
    [`${ODRL_NS}purpose`, 'purpose'],
    [`${ODRL_NS}spatial`, 'region'],
  ]);

/**
 * A CatalogRequestMessage `filter`: single-property objects, all of which must hold. Keys are terms a
 * DSP message may carry: "dcat:keyword" (full text), "dct:publisher", the Shuyu sector and data grade
 * IRIs (https://w3id.org/shuyu/v1#sector, #dataGrade), "odrl:purpose" and "odrl:spatial".
 */
export function filterQuery(filter: readonly unknown[] | undefined): Partial<SearchQuery> {
  const query: { -readonly [K in keyof SearchQuery]?: SearchQuery[K] } = {};
  const texts: string[] = [];
  (filter ?? []).forEach((item, i) => {
    const entries = item !== null && typeof item === 'object' ? Object.entries(item) : [];
    const [key, value] = entries[0] ?? [];
    const unsupported = (reason: string): DspError =>
      new DspError('unsupported-filter', `filter ${i} is not supported: ${reason}`, [
        { pointer: `/filter/${i}`, reason },
      ]);
    if (entries.length !== 1 || typeof value !== 'string' || value.trim() === '') {
      throw unsupported('each filter is one property with a text value, e.g. {"dcat:keyword": "outpatient"}');
    }
    switch (FILTERS.get(expandIri(String(key)))) {
      case 'sector':
        if (!(SECTORS as readonly string[]).includes(value))
          throw unsupported(`sector must be one of ${SECTORS.join(', ')}`);
        query.sector = [...(query.sector ?? []), value];
        break;
      case 'grade':
        if (!(DATA_GRADES as readonly string[]).includes(value)) {
          throw unsupported(`dataGrade must be one of ${DATA_GRADES.join(', ')}`);
        }
        query.grade = [...(query.grade ?? []), value];
        break;
      case 'keyword':
        texts.push(value);
        break;
      case 'publisher':
        query.publisher = [...(query.publisher ?? []), value];
        break;
      case 'purpose':
        query.purpose = value;
        break;
      case 'region':
        query.region = value.toUpperCase();
        break;
      default:
        throw unsupported(
          `"${String(key)}" is not a filter; use dcat:keyword, dct:publisher, ${DATASET_KEYS.sector}, ` +
            `${DATASET_KEYS.dataGrade}, odrl:purpose or odrl:spatial`,
        );
    }
  });
  if (texts.length > 0) query.q = texts.join(' ');
  return query;
}

/** offset and limit of a DSP page from the query string (the Link header carries them). */
export function dspPaging(raw: Readonly<Record<string, unknown>>): { offset: number; limit: number } {
  const read = (name: string, fallback: number, max: number): number => {
    const value = raw[name];
    if (value === undefined) return fallback;
    if (
      typeof value !== 'string' ||
      !/^\d{1,9}$/.test(value) ||
      Number(value) > max ||
      (name === 'limit' && Number(value) < 1)
    ) {
      throw new HttpProblem(400, 'invalid-query', `"${name}" must be an integer up to ${max}.`, [
        { pointer: name, reason: `must be an integer up to ${max}` },
      ]);
    }
    return Number(value);
  };
  return { offset: read('offset', 0, 1_000_000), limit: read('limit', DSP_PAGE, MAX_DSP_PAGE) };
}

export const DSP_PAGE = 100;
export const MAX_DSP_PAGE = 1000;
