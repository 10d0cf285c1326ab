// Words for policy terms: how the offer summaries name purposes, places, durations and actions.
import type { TypedValue } from '../../../policies/values/types.js';
import { valueText } from '../../../policies/evaluate/trace.js';

/** "scientific-research" → "scientific research"; an IRI → its last segment. */
export function term(value: string): string {
  const local = /[#/]([^#/]+)$/.exec(value)?.[1] ?? value.replace(/^shuyu:/, '');
  return local.replace(/[-_]/g, ' ');
}

const REGIONS: Readonly<Record<string, string>> = {
  CN: 'China',
  'CN-BJ': 'Beijing',
  'CN-SH': 'Shanghai',
  'CN-TJ': 'Tianjin',
  'CN-CQ': 'Chongqing',
  'CN-GD': 'Guangdong',
  'CN-ZJ': 'Zhejiang',
  'CN-JS': 'Jiangsu',
  'CN-HK': 'Hong Kong',
  'CN-MO': 'Macao',
  EU: 'the European Union',
};

export function region(code: string): string {
  return REGIONS[code] ?? code;
}

/** "a, b or c" (or "and"). */
export function list(items: readonly string[], conjunction: 'or' | 'and' = 'or'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

const UNITS: ReadonlyArray<[string, string]> = [
  ['Y', 'year'],
  ['M', 'month'],
  ['W', 'week'],
  ['D', 'day'],
];
const TIME_UNITS: ReadonlyArray<[string, string]> = [
  ['H', 'hour'],
  ['M', 'minute'],
  ['S', 'second'],
];

/** "P180D" → "180 days", "P1Y2M" → "1 year 2 months"; anything else as written. */
export function duration(text: string): string {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(
    text,
  );
  if (!match || text === 'P' || text.endsWith('T')) return text;
  const parts: string[] = [];
  const names = [...UNITS, ...TIME_UNITS];
  names.forEach(([, name], i) => {
    const n = match[i + 1];
    if (n !== undefined) parts.push(`${Number(n)} ${name}${Number(n) === 1 ? '' : 's'}`);
  });
  return parts.join(' ');
}

/** A typed value for people: durations spelt out, date-times without the "T". */
export function value(v: TypedValue): string {
  if (v.type === 'duration') return duration(v.text);
  if (v.type === 'dateTime') return valueText(v).replace(/^(\d{4}-\d{2}-\d{2})T/, '$1 ');
  if (v.type === 'iri') return term(v.value);
  return valueText(v);
}

const ACTIONS: Readonly<Record<string, string>> = {
  use: 'use the data',
  read: 'read the data',
  distribute: 'distribute the data',
  transfer: 'transfer the data to others',
  sell: 'sell the data',
  anonymize: 'anonymise the data',
  delete: 'delete the data',
  inform: 'inform the provider',
  attribute: 'credit the provider',
  compensate: 'pay',
  obtainConsent: 'obtain consent',
  watermark: 'watermark the data',
  reproduce: 'copy the data',
  modify: 'modify the data',
  derive: 'derive new data from it',
  aggregate: 'aggregate the data',
  display: 'display the data',
  print: 'print the data',
  archive: 'archive the data',
  index: 'index the data',
  present: 'present the data',
  execute: 'run the data',
  translate: 'translate the data',
  ensureExclusivity: 'keep the use exclusive',
};

export function action(name: string): string {
  return ACTIONS[name] ?? `${term(name)}`;
}

/** Wall-clock parts of an instant in an IANA zone, with the zone's offset then ("+08:00"). */
export function zonedParts(
  ms: number,
  timeZone: string,
): { year: number; month: number; day: number; hour: string; minute: string; offset: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const offset = /[+-]\d{2}:\d{2}/.exec(parts.timeZoneName ?? '')?.[0] ?? '+00:00';
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: parts.hour ?? '00',
    minute: parts.minute ?? '00',
    offset,
  };
}

/** An instant in a zone: "2026-12-31 23:59 (+08:00)"; a day (xsd:date) stays as written. */
export function zonedTime(v: TypedValue & { type: 'dateTime' }, timeZone: string): string {
  if (v.end !== v.start) return value(v);
  const p = zonedParts(v.start, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${p.hour}:${p.minute} (${p.offset})`;
}
