// Reading GET /catalog/v1/search parameters. Every problem is reported at once, each naming its
// parameter, as a 400 problem+json; unknown parameters are refused too (a typo such as "sectr" would
// otherwise silently widen the search).
import { HttpProblem, type FieldReason } from '../../../connector/http/problem.js';
import { DATA_GRADES, SECTORS } from '../../../connector/identity/index.js';
import { PRICES, REGISTRATION_STATES, SORTS, type SearchQuery, type Sort } from '../types.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** Deep pages cost as much as the pages before them; past this, narrow the search instead. */
export const MAX_OFFSET = 10_000;
const MAX_TEXT = 500;
const MAX_VALUES = 20;

export const SEARCH_PARAMETERS = [
  'q',
  'sector',
  'grade',
  'publisher',
  'format',
  'licence',
  'purpose',
  'region',
  'credential',
  'price',
  'registered',
  'sort',
  'limit',
  'offset',
] as const;

type Raw = Readonly<Record<string, unknown>>;

class Reader {
  readonly errors: FieldReason[] = [];
  constructor(private readonly raw: Raw) {}

  fail(name: string, reason: string): undefined {
    this.errors.push({ pointer: name, reason });
    return undefined;
  }

  /** All values of a parameter (repeated parameters are OR-ed). */
  many(name: string, check: (v: string) => string | undefined = (v) => v): string[] | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    const items = Array.isArray(value) ? value : [value];
    if (items.length > MAX_VALUES) return this.fail(name, `at most ${MAX_VALUES} values`);
    const out: string[] = [];
    for (const item of items) {
      if (typeof item !== 'string' || item.trim() === '' || item.length > MAX_TEXT) {
        return this.fail(name, `must be a non-empty text of at most ${MAX_TEXT} characters`);
      }
      const checked = check(item.trim());
      if (checked === undefined) return undefined;
      out.push(checked);
    }
    return out;
  }

  one(name: string, check?: (v: string) => string | undefined): string | undefined {
    const values = this.many(name, check);
    if (values === undefined) return undefined;
    if (values.length > 1) return this.fail(name, 'may be given once');
    return values[0];
  }

  enumOf<T extends string>(name: string, allowed: readonly T[]): (v: string) => T | undefined {
    return (v) =>
      (allowed as readonly string[]).includes(v)
        ? (v as T)
        : this.fail(name, `must be one of ${allowed.join(', ')} (got "${v.slice(0, 40)}")`);
  }

  pattern(name: string, re: RegExp, rule: string): (v: string) => string | undefined {
    return (v) => (re.test(v) ? v : this.fail(name, `must be ${rule} (got "${v.slice(0, 40)}")`));
  }

  integer(name: string, min: number, max: number, fallback: number): number {
    const text = this.one(name);
    if (text === undefined) return fallback;
    if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
      this.fail(name, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return Number(text);
  }
}

/** Validates search parameters (as express's simple query parser hands them over). */
export function parseSearchQuery(raw: Raw): SearchQuery {
  const r = new Reader(raw);
  for (const name of Object.keys(raw)) {
    if (!(SEARCH_PARAMETERS as readonly string[]).includes(name)) {
      r.fail(name, `is not a search parameter; use ${SEARCH_PARAMETERS.join(', ')}`);
    }
  }
  const q = r.one('q');
  const sector = r.many('sector', r.enumOf('sector', SECTORS));
  const grade = r.many('grade', r.enumOf('grade', DATA_GRADES));
  const publisher = r.many('publisher');
  const format = r.many(
    'format',
    r.pattern('format', /^[\w.+-]+\/[\w.+-]+$/, 'a media type such as text/csv'),
  );
  const licence = r.many('licence');
  const purpose = r.one(
    'purpose',
    r.pattern('purpose', /^[\w.:#/-]{1,100}$/, 'a purpose id such as clinical-research'),
  );
  const region = r.one(
    'region',
    r.pattern('region', /^[A-Za-z]{2}(?:-[A-Za-z0-9]{1,3})?$/, 'an ISO 3166 code such as CN or CN-BJ'),
  );
  const credential = r.many(
    'credential',
    r.pattern('credential', /^[A-Za-z][A-Za-z0-9]{0,63}$/, 'a credential type such as SectorCredential'),
  );
  const price = r.one('price', r.enumOf('price', PRICES));
  const registered = r.one('registered', r.enumOf('registered', REGISTRATION_STATES));
  const sort = r.one('sort', r.enumOf('sort', SORTS));
  const limit = r.integer('limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
  const offset = r.integer('offset', 0, MAX_OFFSET, 0);
  if (r.errors.length > 0) {
    const names = [...new Set(r.errors.map((e) => `"${e.pointer}"`))].join(', ');
    throw new HttpProblem(
      400,
      'invalid-query',
      `Fix the search parameter(s) ${names}; see "errors".`,
      r.errors,
    );
  }
  const text = q?.trim();
  return {
    ...(text ? { q: text } : {}),
    ...(sector ? { sector } : {}),
    ...(grade ? { grade } : {}),
    ...(publisher ? { publisher } : {}),
    ...(format ? { format } : {}),
    ...(licence ? { licence } : {}),
    ...(purpose ? { purpose } : {}),
    ...(region ? { region: region.toUpperCase() } : {}),
    ...(credential ? { credential } : {}),
    ...(price ? { price: price as 'free' | 'paid' } : {}),
    ...(registered ? { registered: registered as (typeof REGISTRATION_STATES)[number] } : {}),
    sort: defaultSort(sort as Sort | undefined, text),
    limit,
    offset,
  };
}

/** Relevance needs a text query; without one the newest datasets come first. */
function defaultSort(sort: Sort | undefined, text: string | undefined): Sort {
  if (sort === 'relevance' || sort === undefined) return text ? 'relevance' : 'modified';
  return sort;
}
