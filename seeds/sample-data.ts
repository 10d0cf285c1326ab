// Small, realistic, reproducible sample data for the seed datasets: CSV generated from a column spec
// and a seed, so every start produces the same bytes (and transfers can be compared byte for byte).

export type ColumnSpec =
  | { name: string; kind: 'sequence'; prefix: string; width?: number }
  | { name: string; kind: 'date'; from: string; to: string }
  | { name: string; kind: 'choice'; values: string[] }
  | { name: string; kind: 'int'; min: number; max: number }
  | { name: string; kind: 'decimal'; min: number; max: number; digits: number }
  | { name: string; kind: 'pseudonym'; prefix: string };

export interface SampleSpec {
  rows: number;
  seed: number;
  columns: ColumnSpec[];
}

/** mulberry32: a tiny deterministic PRNG; good enough for demo data, never for secrets. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function cell(column: ColumnSpec, row: number, next: () => number): string {
  switch (column.kind) {
    case 'sequence':
      return column.prefix + String(row + 1).padStart(column.width ?? 6, '0');
    case 'date': {
      const from = Date.parse(column.from);
      const to = Date.parse(column.to);
      return new Date(from + Math.floor(next() * (to - from))).toISOString().slice(0, 10);
    }
    case 'choice':
      return column.values[Math.floor(next() * column.values.length)] ?? '';
    case 'int':
      return String(column.min + Math.floor(next() * (column.max - column.min + 1)));
    case 'decimal':
      return (column.min + next() * (column.max - column.min)).toFixed(column.digits);
    case 'pseudonym':
      return (
        column.prefix +
        Math.floor(next() * 0xffffffff)
          .toString(16)
          .padStart(8, '0')
      );
  }
}

/** The CSV text (header line, then `rows` lines, each ending in \n). */
export function generateCsv(spec: SampleSpec): string {
  const next = random(spec.seed);
  const lines = [spec.columns.map((c) => csvField(c.name)).join(',')];
  for (let row = 0; row < spec.rows; row++) {
    lines.push(spec.columns.map((c) => csvField(cell(c, row, next))).join(','));
  }
  return lines.join('\n') + '\n';
}
