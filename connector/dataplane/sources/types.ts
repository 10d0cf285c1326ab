// One interface for every place data can come from. Adding a kind is one module exporting a
// SourceFactory (see registry.ts); the data plane never looks inside an address it has no factory for.
import type { Readable } from 'node:stream';
import type { ByteRange, RequestedRange } from '../range.js';

/** A stored data address: `kind` picks the factory, the rest is the factory's to validate. */
export interface DataAddressLike {
  readonly kind: string;
  readonly [field: string]: unknown;
}

export interface OpenedData {
  /** The bytes (of `range` when set, else all of them). Destroy it when not consuming it. */
  readonly stream: Readable;
  /** Size of the whole representation in bytes, when known. */
  readonly size?: number;
  readonly contentType: string;
  /** Strong validator of the whole representation (quoted, as in an ETag header), when known. */
  readonly etag?: string;
  /** The bytes `stream` carries when a range was served; absent means the whole representation. */
  readonly range?: ByteRange;
}

export interface OpenOptions {
  readonly signal?: AbortSignal;
}

export interface DataSource {
  readonly kind: string;
  /** Where the data comes from, for logs: never credentials, query strings or secrets. */
  describe(): string;
  /**
   * Opens the data, or the requested range of it (a source that cannot serve ranges returns the
   * whole representation without `range`). Throws ERR_RANGE_NOT_SATISFIABLE (details.size) when the
   * range starts past the end.
   */
  open(range?: RequestedRange, options?: OpenOptions): Promise<OpenedData>;
}

export interface SourceFactory {
  readonly kind: string;
  /**
   * Validates the address (no network I/O; a file's links are resolved) and returns a source. Throws ERR_SOURCE_ADDRESS_INVALID,
   * ERR_SOURCE_PATH_REFUSED or ERR_SOURCE_HOST_REFUSED so a bad asset is refused at registration.
   */
  create(address: DataAddressLike): DataSource;
}
