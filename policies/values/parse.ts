// Converts raw JSON (a right operand, or a request value) into a typed value of the type its left
// operand expects. Returns a reason instead of throwing, so callers can report it.

import { canonicalIri } from '../jsonld/namespaces.js';
import { gradeRank } from '../vocabulary/grades.js';
import type { DateTimeValue, DecimalValue, DurationValue, TypedValue, ValueType } from './types.js';

export type Parsed<T = TypedValue> = { ok: true; value: T } | { ok: false; reason: string };

// Seconds are optional: strict xsd:dateTime requires them, but the DSP specification's own examples
// write 2023-12-31T06:00Z.
const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;
const DATE = /^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;
const DURATION =
  /^(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const INTEGER = /^[+-]?\d{1,16}$/;
const DECIMAL = /^([+-])?(\d{0,30})(?:\.(\d{0,18}))?$/;
const DAY_MS = 86_400_000;
const MAX_TIME_VALUE = 8.64e15;
const VALUE_OBJECT_KEYS = new Set(['@value', '@type', '@language', '@direction', '@index']);

/** Which xsd datatypes a value of each type may be annotated with. */
const ACCEPTED_DATATYPES: Readonly<Record<ValueType, readonly string[]>> = {
  dateTime: ['xsd:dateTime', 'xsd:date', 'xsd:dateTimeStamp'],
  duration: ['xsd:duration', 'xsd:dayTimeDuration', 'xsd:yearMonthDuration'],
  integer: [
    'xsd:integer',
    'xsd:int',
    'xsd:long',
    'xsd:short',
    'xsd:nonNegativeInteger',
    'xsd:positiveInteger',
    'xsd:unsignedInt',
    'xsd:unsignedLong',
  ],
  decimal: [
    'xsd:decimal',
    'xsd:double',
    'xsd:float',
    'xsd:integer',
    'xsd:int',
    'xsd:long',
    'xsd:nonNegativeInteger',
    'xsd:positiveInteger',
  ],
  string: ['xsd:string', 'xsd:normalizedString', 'xsd:token', 'xsd:language'],
  iri: ['xsd:anyURI', 'xsd:string'],
  boolean: ['xsd:boolean'],
  grade: ['xsd:string', 'shuyu:DataGrade'],
};

export const TYPE_LABELS: Readonly<Record<ValueType, string>> = {
  dateTime: 'a date or date-time (xsd:date / xsd:dateTime)',
  duration: 'a duration (xsd:duration, e.g. P30D)',
  integer: 'an integer (xsd:integer)',
  decimal: 'a decimal number (xsd:decimal)',
  string: 'a string',
  iri: 'an IRI or term',
  boolean: 'a boolean',
  grade: 'a data grade (general, important, core or JR-L1..JR-L5)',
};

export function acceptsDatatype(type: ValueType, datatype: string): boolean {
  return ACCEPTED_DATATYPES[type].includes(canonicalIri(datatype));
}

function fail(type: ValueType, raw: unknown): Parsed<never> {
  const shown =
    typeof raw === 'string'
      ? `"${raw.length > 60 ? raw.slice(0, 60) + '…' : raw}"`
      : (JSON.stringify(raw) ?? String(raw));
  return { ok: false, reason: `${shown} is not ${TYPE_LABELS[type]}` };
}

/**
 * Parses a raw value as `type`. `raw` may be a JSON scalar, a JSON-LD value object
 * ({"@value", "@type"}) or an IRI object ({"@id"}). A declared @type must fit the expected type.
 */
export function parseValue(type: ValueType, raw: unknown, from: 'policy' | 'request' = 'request'): Parsed {
  if (typeof raw === 'string' && (type === 'iri' || type === 'string' || type === 'grade')) {
    // Typed values are immutable and requests repeat the same terms: parse each string once.
    const cache = STRING_CACHES[type];
    let parsed = cache.get(raw);
    if (parsed === undefined) {
      if (cache.size >= 10_000) cache.clear();
      parsed = parseUncached(type, raw, from);
      cache.set(raw, parsed);
    }
    return parsed;
  }
  return parseUncached(type, raw, from);
}

const STRING_CACHES = {
  iri: new Map<string, Parsed>(),
  string: new Map<string, Parsed>(),
  grade: new Map<string, Parsed>(),
};

function parseUncached(type: ValueType, raw: unknown, from: 'policy' | 'request'): Parsed {
  if (raw instanceof Date)
    return type === 'dateTime' && from === 'request' ? parseDateTime(raw) : fail(type, raw);
  // A bare number is a timestamp or seconds only when a program passes it in a request; in a policy
  // it is a typing mistake (dateTime lt 5).
  if (from === 'policy' && typeof raw === 'number' && (type === 'dateTime' || type === 'duration'))
    return fail(type, raw);
  let value = raw;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    if ('@value' in obj) {
      // JSON-LD value objects have no other keys: an unknown one would silently be dropped.
      for (const key in obj) {
        if (!VALUE_OBJECT_KEYS.has(key))
          return {
            ok: false,
            reason: `a value object has @value and @type only, not ${JSON.stringify(key)}`,
          };
      }
      const declared = obj['@type'];
      if (typeof declared === 'string' && !acceptsDatatype(type, declared)) {
        return {
          ok: false,
          reason: `the value is typed ${canonicalIri(declared)} but ${TYPE_LABELS[type]} is needed`,
        };
      }
      value = obj['@value'];
    } else if (typeof obj['@id'] === 'string' && (type === 'iri' || type === 'grade' || type === 'string')) {
      value = obj['@id'];
    } else return fail(type, raw);
  }
  switch (type) {
    case 'dateTime':
      return parseDateTime(value);
    case 'duration':
      return parseDuration(value);
    case 'integer':
      return parseInteger(value);
    case 'decimal':
      return parseDecimal(value);
    case 'string':
      return typeof value === 'string' ? { ok: true, value: { type, value, text: value } } : fail(type, raw);
    case 'iri':
      return typeof value === 'string' && value.length > 0
        ? { ok: true, value: { type, value: canonicalIri(value), text: value } }
        : fail(type, raw);
    case 'boolean':
      if (value === true || value === 'true') return { ok: true, value: { type, value: true, text: 'true' } };
      if (value === false || value === 'false')
        return { ok: true, value: { type, value: false, text: 'false' } };
      return fail(type, raw);
    case 'grade': {
      if (typeof value !== 'string') return fail(type, raw);
      const canonical = value.includes(':') ? canonicalIri(value) : value;
      const id = canonical.startsWith('shuyu:') ? canonical.slice(6) : canonical;
      const rank = gradeRank(id);
      return rank === undefined
        ? fail(type, raw)
        : { ok: true, value: { type, rank, value: id, text: value } };
    }
  }
}

/** Epoch milliseconds, a Date, an xsd:dateTime (no zone = UTC) or an xsd:date (the whole day). */
export function parseDateTime(value: unknown): Parsed<DateTimeValue> {
  // Only instants a Date can hold (±8.64e15 ms, ECMAScript time values): 1e20 is no time at all.
  if (typeof value === 'number' && Math.abs(value) <= MAX_TIME_VALUE) {
    return {
      ok: true,
      // text is filled in only when shown (evaluate/trace.ts): formatting dates is costly on the hot path
      value: { type: 'dateTime', start: value, end: value, text: '' },
    };
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) {
    const ms = value.getTime();
    return { ok: true, value: { type: 'dateTime', start: ms, end: ms, text: value.toISOString() } };
  }
  if (typeof value !== 'string') return fail('dateTime', value);
  let m = DATE_TIME.exec(value);
  if (m) {
    const ms = Date.parse(m[8] === undefined ? value + 'Z' : value);
    if (!validCalendar(m, ms, m[8] ?? 'Z') || Number(m[4]) > 24) return fail('dateTime', value);
    return { ok: true, value: { type: 'dateTime', start: ms, end: ms, text: value } };
  }
  m = DATE.exec(value);
  if (m) {
    const zone = m[4] ?? 'Z';
    const start = Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00${zone}`);
    if (!validCalendar(m, start, zone)) return fail('dateTime', value);
    return { ok: true, value: { type: 'dateTime', start, end: start + DAY_MS, text: value } };
  }
  return fail('dateTime', value);
}

/** Rejects 2026-02-30 and friends, which Date.parse rolls over into the next month. */
function validCalendar(m: RegExpExecArray, ms: number, zone: string): boolean {
  if (Number.isNaN(ms)) return false;
  const offset =
    zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const local = new Date(ms + offset * 60_000);
  return (
    local.getUTCFullYear() === Number(m[1]) &&
    local.getUTCMonth() + 1 === Number(m[2]) &&
    local.getUTCDate() === Number(m[3])
  );
}

/** The four reference instants of XML Schema 1.1 Part 2, Appendix E (duration order relation). */
const REFERENCES = [
  Date.UTC(1696, 8, 1),
  Date.UTC(1697, 1, 1),
  Date.UTC(1903, 2, 1),
  Date.UTC(1903, 6, 1),
] as const;

export function durationFromParts(months: number, seconds: number, text: string): DurationValue {
  if (months === 0)
    return { type: 'duration', months, seconds, atReferences: [seconds, seconds, seconds, seconds], text };
  const at = (ref: number): number => {
    const d = new Date(ref);
    d.setUTCMonth(d.getUTCMonth() + months);
    return (d.getTime() - ref) / 1000 + seconds;
  };
  return {
    type: 'duration',
    months,
    seconds,
    atReferences: [at(REFERENCES[0]), at(REFERENCES[1]), at(REFERENCES[2]), at(REFERENCES[3])],
    text,
  };
}

/** An xsd:duration string, or a number of seconds. */
export function parseDuration(value: unknown): Parsed<DurationValue> {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return { ok: true, value: durationFromParts(0, value, `PT${value}S`) };
  }
  if (typeof value !== 'string') return fail('duration', value);
  const m = DURATION.exec(value);
  if (!m) return fail('duration', value);
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const sign = m[1] === '-' ? -1 : 1;
  const months = sign * (n(2) * 12 + n(3));
  const seconds = sign * (n(4) * 7 * 86_400 + n(5) * 86_400 + n(6) * 3_600 + n(7) * 60 + n(8));
  return { ok: true, value: durationFromParts(months, seconds, value) };
}

export function parseInteger(value: unknown): Parsed {
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return { ok: true, value: { type: 'integer', value, text: String(value) } };
  }
  if (typeof value === 'string' && INTEGER.test(value) && Number.isSafeInteger(Number(value))) {
    return { ok: true, value: { type: 'integer', value: Number(value), text: value } };
  }
  return fail('integer', value);
}

const SCALE = 18;

export function parseDecimal(value: unknown): Parsed<DecimalValue> {
  let text: string;
  if (typeof value === 'number' && Number.isFinite(value)) text = numberToDecimalText(value);
  else if (typeof value === 'string') text = value.trim();
  else return fail('decimal', value);
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return fail('decimal', value);
  const digits = (m[2] || '0') + (m[3] ?? '').padEnd(SCALE, '0');
  const scaled = BigInt(digits) * (m[1] === '-' ? -1n : 1n);
  return { ok: true, value: { type: 'decimal', scaled, text: typeof value === 'string' ? value : text } };
}

/** Plain notation for JS numbers (no exponent), rounded to the decimal scale. */
function numberToDecimalText(n: number): string {
  const shortest = String(n); // the shortest text that round-trips, e.g. 0.1 rather than 0.1000000000000000055
  return shortest.includes('e') ? n.toFixed(SCALE).replace(/\.?0+$/, '') : shortest;
}
