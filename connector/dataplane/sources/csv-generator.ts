// Deterministic demo data: `{ generator: 'csv', rows, columns, seed }` always yields the same bytes
// for the same spec (a seeded PRNG, no clock, no locale), so seeds, tests and both connectors agree.
import { invalidAddress } from './fields.js';
import type { DataAddressLike } from './types.js';

export const GENERATED_COLUMN_TYPES = [
  'id',
  'integer',
  'decimal',
  'date',
  'name',
  'region',
  'choice',
] as const;
export type GeneratedColumnType = (typeof GENERATED_COLUMN_TYPES)[number];

export interface GeneratedColumn {
  readonly name: string;
  readonly type: GeneratedColumnType;
  readonly min?: number;
  readonly max?: number;
  /** For `choice`: the values to pick from. */
  readonly values?: readonly string[];
}

export interface CsvGeneratorSpec {
  readonly rows: number;
  readonly columns: readonly GeneratedColumn[];
  readonly seed: number | string;
}

export const MAX_GENERATED_ROWS = 200_000;
const MAX_COLUMNS = 100;
const MAX_GENERATED_CELLS = 2_000_000;

const SURNAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun'];
const GIVEN = ['Wei', 'Fang', 'Min', 'Jing', 'Lei', 'Yan', 'Jun', 'Tao', 'Ying', 'Hao', 'Xin', 'Qiang'];
const REGIONS = ['CN-BJ', 'CN-SH', 'CN-GD', 'CN-ZJ', 'CN-JS', 'CN-SC', 'CN-HB', 'CN-SD', 'CN-TJ', 'CN-CQ'];
const DAY_MS = 86_400_000;
const DATE_BASE = Date.UTC(2025, 0, 1);

/** mulberry32: small, fast and good enough for demo data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, so string seeds work too. */
function seedOf(seed: number | string): number {
  const text = String(seed);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function inferType(name: string): GeneratedColumnType {
  if (/(^|[_\s-])id$/i.test(name) || /^id$/i.test(name)) return 'id';
  if (/date|day|time/i.test(name)) return 'date';
  if (/name/i.test(name)) return 'name';
  if (/region|province|city/i.test(name)) return 'region';
  return 'integer';
}

function cell(column: GeneratedColumn, row: number, random: () => number): string {
  const min = column.min ?? 0;
  const max = column.max ?? 100;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  switch (column.type) {
    case 'id':
      return String(row + 1).padStart(6, '0');
    case 'integer':
      return String(min + Math.floor(random() * (max - min + 1)));
    case 'decimal':
      return (min + random() * (max - min)).toFixed(2);
    case 'date':
      return new Date(DATE_BASE + Math.floor(random() * 365) * DAY_MS).toISOString().slice(0, 10);
    case 'name':
      return `${pick(SURNAMES)} ${pick(GIVEN)}`;
    case 'region':
      return pick(REGIONS);
    case 'choice':
      return csvField(pick(column.values ?? ['']));
  }
}

export function generateCsv(spec: CsvGeneratorSpec): string {
  const random = prng(seedOf(spec.seed));
  const lines = [spec.columns.map((c) => csvField(c.name)).join(',')];
  for (let row = 0; row < spec.rows; row++) {
    lines.push(spec.columns.map((c) => cell(c, row, random)).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function readColumn(value: unknown, index: number): GeneratedColumn {
  if (typeof value === 'string' && value.length > 0 && value.length <= 100) {
    return { name: value, type: inferType(value) };
  }
  const column = value as Partial<Record<keyof GeneratedColumn, unknown>> | null;
  const ok =
    column !== null &&
    typeof column === 'object' &&
    typeof column.name === 'string' &&
    column.name.length > 0 &&
    column.name.length <= 100 &&
    (column.type === undefined || GENERATED_COLUMN_TYPES.includes(column.type as GeneratedColumnType)) &&
    (column.min === undefined || Number.isFinite(column.min)) &&
    (column.max === undefined || Number.isFinite(column.max)) &&
    (column.values === undefined ||
      (Array.isArray(column.values) &&
        column.values.length > 0 &&
        column.values.every((v) => typeof v === 'string')));
  if (!ok) {
    throw invalidAddress(
      'inline',
      `has column ${index} that is neither a name nor {name, type (${GENERATED_COLUMN_TYPES.join('|')}), min?, max?, values?}`,
    );
  }
  const name = column.name as string;
  const type = (column.type as GeneratedColumnType | undefined) ?? inferType(name);
  if (type === 'choice' && column.values === undefined) {
    throw invalidAddress('inline', `has choice column "${name}" without "values"`);
  }
  return {
    name,
    type,
    ...(column.min !== undefined ? { min: column.min as number } : {}),
    ...(column.max !== undefined ? { max: column.max as number } : {}),
    ...(column.values !== undefined ? { values: column.values as string[] } : {}),
  };
}

/** Validates a `generator: 'csv'` address. */
export function readCsvGeneratorSpec(address: DataAddressLike): CsvGeneratorSpec {
  const { rows, columns, seed } = address;
  if (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 0 || rows > MAX_GENERATED_ROWS) {
    throw invalidAddress('inline', `needs "rows" as an integer from 0 to ${MAX_GENERATED_ROWS}`);
  }
  if (!Array.isArray(columns) || columns.length === 0 || columns.length > MAX_COLUMNS) {
    throw invalidAddress('inline', `needs "columns" as a list of 1 to ${MAX_COLUMNS} columns`);
  }
  if (!(typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)))) {
    throw invalidAddress('inline', 'needs "seed" as a number or a string');
  }
  if (rows * columns.length > MAX_GENERATED_CELLS) {
    throw invalidAddress(
      'inline',
      `asks for ${rows * columns.length} cells; at most ${MAX_GENERATED_CELLS} are generated`,
    );
  }
  const parsed = columns.map(readColumn);
  if (new Set(parsed.map((c) => c.name)).size !== parsed.length) {
    throw invalidAddress('inline', 'has two columns with the same name');
  }
  return { rows, columns: parsed, seed };
}
