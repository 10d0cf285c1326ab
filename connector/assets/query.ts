// The catalog query: paging, and the CatalogRequestMessage `filter`, whose content DSP leaves to
// the implementation. Shuyu understands a list of one-property objects, all of which must hold:
//
//   "filter": [{ "sector": "medical" }, { "keyword": "outpatient" }, { "dataGrade": "important" }]
//
// Anything else is refused with a typed error (the DSP layer answers 400) rather than ignored:
// a consumer that believes it filtered must not receive everything.

import { CatalogQueryError } from './errors.js';
import type { AssetEntry } from './snapshot.js';
import { child, isRecord, kindOf } from './validate/fields.js';

export interface CatalogQuery {
  /** The CatalogRequestMessage's filter, as received. */
  readonly filter?: unknown;
  /** Datasets to skip (default 0). */
  readonly offset?: number;
  /** Page size (default DEFAULT_PAGE_SIZE, at most MAX_PAGE_SIZE). */
  readonly limit?: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export const FILTER_PROPERTIES = ['sector', 'keyword', 'dataGrade'] as const;

export type DatasetPredicate = (entry: AssetEntry) => boolean;

export interface ParsedQuery {
  readonly offset: number;
  readonly limit: number;
  readonly matches: DatasetPredicate;
}

export function parseQuery(query: CatalogQuery): ParsedQuery {
  return {
    offset: paging(query.offset, 0, Number.MAX_SAFE_INTEGER, 0, '/offset'),
    limit: paging(query.limit, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, '/limit'),
    matches: parseFilter(query.filter),
  };
}

function paging(value: unknown, min: number, max: number, fallback: number, pointer: string): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new CatalogQueryError(
    'ERR_CATALOG_QUERY_INVALID',
    `${pointer.slice(1)} must be an integer from ${min} to ${max}, found ${kindOf(value)}`,
    [{ pointer, reason: `expected an integer from ${min} to ${max}` }],
  );
}

function parseFilter(filter: unknown): DatasetPredicate {
  if (filter === undefined || filter === null) return () => true;
  if (!Array.isArray(filter)) throw unsupported('/filter', `expected an array, found ${kindOf(filter)}`);
  const tests = filter.map((item, i) => criterion(item, child('/filter', i)));
  return (entry) => tests.every((t) => t(entry));
}

function criterion(item: unknown, pointer: string): DatasetPredicate {
  if (!isRecord(item)) throw unsupported(pointer, `expected an object, found ${kindOf(item)}`);
  const keys = Object.keys(item);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined)
    throw unsupported(pointer, `expected exactly one of ${FILTER_PROPERTIES.join(', ')} per filter item`);
  const value = item[key];
  if (!(FILTER_PROPERTIES as readonly string[]).includes(key))
    throw unsupported(
      child(pointer, key),
      `filtering by "${key}" is not supported; supported: ${FILTER_PROPERTIES.join(', ')}`,
    );
  if (typeof value !== 'string')
    throw unsupported(child(pointer, key), `expected a string, found ${kindOf(value)}`);
  switch (key) {
    case 'sector':
      return (e) => e.asset.sector === value;
    case 'dataGrade':
      return (e) => e.asset.dataGrade === value;
    default: {
      const keyword = value.toLowerCase();
      return (e) => e.keywords.has(keyword);
    }
  }
}

function unsupported(pointer: string, reason: string): CatalogQueryError {
  return new CatalogQueryError(
    'ERR_CATALOG_FILTER_UNSUPPORTED',
    `unsupported catalog filter at ${pointer}: ${reason}`,
    [{ pointer, reason }],
  );
}
