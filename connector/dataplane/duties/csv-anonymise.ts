// Column-removal anonymisation for CSV (RFC 4180) as a streaming Transform: records are cut as the
// bytes arrive (quoted fields may hold delimiters, quotes and line breaks, and may span chunks) and
// only the kept fields are written, verbatim. Memory is bounded by one record, never the whole body.
// A configured column missing from the header, or a row wider than the header, fails the stream:
// anonymisation fails closed rather than passing data through.
import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { DataPlaneError } from '../errors.js';

export interface CsvAnonymiseOptions {
  /** Field delimiter (default `,`). */
  readonly delimiter?: string;
  /** Longest record accepted, in characters (default 1 MiB). */
  readonly maxRecordLength?: number;
}

const QUOTE = 0x22;
const LF = 0x0a;

function failure(reason: string): DataPlaneError {
  return new DataPlaneError('ERR_ANONYMISE_FAILED', `The CSV cannot be anonymised: ${reason}.`);
}

function headerName(raw: string, first: boolean): string {
  let name = first ? raw.replace(/^\uFEFF/, '') : raw;
  name = name.trim();
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2)
    name = name.slice(1, -1).replace(/""/g, '"');
  return name.trim().toLowerCase();
}

class CsvColumnRemover extends Transform {
  readonly #decoder = new StringDecoder('utf8');
  readonly #remove: ReadonlySet<string>;
  readonly #delimiter: string;
  readonly #delimiterCode: number;
  readonly #maxRecordLength: number;
  #inQuotes = false;
  /** The current field's text so far (it may continue in the next chunk). */
  #field = '';
  #record: string[] = [];
  #recordLength = 0;
  /** Per column: keep it? Set from the header record. */
  #keep: boolean[] | undefined;

  constructor(columns: readonly string[], options: CsvAnonymiseOptions) {
    super();
    this.#remove = new Set(columns.map((c) => c.trim().toLowerCase()));
    this.#delimiter = options.delimiter ?? ',';
    if (this.#delimiter.length !== 1 || this.#delimiter === '"' || this.#delimiter === '\n') {
      throw new RangeError('the CSV delimiter must be one character other than a quote or a line break');
    }
    this.#delimiterCode = this.#delimiter.charCodeAt(0);
    this.#maxRecordLength = options.maxRecordLength ?? 1024 * 1024;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const out = this.#scan(this.#decoder.write(chunk));
      if (out.length > 0) this.push(out);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      let out = this.#scan(this.#decoder.end());
      if (this.#inQuotes) throw failure('the last quoted field is never closed');
      if (this.#field.length > 0 || this.#record.length > 0) {
        this.#record.push(this.#field);
        this.#field = '';
        out += this.#emit('');
      }
      if (out.length > 0) this.push(out);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  #scan(text: string): string {
    let out = '';
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Every quote toggles: an escaped quote ("") toggles twice and leaves the state as it was.
      if (c === QUOTE) {
        this.#inQuotes = !this.#inQuotes;
      } else if (this.#inQuotes) {
        continue;
      } else if (c === this.#delimiterCode) {
        this.#endField(this.#field + text.slice(start, i));
        start = i + 1;
      } else if (c === LF) {
        let last = this.#field + text.slice(start, i);
        const crlf = last.endsWith('\r');
        if (crlf) last = last.slice(0, -1);
        this.#endField(last);
        start = i + 1;
        out += this.#emit(crlf ? '\r\n' : '\n');
      }
    }
    this.#field += text.slice(start);
    if (this.#recordLength + this.#field.length > this.#maxRecordLength) {
      throw failure(`a record is longer than ${this.#maxRecordLength} characters`);
    }
    return out;
  }

  #endField(text: string): void {
    this.#record.push(text);
    this.#recordLength += text.length;
    this.#field = '';
  }

  #emit(lineEnd: string): string {
    const record = this.#record;
    this.#record = [];
    this.#recordLength = 0;
    if (this.#keep === undefined) {
      const names = record.map((raw, i) => headerName(raw, i === 0));
      const missing = [...this.#remove].filter((name) => !names.includes(name));
      if (missing.length > 0) {
        throw failure(
          `the header has no column ${missing.map((m) => JSON.stringify(m)).join(', ')} to remove`,
        );
      }
      this.#keep = names.map((name) => !this.#remove.has(name));
    }
    const keep = this.#keep;
    if (record.length > keep.length)
      throw failure(`a row has ${record.length} fields, the header ${keep.length}`);
    const kept: string[] = [];
    for (let i = 0; i < record.length; i++) if (keep[i]) kept.push(record[i] as string);
    return kept.join(this.#delimiter) + lineEnd;
  }
}

/** A Transform removing `columns` (header names, case-insensitive) from a CSV byte stream. */
export function createCsvColumnRemover(
  columns: readonly string[],
  options: CsvAnonymiseOptions = {},
): Transform {
  return new CsvColumnRemover(columns, options);
}
