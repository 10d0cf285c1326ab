// RFC 9162 §2.1.1 hashing: a leaf is H(0x00 || bytes), an interior node is H(0x01 || left || right). The
// distinct prefixes keep a leaf from ever passing for a node. H is SHA-256 (the default) or SM3 (GB/T 32905,
// for data spaces on the Chinese national algorithms); a log uses one for its whole life. Both give 32
// bytes, so hashes travel the same way: lowercase hex (64 characters) in JSON, 32-byte Buffers inside.
import { createHash } from 'node:crypto';

export const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** Lowercase hex of a 32-byte hash. */
export type HexHash = string;

/** The hash function of a log, as named in its checkpoints and exports. */
export type EvidenceHash = 'sha-256' | 'sm3';
export const EVIDENCE_HASHES: readonly EvidenceHash[] = ['sha-256', 'sm3'];
export const DEFAULT_EVIDENCE_HASH: EvidenceHash = 'sha-256';

export function isEvidenceHash(value: unknown): value is EvidenceHash {
  return value === 'sha-256' || value === 'sm3';
}

const NODE_NAME: Readonly<Record<EvidenceHash, string>> = { 'sha-256': 'sha256', sm3: 'sm3' };

/** H(parts...) with the log's hash function. */
export function digest(hash: EvidenceHash, ...parts: (Uint8Array | string)[]): Buffer {
  const h = createHash(NODE_NAME[hash]);
  for (const part of parts) h.update(part);
  return h.digest();
}

const HEX_HASH = /^[0-9a-f]{64}$/;

export function isHexHash(value: unknown): value is HexHash {
  return typeof value === 'string' && HEX_HASH.test(value);
}

export function hashLeaf(bytes: Uint8Array | string, hash: EvidenceHash = DEFAULT_EVIDENCE_HASH): Buffer {
  return digest(hash, LEAF_PREFIX, bytes);
}

export function hashChildren(
  left: Uint8Array,
  right: Uint8Array,
  hash: EvidenceHash = DEFAULT_EVIDENCE_HASH,
): Buffer {
  return digest(hash, NODE_PREFIX, left, right);
}

/** MTH({}) = H of the empty string: the root of the empty tree. */
export function emptyRoot(hash: EvidenceHash = DEFAULT_EVIDENCE_HASH): HexHash {
  return digest(hash).toString('hex');
}

/** The root of the empty SHA-256 tree. */
export const EMPTY_ROOT: HexHash = emptyRoot('sha-256');

/** A hash given as hex or bytes, as 32 bytes; undefined when it is neither. */
export function hashBytes(value: HexHash | Uint8Array): Buffer | undefined {
  if (typeof value === 'string') return isHexHash(value) ? Buffer.from(value, 'hex') : undefined;
  return value instanceof Uint8Array && value.length === HASH_BYTES ? Buffer.from(value) : undefined;
}
