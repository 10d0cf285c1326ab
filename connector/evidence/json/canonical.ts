// RFC 8785 JSON Canonicalization Scheme (JCS): the exact bytes every hash in the evidence log is taken over.
// ECMAScript already serialises numbers (Number::toString) and strings (JSON.stringify) the way JCS requires,
// so what is left is: sort object keys by UTF-16 code units, no whitespace, and refuse anything that is not
// I-JSON (non-finite numbers, lone surrogates, non-plain objects), so the same value always gives the same bytes.
import { EvidenceError } from '../errors.js';

export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Deeper values are refused: evidence data is a record, not a tree of arbitrary depth. */
export const MAX_CANONICAL_DEPTH = 64;

// A high surrogate not followed by a low one, or a low one not preceded by a high one (I-JSON forbids both).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalid(path: string, problem: string): EvidenceError {
  return new EvidenceError(
    'ERR_EVIDENCE_INPUT_INVALID',
    `The value at ${path || '/'} cannot be canonicalised as JSON (RFC 8785): ${problem}.`,
    { details: { path: path || '/' } },
  );
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function writeString(value: string, path: string, out: string[]): void {
  if (LONE_SURROGATE.test(value)) throw invalid(path, 'the string contains a lone UTF-16 surrogate');
  out.push(JSON.stringify(value));
}

function write(value: unknown, path: string, depth: number, out: string[]): void {
  if (value === null) return void out.push('null');
  switch (typeof value) {
    case 'boolean':
      return void out.push(value ? 'true' : 'false');
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, `${value} is not a finite number`);
      return void out.push(JSON.stringify(value)); // -0 becomes "0", as JCS requires
    case 'string':
      return writeString(value, path, out);
    case 'object':
      break;
    default:
      throw invalid(path, `a ${typeof value} is not JSON`);
  }
  if (depth >= MAX_CANONICAL_DEPTH)
    throw invalid(path, `it is nested deeper than ${MAX_CANONICAL_DEPTH} levels`);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      const item: unknown = value[i];
      if (item === undefined) throw invalid(pointer(path, i), 'an array element is undefined');
      write(item, pointer(path, i), depth + 1, out);
    }
    return void out.push(']');
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw invalid(path, 'only plain objects are JSON (convert dates, maps and class instances first)');
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 prescribes.
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  out.push('{');
  keys.forEach((key, i) => {
    if (i > 0) out.push(',');
    writeString(key, pointer(path, key), out);
    out.push(':');
    write(record[key], pointer(path, key), depth + 1, out);
  });
  out.push('}');
}

/**
 * The RFC 8785 canonical form of `value`. Object properties whose value is `undefined` are left out (as
 * JSON.stringify does); everything else that is not I-JSON throws ERR_EVIDENCE_INPUT_INVALID.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, '', 0, out);
  return out.join('');
}
