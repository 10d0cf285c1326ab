// The catalog query: paging, order, and the CatalogRequestMessage `filter`, whose content DSP leaves
// to the implementation. Shuyu understands two kinds of filter item, all of which must hold:
//
//   { "sector": "medical" }, { "keyword": "outpatient" }, { "dataGrade": "important" }
//       (also under the dataset's wire keys: "dcat:keyword", "https://w3id.org/shuyu/v1#sector", ...)
//   { "@type": "QuerySpec", "limit": 50, "offset": 0, "sortOrder": "ASC", "sortField": "dct:title",
//     "filterExpression": [{ "operandLeft": "dct:title", "operator": "like", "operandRight": "Visits%" }] }
//       Eclipse EDC's query, which EDC sends with every catalog request (query-spec.ts).
//
// Anything else is refused with a typed error (the DSP layer answers 400) rather than ignored: a
// consumer that believes it filtered must not receive everything.

import { decodeCursor, type Cursor } from './cursor.js';
import { ID_FIELD, type DatasetField } from './dataset-fields.js';
import { CatalogQueryError, unsupportedFilter as unsupported } from './errors.js';
import { isQuerySpec, readQuerySpec, type Criterion } from './query-spec.js';
import type { AssetEntry } from './snapshot.js';
import { child, isRecord, kindOf } from './validate/fields.js';

export interface CatalogQuery {
  /** The CatalogRequestMessage's filter, as received. */
  readonly filter?: unknown;
  /** Datasets to skip (default 0; a QuerySpec's offset when not given). Not with `cursor`. */
  readonly offset?: number;
  /** Page size (default a QuerySpec's limit, else DEFAULT_PAGE_SIZE; at most MAX_PAGE_SIZE). */
  readonly limit?: number;
  /** A cursor from an earlier page (CatalogPage.next / previous). Not with `offset`. */
  readonly cursor?: string;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export const FILTER_PROPERTIES = ['sector', 'keyword', 'dataGrade'] as const;

/** Shuyu filter items also accepted under the dataset's wire keys. */
const WIRE_FILTERS: Readonly<Record<string, (typeof FILTER_PROPERTIES)[number]>> = {
  'dcat:keyword': 'keyword',
  'https://w3id.org/shuyu/v1#sector': 'sector',
  'https://w3id.org/shuyu/v1#dataGrade': 'dataGrade',
};

export type DatasetPredicate = (entry: AssetEntry) => boolean;

export interface Sort {
  readonly field: DatasetField;
  readonly descending: boolean;
  /** Names the order (cursors carry it). */
  readonly key: string;
}

export interface ParsedQuery {
  /** Where the page starts: a number of datasets to skip, or a cursor's position. */
  readonly start: { readonly offset: number } | { readonly cursor: Cursor };
  readonly limit: number;
  /** Undefined: no filter (every visible dataset). */
  readonly matches: DatasetPredicate | undefined;
  readonly sort: Sort;
  /** Equal keys select the same datasets in the same order (the per-caller selection cache's key). */
  readonly selectionKey: string;
}

export const ID_ORDER: Sort = { field: ID_FIELD, descending: false, key: '@id ASC' };

interface Test {
  /** Canonical text of the test (for the selection key). */
  readonly text: string;
  readonly test: DatasetPredicate;
}

export function parseQuery(query: CatalogQuery): ParsedQuery {
  const tests: Test[] = [];
  let spec: ReturnType<typeof readQuerySpec> | undefined;
  const filter = query.filter;
  if (filter !== undefined && filter !== null) {
    if (!Array.isArray(filter)) throw unsupported('/filter', `expected an array, found ${kindOf(filter)}`);
    filter.forEach((item: unknown, i) => {
      const pointer = child('/filter', i);
      if (isQuerySpec(item)) {
        if (spec !== undefined) throw unsupported(pointer, 'at most one QuerySpec per catalog request');
        spec = readQuerySpec(item, pointer);
        for (const c of spec.criteria) tests.push(criterionTest(c));
      } else tests.push(shuyuItem(item, pointer));
    });
  }
  if (query.cursor !== undefined && query.offset !== undefined)
    throw invalid('/cursor', 'give a cursor or an offset, not both');
  const limit =
    query.limit !== undefined
      ? paging(query.limit, 1, MAX_PAGE_SIZE, '/limit')
      : Math.min(spec?.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const sort = spec?.sort ?? ID_ORDER;
  const start =
    query.cursor !== undefined
      ? { cursor: cursorFor(query.cursor, sort) }
      : { offset: paging(query.offset ?? spec?.offset ?? 0, 0, Number.MAX_SAFE_INTEGER, '/offset') };
  tests.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const predicates = tests.map((t) => t.test);
  return {
    start,
    limit,
    sort,
    matches: predicates.length === 0 ? undefined : (entry) => predicates.every((p) => p(entry)),
    selectionKey: `${sort.key}|${tests.map((t) => t.text).join('&')}`,
  };
}

function cursorFor(text: string, sort: Sort): Cursor {
  const cursor = decodeCursor(text);
  if (cursor.sort !== sort.key)
    throw invalid('/cursor', `the cursor belongs to the order "${cursor.sort}", not "${sort.key}"`);
  return cursor;
}

function paging(value: unknown, min: number, max: number, pointer: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw invalid(
    pointer,
    `${pointer.slice(1)} must be an integer from ${min} to ${max}, found ${kindOf(value)}`,
    `expected an integer from ${min} to ${max}`,
  );
}

/** One of Shuyu's one-property filter items. */
function shuyuItem(item: unknown, pointer: string): Test {
  if (!isRecord(item)) throw unsupported(pointer, `expected an object, found ${kindOf(item)}`);
  const keys = Object.keys(item);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined)
    throw unsupported(
      pointer,
      `expected exactly one of ${FILTER_PROPERTIES.join(', ')} per filter item, or a QuerySpec`,
    );
  const value = item[key];
  const name = (FILTER_PROPERTIES as readonly string[]).includes(key) ? key : WIRE_FILTERS[key];
  if (name === undefined)
    throw unsupported(
      child(pointer, key),
      `filtering by "${key}" is not supported; supported: ${FILTER_PROPERTIES.join(', ')}, or a QuerySpec`,
    );
  if (typeof value !== 'string')
    throw unsupported(child(pointer, key), `expected a string, found ${kindOf(value)}`);
  const text = `${name}=${JSON.stringify(value)}`;
  switch (name) {
    case 'sector':
      return { text, test: (e) => e.asset.sector === value };
    case 'dataGrade':
      return { text, test: (e) => e.asset.dataGrade === value };
    default: {
      const keyword = value.toLowerCase();
      return { text: `keyword=${JSON.stringify(keyword)}`, test: (e) => e.keywords.has(keyword) };
    }
  }
}

function criterionTest(c: Criterion): Test {
  const values = c.field.values;
  return {
    text: `${c.field.name} ${c.operator} ${JSON.stringify(c.right)}`,
    test: (e) => c.holds(values(e)),
  };
}

function invalid(pointer: string, message: string, reason = message): CatalogQueryError {
  return new CatalogQueryError('ERR_CATALOG_QUERY_INVALID', message, [{ pointer, reason }]);
}
