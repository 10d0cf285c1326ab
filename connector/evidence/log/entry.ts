// One evidence entry and the exact bytes it is hashed as. The leaf hash covers the previous entry's leaf hash
// (prevHash), so the entries form a hash chain and, at the same time, are the leaves of the Merkle tree.
import { canonicalJson, type JsonValue } from '../json/canonical.js';
import { hashLeaf, isHexHash, type EvidenceHash, type HexHash } from '../merkle/hash.js';

/** What happened. The five named kinds are what the connector logs; others are allowed (lowercase, dashes). */
export type EvidenceKind =
  | 'agreement'
  | 'agreement-verification'
  | 'negotiation-state'
  | 'transfer-state'
  | 'data-access'
  | 'duty'
  | (string & Record<never, never>);

export interface EvidenceEntry {
  /** Position in the log, from 0; also the leaf index in the Merkle tree. */
  readonly seq: number;
  /** When it was appended: ISO 8601 UTC with milliseconds. */
  readonly at: string;
  readonly kind: EvidenceKind;
  /** What it is about: an agreement id, a transfer process id, ... */
  readonly subject: string;
  readonly data: JsonValue;
  /** The leafHash of entry seq - 1; 64 zeros for entry 0. */
  readonly prevHash: HexHash;
  /** H(0x00 || JCS of the other six members), H the log's hash (SHA-256 or SM3). */
  readonly leafHash: HexHash;
}

export type EntryContent = Omit<EvidenceEntry, 'leafHash'>;

export const GENESIS_PREV_HASH: HexHash = '0'.repeat(64);
export const KIND_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
export const MAX_SUBJECT_LENGTH = 512;

/**
 * The RFC 8785 form of the entry without its leafHash. Members are written in JCS order by hand (at, data,
 * kind, prevHash, seq, subject) so data already canonicalised once is not canonicalised again; the result
 * equals canonicalJson of the six-member object (a test holds this).
 */
export function entryPreimage(content: EntryContent, dataJson: string = canonicalJson(content.data)): string {
  return (
    `{"at":${canonicalJson(content.at)},"data":${dataJson},"kind":${canonicalJson(content.kind)},` +
    `"prevHash":${canonicalJson(content.prevHash)},"seq":${canonicalJson(content.seq)},` +
    `"subject":${canonicalJson(content.subject)}}`
  );
}

export function entryLeafHash(content: EntryContent, dataJson?: string, hash?: EvidenceHash): HexHash {
  return hashLeaf(Buffer.from(entryPreimage(content, dataJson), 'utf8'), hash).toString('hex');
}

/** Why `value` is not shaped like an evidence entry, or undefined. (Says nothing about its hashes.) */
export function entryShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'it is not a JSON object';
  const e = value as Record<string, unknown>;
  const extra = Object.keys(e).filter(
    (key) => !['seq', 'at', 'kind', 'subject', 'data', 'prevHash', 'leafHash'].includes(key),
  );
  if (extra.length > 0) return `it has unexpected members (${extra.join(', ')})`;
  if (typeof e.seq !== 'number' || !Number.isSafeInteger(e.seq) || e.seq < 0)
    return '"seq" is not a non-negative integer';
  if (typeof e.at !== 'string') return '"at" is not a string';
  if (typeof e.kind !== 'string') return '"kind" is not a string';
  if (typeof e.subject !== 'string') return '"subject" is not a string';
  if (!('data' in e)) return '"data" is missing';
  if (!isHexHash(e.prevHash)) return '"prevHash" is not a hash in lowercase hex';
  if (!isHexHash(e.leafHash)) return '"leafHash" is not a hash in lowercase hex';
  return undefined;
}
