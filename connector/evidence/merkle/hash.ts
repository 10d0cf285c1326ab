// RFC 9162 §2.1.1 hashing with SHA-256: a leaf is SHA-256(0x00 || bytes), an interior node is
// SHA-256(0x01 || left || right). The distinct prefixes keep a leaf from ever passing for a node.
// Hashes travel as lowercase hex (64 characters) in JSON and as 32-byte Buffers inside.
import { createHash } from 'node:crypto';

export const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** Lowercase hex of a SHA-256 hash. */
export type HexHash = string;

const HEX_HASH = /^[0-9a-f]{64}$/;

export function isHexHash(value: unknown): value is HexHash {
  return typeof value === 'string' && HEX_HASH.test(value);
}

export function hashLeaf(bytes: Uint8Array | string): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(bytes).digest();
}

export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH({}) = SHA-256 of the empty string: the root of the empty tree. */
export const EMPTY_ROOT: HexHash = createHash('sha256').digest('hex');

/** A hash given as hex or bytes, as 32 bytes; undefined when it is neither. */
export function hashBytes(value: HexHash | Uint8Array): Buffer | undefined {
  if (typeof value === 'string') return isHexHash(value) ? Buffer.from(value, 'hex') : undefined;
  return value instanceof Uint8Array && value.length === HASH_BYTES ? Buffer.from(value) : undefined;
}
