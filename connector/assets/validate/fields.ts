// Small field checkers that collect every problem (not only the first) with its JSON pointer, so
// the operator fixes an asset or offer in one round.

import { ValidationError, type FieldError } from '../errors.js';

export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 6901 pointer to a child. */
export function child(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * A DSP dataset id: an absolute IRI (urn:x:y) or a plain identifier such as the UUIDs EDC uses
 * ("a1b2-..."), without whitespace or characters no IRI may hold. Not a JSON-LD keyword (`@...`) nor a
 * blank node (`_:...`), which processors rename. A plain id expands as a relative IRI.
 */
const DATASET_ID = /^(?![@]|_:)[^\s<>"{}|\\^`]+$/;
/** type/subtype with optional parameters (RFC 6838). */
const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;.*)?$/;
/** ISO 8601 date-time with a zone (what xsd:dateTime and DCAT readers accept without guessing). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export class Fields {
  readonly errors: FieldError[] = [];

  fail(pointer: string, reason: string, code?: string): void {
    this.errors.push(code === undefined ? { pointer, reason } : { pointer, reason, code });
  }

  /** Refuses keys outside `allowed` (a typo would otherwise be stored and silently ignored). */
  onlyKeys(value: JsonRecord, allowed: readonly string[], pointer: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key))
        this.fail(child(pointer, key), `unknown property "${key}"; expected one of ${allowed.join(', ')}`);
    }
  }

  string(
    value: unknown,
    pointer: string,
    options: { max: number; min?: number; pattern?: RegExp; what?: string },
  ): string | undefined {
    if (typeof value !== 'string') {
      this.fail(pointer, value === undefined ? 'required' : `expected a string, found ${kindOf(value)}`);
      return undefined;
    }
    const min = options.min ?? 1;
    if (value.trim().length < min) this.fail(pointer, 'must not be empty');
    else if (value.length > options.max) this.fail(pointer, `longer than ${options.max} characters`);
    else if (options.pattern && !options.pattern.test(value))
      this.fail(pointer, `not ${options.what ?? 'in the expected form'}`);
    else return value;
    return undefined;
  }

  datasetId(value: unknown, pointer: string): string | undefined {
    const what = 'an IRI (e.g. urn:x:y) or a plain id without whitespace, not starting with @ or _:';
    return this.string(value, pointer, { max: 512, pattern: DATASET_ID, what });
  }

  httpUrl(value: unknown, pointer: string): string | undefined {
    const s = this.string(value, pointer, { max: 2048 });
    if (s === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      this.fail(pointer, 'not a URL');
      return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      this.fail(pointer, `expected an http(s) URL, found ${url.protocol}`);
      return undefined;
    }
    return s;
  }

  mediaType(value: unknown, pointer: string): string | undefined {
    return this.string(value, pointer, {
      max: 255,
      pattern: MEDIA_TYPE,
      what: 'a media type (e.g. text/csv)',
    });
  }

  dateTime(value: unknown, pointer: string): string | undefined {
    const s = this.string(value, pointer, {
      max: 64,
      pattern: DATE_TIME,
      what: 'an ISO 8601 date-time with a zone (e.g. 2026-01-01T00:00:00Z)',
    });
    if (s !== undefined && Number.isNaN(Date.parse(s))) {
      this.fail(pointer, 'not a valid date-time');
      return undefined;
    }
    return s;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], pointer: string): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(
      pointer,
      value === undefined
        ? `required; one of ${allowed.join(', ')}`
        : `expected one of ${allowed.join(', ')}, found ${kindOf(value)}`,
    );
    return undefined;
  }

  stringList(
    value: unknown,
    pointer: string,
    options: { maxItems: number; maxLength: number; minItems?: number },
  ): string[] | undefined {
    if (!Array.isArray(value)) {
      this.fail(pointer, value === undefined ? 'required' : `expected an array, found ${kindOf(value)}`);
      return undefined;
    }
    if (value.length < (options.minItems ?? 0)) {
      this.fail(pointer, `expected at least ${options.minItems} item(s)`);
      return undefined;
    }
    if (value.length > options.maxItems) {
      this.fail(pointer, `more than ${options.maxItems} items`);
      return undefined;
    }
    const before = this.errors.length;
    const out = value.map((v, i) => this.string(v, child(pointer, i), { max: options.maxLength }) ?? '');
    const seen = new Set<string>();
    out.forEach((v, i) => {
      if (v !== '' && seen.has(v)) this.fail(child(pointer, i), `"${v}" is listed twice`);
      seen.add(v);
    });
    return this.errors.length === before ? out : undefined;
  }
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** One error for the whole input, its message naming the first problem, `fields` all of them. */
export function invalidInput(
  code: 'ERR_ASSET_INVALID' | 'ERR_OFFER_INVALID',
  what: 'asset' | 'offer',
  f: Fields,
): ValidationError {
  const n = f.errors.length;
  const first = f.errors[0];
  const summary = first ? `; first at ${first.pointer || '(document)'}: ${first.reason}` : '';
  return new ValidationError(
    code,
    `the ${what} is invalid (${n} problem${n === 1 ? '' : 's'}${summary})`,
    f.errors,
  );
}
