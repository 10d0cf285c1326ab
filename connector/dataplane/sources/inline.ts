// `{ kind: 'inline', data, encoding? }` (the bytes themselves) or
// `{ kind: 'inline', generator: 'csv', rows, columns, seed }` (deterministic demo data). Inline data
// is small by definition: it is held in memory, capped, and served with ranges and a content hash ETag.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataPlaneError } from '../errors.js';
import { resolveRange, type RequestedRange } from '../range.js';
import { generateCsv, readCsvGeneratorSpec } from './csv-generator.js';
import { contentTypeOf, invalidAddress, optionalString } from './fields.js';
import type { DataAddressLike, DataSource, OpenedData, SourceFactory } from './types.js';

export interface InlineSourceConfig {
  /** Largest inline or generated body (default 16 MiB). */
  readonly maxBytes?: number;
}

const CHUNK = 64 * 1024;
const CACHE_ENTRIES = 8;

function* chunks(bytes: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += CHUNK) yield bytes.subarray(offset, offset + CHUNK);
}

class InlineSource implements DataSource {
  readonly kind = 'inline';

  constructor(
    private readonly label: string,
    private readonly contentType: string,
    private readonly bytes: () => Buffer,
  ) {}

  describe(): string {
    return `inline ${this.label}`;
  }

  async open(range?: RequestedRange): Promise<OpenedData> {
    const bytes = this.bytes();
    const served = range === undefined ? undefined : resolveRange(range, bytes.length);
    if (served === 'unsatisfiable') {
      throw new DataPlaneError('ERR_RANGE_NOT_SATISFIABLE', 'The range starts past the end of the data.', {
        details: { size: bytes.length },
      });
    }
    const body = served ? bytes.subarray(served.start, served.end + 1) : bytes;
    return {
      stream: Readable.from(chunks(body)),
      size: bytes.length,
      contentType: this.contentType,
      etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`,
      ...(served ? { range: served } : {}),
    };
  }
}

export function inlineSourceFactory(config: InlineSourceConfig = {}): SourceFactory {
  const maxBytes = config.maxBytes ?? 16 * 1024 * 1024;
  // Generated data is rebuilt only when its spec changes (a few recent specs are kept).
  const generated = new Map<string, Buffer>();
  const tooLarge = (size: number): DataPlaneError =>
    invalidAddress(
      'inline',
      `holds ${size} bytes, more than the ${maxBytes} allowed inline; use a file asset`,
    );

  return {
    kind: 'inline',
    create(address: DataAddressLike): DataSource {
      const generator = optionalString(address, 'generator');
      if (generator !== undefined) {
        if (generator !== 'csv') throw invalidAddress('inline', `names generator "${generator}"; known: csv`);
        const spec = readCsvGeneratorSpec(address);
        const key = JSON.stringify(spec);
        return new InlineSource(
          `csv generator (${spec.rows} rows, seed ${spec.seed})`,
          contentTypeOf(address, 'text/csv'),
          () => {
            let bytes = generated.get(key);
            if (bytes === undefined) {
              bytes = Buffer.from(generateCsv(spec), 'utf8');
              if (bytes.length > maxBytes) throw tooLarge(bytes.length);
              if (generated.size >= CACHE_ENTRIES) generated.delete(generated.keys().next().value as string);
              generated.set(key, bytes);
            }
            return bytes;
          },
        );
      }
      const data = address.data;
      if (typeof data !== 'string') throw invalidAddress('inline', 'needs "data" (a string) or "generator"');
      const encoding = optionalString(address, 'encoding') ?? 'utf8';
      if (encoding !== 'utf8' && encoding !== 'base64') {
        throw invalidAddress('inline', `has encoding "${encoding}"; use utf8 or base64`);
      }
      const bytes = Buffer.from(data, encoding);
      if (bytes.length > maxBytes) throw tooLarge(bytes.length);
      const fallback = encoding === 'utf8' ? 'text/plain; charset=utf-8' : 'application/octet-stream';
      return new InlineSource(`${bytes.length} bytes`, contentTypeOf(address, fallback), () => bytes);
    },
  };
}
