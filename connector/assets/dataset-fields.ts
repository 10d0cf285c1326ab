// The dataset properties a catalog request may filter and sort by, under every name a peer may use
// for them: the key the dataset carries on the wire (dct:title), its full IRI, the bare term, and
// for the id also EDC's `https://w3id.org/edc/v0.0.1/ns/id` (what EDC's QuerySpec criteria name).

import { DATASET_KEYS } from './dsp.js';
import type { AssetEntry } from './snapshot.js';

export const EDC_NS = 'https://w3id.org/edc/v0.0.1/ns/';
const DCT_NS = 'http://purl.org/dc/terms/';
const DCAT_NS = 'http://www.w3.org/ns/dcat#';

export interface DatasetField {
  /** The dataset's wire key (what error messages name). */
  readonly name: string;
  /** Its values on one dataset (one for most fields, the keywords for dcat:keyword). */
  readonly values: (entry: AssetEntry) => readonly string[];
  /** Single-valued fields can order the catalog. */
  readonly sortable: boolean;
}

const one =
  (read: (entry: AssetEntry) => string) =>
  (entry: AssetEntry): readonly string[] => [read(entry)];

const FIELDS: readonly (DatasetField & { readonly aliases: readonly string[] })[] = [
  {
    name: '@id',
    aliases: ['id', `${EDC_NS}id`, 'edc:id', `${DCT_NS}identifier`, 'dct:identifier'],
    values: one((e) => e.asset.id),
    sortable: true,
  },
  field(DATASET_KEYS.title, `${DCT_NS}title`, 'title', (e) => e.asset.title),
  field(DATASET_KEYS.description, `${DCT_NS}description`, 'description', (e) => e.asset.description),
  {
    name: DATASET_KEYS.keywords,
    aliases: [`${DCAT_NS}keyword`, 'keyword'],
    values: (e) => e.asset.keywords,
    sortable: false,
  },
  field(DATASET_KEYS.publisher, `${DCT_NS}publisher`, 'publisher', (e) => e.asset.publisher),
  field(DATASET_KEYS.licence, `${DCT_NS}license`, 'license', (e) => e.asset.licence),
  field(DATASET_KEYS.issued, `${DCT_NS}issued`, 'issued', (e) => e.asset.issued),
  field(DATASET_KEYS.modified, `${DCT_NS}modified`, 'modified', (e) => e.asset.modified),
  field(DATASET_KEYS.mediaType, `${DCAT_NS}mediaType`, 'mediaType', (e) => e.asset.format),
  field(DATASET_KEYS.sector, 'shuyu:sector', 'sector', (e) => e.asset.sector),
  field(DATASET_KEYS.dataGrade, 'shuyu:dataGrade', 'dataGrade', (e) => e.asset.dataGrade),
];

function field(
  name: string,
  iri: string,
  term: string,
  read: (entry: AssetEntry) => string,
): DatasetField & { readonly aliases: readonly string[] } {
  return { name, aliases: name === iri ? [term] : [iri, term], values: one(read), sortable: true };
}

const BY_NAME: ReadonlyMap<string, DatasetField> = new Map(
  FIELDS.flatMap((f) => [f.name, ...f.aliases].map((alias) => [alias, f] as const)),
);

/** The field a criterion or sort names, in any of its spellings; undefined when Shuyu has none. */
export function datasetField(name: string): DatasetField | undefined {
  return BY_NAME.get(name);
}

/** The wire names, for error messages. */
export const DATASET_FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);

/** The id field (the catalog's default order, and every order's tie-breaker). */
export const ID_FIELD = FIELDS[0] as DatasetField;

/** The catalog's string order (UTF-16 code units), the same wherever datasets are compared. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
