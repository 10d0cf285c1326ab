// Typed values: every right operand and every request value is converted to one of these before it
// is compared, so "2026-01-01" (a day), "2026-01-01T00:00:00Z" (an instant) and "P1M" (a duration)
// compare by their meaning and a mismatch is an error, not a silent false.

export type ValueType =
  'dateTime' | 'duration' | 'integer' | 'decimal' | 'string' | 'iri' | 'boolean' | 'grade';

/** An instant has start === end; an xsd:date is the day [start, end). Milliseconds since the epoch. */
export interface DateTimeValue {
  readonly type: 'dateTime';
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * An xsd:duration. Months and seconds do not convert into each other, so a duration is kept as its
 * length in seconds when added to each of the four reference instants of XML Schema (Appendix E);
 * two durations compare only when all four agree.
 */
export interface DurationValue {
  readonly type: 'duration';
  readonly months: number;
  readonly seconds: number;
  readonly atReferences: readonly [number, number, number, number];
  readonly text: string;
}

export interface IntegerValue {
  readonly type: 'integer';
  readonly value: number;
  readonly text: string;
}

/** Exact decimal: the value times 10^18 as a bigint (at most 18 fraction digits are accepted). */
export interface DecimalValue {
  readonly type: 'decimal';
  readonly scaled: bigint;
  readonly text: string;
}

export interface StringValue {
  readonly type: 'string';
  readonly value: string;
  readonly text: string;
}

export interface IriValue {
  readonly type: 'iri';
  /** Canonical form (see jsonld/namespaces.ts). */
  readonly value: string;
  readonly text: string;
}

export interface BooleanValue {
  readonly type: 'boolean';
  readonly value: boolean;
  readonly text: string;
}

/** A data grade on one total order (see vocabulary/grades.ts). */
export interface GradeValue {
  readonly type: 'grade';
  readonly rank: number;
  readonly value: string;
  readonly text: string;
}

export type TypedValue =
  | DateTimeValue
  | DurationValue
  | IntegerValue
  | DecimalValue
  | StringValue
  | IriValue
  | BooleanValue
  | GradeValue;

/** Outcome of comparing two values of one type; 'indeterminate' for partial orders (P1M vs P30D). */
export type Ordering = -1 | 0 | 1 | 'indeterminate';
