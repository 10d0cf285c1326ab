// HTTP byte ranges (RFC 9110 §14): one range per request. A header that is malformed or asks for
// several ranges is ignored (the whole representation is served, which the RFC allows); a range
// that starts past the end is "unsatisfiable" (416).

/** What the client asked for, before the size is known. */
export type RequestedRange =
  | { readonly kind: 'from'; readonly start: number; readonly end?: number }
  | { readonly kind: 'suffix'; readonly length: number };

/** A resolved range: first and last byte, inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

const SINGLE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i;

function toSafeInteger(text: string): number | undefined {
  if (text === '') return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses a Range header; undefined means "serve the whole representation". */
export function parseRangeHeader(header: string | undefined): RequestedRange | undefined {
  if (header === undefined || header.length > 200) return undefined;
  const match = SINGLE.exec(header);
  if (!match) return undefined;
  const first = toSafeInteger(match[1] ?? '');
  const last = toSafeInteger(match[2] ?? '');
  if (first === undefined) {
    return last === undefined ? undefined : { kind: 'suffix', length: last };
  }
  if (last !== undefined && last < first) return undefined;
  return last === undefined ? { kind: 'from', start: first } : { kind: 'from', start: first, end: last };
}

/** The bytes to serve from a representation of `size` bytes, or 'unsatisfiable'. */
export function resolveRange(range: RequestedRange, size: number): ByteRange | 'unsatisfiable' {
  if (range.kind === 'suffix') {
    if (range.length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - range.length), end: size - 1 };
  }
  if (range.start >= size) return 'unsatisfiable';
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

/** The Range header that asks a backend for `range`. */
export function formatRangeHeader(range: RequestedRange): string {
  if (range.kind === 'suffix') return `bytes=-${range.length}`;
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/** Reads `Content-Range: bytes a-b/N` (N may be `*`) or `bytes *\/N`. */
export function parseContentRange(
  header: string | undefined,
): { range?: ByteRange; size?: number } | undefined {
  const match = header === undefined ? null : /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header.trim());
  if (!match) return undefined;
  const size = match[3] === '*' ? undefined : toSafeInteger(match[3] ?? '');
  const start = toSafeInteger(match[1] ?? '');
  const end = toSafeInteger(match[2] ?? '');
  return {
    ...(start !== undefined && end !== undefined && end >= start ? { range: { start, end } } : {}),
    ...(size !== undefined ? { size } : {}),
  };
}

export function rangeLength(range: ByteRange): number {
  return range.end - range.start + 1;
}
