// The Bitstring Status List encoding: a bitstring, GZIP-compressed, base64url-encoded with the multibase `u`
// prefix; index 0 is the left-most (most significant) bit of the first byte. Decoding is bounded so that a
// hostile list cannot decompress into gigabytes.
import { gunzipSync, gzipSync } from 'node:zlib';
import { StatusListError } from '../errors.js';

/** The spec's minimum length (16 KiB of bits) gives each credential herd privacy. */
export const MIN_STATUS_LIST_LENGTH = 131_072;
/** Default cap when decoding someone else's list: 2^24 bits = 2 MiB. */
export const DEFAULT_MAX_STATUS_LIST_BITS = 16_777_216;

function invalid(reason: string): StatusListError {
  return new StatusListError('ERR_STATUS_LIST_INVALID', `The status list ${reason}.`);
}

export class StatusBitstring {
  readonly length: number;
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.length = bytes.length * 8;
  }

  /** An all-zero list of `length` bits (a multiple of 8). */
  static create(length: number): StatusBitstring {
    if (!Number.isInteger(length) || length < 8 || length % 8 !== 0) {
      throw new StatusListError(
        'ERR_STATUS_INDEX_INVALID',
        'A status list length must be a positive multiple of 8.',
      );
    }
    return new StatusBitstring(new Uint8Array(length / 8));
  }

  static decode(encodedList: string, maxBits: number = DEFAULT_MAX_STATUS_LIST_BITS): StatusBitstring {
    if (typeof encodedList !== 'string' || !/^u[A-Za-z0-9_-]+$/.test(encodedList)) {
      throw invalid('encodedList is not multibase base64url (it must start with "u")');
    }
    let bytes: Buffer;
    try {
      bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'), {
        maxOutputLength: Math.ceil(maxBits / 8),
      });
    } catch (error) {
      if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw invalid(`decompresses to more than ${maxBits} bits`);
      }
      throw invalid('encodedList is not GZIP data');
    }
    if (bytes.length === 0) throw invalid('is empty');
    return new StatusBitstring(new Uint8Array(bytes));
  }

  get(index: number): boolean {
    this.#assertIndex(index);
    return ((this.#bytes[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value: boolean): void {
    this.#assertIndex(index);
    const byte = index >> 3;
    const mask = 0x80 >> (index & 7);
    this.#bytes[byte] = value ? (this.#bytes[byte] ?? 0) | mask : (this.#bytes[byte] ?? 0) & ~mask;
  }

  encode(): string {
    return `u${gzipSync(this.#bytes).toString('base64url')}`;
  }

  clone(): StatusBitstring {
    return new StatusBitstring(this.#bytes.slice());
  }

  #assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new StatusListError(
        'ERR_STATUS_INDEX_INVALID',
        `Status index ${String(index)} is outside the list (0..${this.length - 1}).`,
        { details: { index: String(index), length: this.length } },
      );
    }
  }
}
