// Order and equality of typed values of the same type.

import type { DateTimeValue, DurationValue, Ordering, TypedValue } from './types.js';

/** An instant is the millisecond [t, t+1); an xsd:date the day. Overlap without containment is indeterminate. */
function compareDateTime(a: DateTimeValue, b: DateTimeValue): Ordering {
  const aEnd = a.end === a.start ? a.start + 1 : a.end;
  const bEnd = b.end === b.start ? b.start + 1 : b.end;
  if (aEnd <= b.start) return -1;
  if (bEnd <= a.start) return 1;
  if ((a.start >= b.start && aEnd <= bEnd) || (b.start >= a.start && bEnd <= aEnd)) return 0;
  return 'indeterminate';
}

function compareDuration(a: DurationValue, b: DurationValue): Ordering {
  let sign: Ordering | undefined;
  for (let i = 0; i < 4; i++) {
    const d = (a.atReferences[i] as number) - (b.atReferences[i] as number);
    const s: Ordering = d < 0 ? -1 : d > 0 ? 1 : 0;
    if (sign === undefined) sign = s;
    else if (sign !== s) return 'indeterminate';
  }
  return sign ?? 0;
}

/** Orders two values of one type; unordered types (string, IRI, boolean) answer equal or indeterminate. */
export function compare(a: TypedValue, b: TypedValue): Ordering {
  switch (a.type) {
    case 'dateTime':
      return b.type === 'dateTime' ? compareDateTime(a, b) : 'indeterminate';
    case 'duration':
      return b.type === 'duration' ? compareDuration(a, b) : 'indeterminate';
    case 'integer':
      return b.type === 'integer' ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : 'indeterminate';
    case 'decimal':
      return b.type === 'decimal'
        ? a.scaled < b.scaled
          ? -1
          : a.scaled > b.scaled
            ? 1
            : 0
        : 'indeterminate';
    case 'grade':
      return b.type === 'grade' ? (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0) : 'indeterminate';
    case 'string':
    case 'iri':
    case 'boolean':
      return b.type === a.type && a.value === b.value ? 0 : 'indeterminate';
  }
}

/** Equality by meaning (a grade by its rank, a date by its day). */
export function equals(a: TypedValue, b: TypedValue): boolean {
  return compare(a, b) === 0;
}

/** Identity of a value for set membership (IRIs, strings, grades by name). */
export function keyOf(v: TypedValue): string {
  switch (v.type) {
    case 'iri':
    case 'string':
    case 'grade':
      return v.value;
    case 'boolean':
      return String(v.value);
    case 'integer':
      return String(v.value);
    case 'decimal':
      return v.scaled.toString();
    case 'dateTime':
      return `${v.start}/${v.end}`;
    case 'duration':
      return v.atReferences.join('/');
  }
}
