// The two portable documents: a log export (a range of entries with everything needed to verify them
// offline) and an entry proof (one entry, its inclusion proof and the checkpoint it leads to).
import type { AnchorReceipt } from '../checkpoint/anchor.js';
import type { CountersignedCheckpoint } from '../checkpoint/types.js';
import type { EvidenceEntry } from '../log/entry.js';
import type { ConsistencyProof, InclusionProof } from '../log/evidence-log.js';
import { isEvidenceHash, isHexHash, type EvidenceHash, type HexHash } from '../merkle/hash.js';

export const EXPORT_FORMAT = 'shuyu-evidence-export/1';
export const PROOF_FORMAT = 'shuyu-evidence-proof/1';

export interface EvidenceExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly logId: string;
  /** The log's hash function ("sha-256" when absent: exports made before the choice existed). */
  readonly hash?: EvidenceHash;
  readonly exportedAt: string;
  /** The entries are seq from .. to - 1; `to` is the tree size they end at. */
  readonly from: number;
  readonly to: number;
  /** Hashes of the perfect subtrees of the first `from` entries, largest first (empty when from is 0). */
  readonly prefix: readonly HexHash[];
  readonly entries: readonly EvidenceEntry[];
  /** Checkpoints of sizes from..to, then the first later one if there is one. */
  readonly checkpoints: readonly CountersignedCheckpoint[];
  /** Proofs from size `to` to each checkpoint beyond it. */
  readonly consistencyProofs: readonly ConsistencyProof[];
  /** Every stored version of the DID documents of the log and of the countersigning authorities. */
  readonly didDocuments: readonly Record<string, unknown>[];
  readonly anchors: readonly AnchorReceipt[];
}

export interface EntryProofDocument {
  readonly format: typeof PROOF_FORMAT;
  readonly logId: string;
  /** The log's hash function ("sha-256" when absent). */
  readonly hash?: EvidenceHash;
  readonly entry: EvidenceEntry;
  readonly inclusion: InclusionProof;
  readonly checkpoint: CountersignedCheckpoint;
  readonly didDocuments: readonly Record<string, unknown>[];
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const isList = (value: unknown): value is unknown[] => Array.isArray(value);

/** Why `value` is not an evidence export, or undefined. Entries and checkpoints are checked one by one later. */
export function exportShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'it is not a JSON object';
  const x = value as Record<string, unknown>;
  if (x.format !== EXPORT_FORMAT)
    return `"format" is ${JSON.stringify(x.format)}, expected "${EXPORT_FORMAT}"`;
  if (typeof x.logId !== 'string') return '"logId" is missing';
  if (x.hash !== undefined && !isEvidenceHash(x.hash)) return '"hash" is neither "sha-256" nor "sm3"';
  if (!isCount(x.from) || !isCount(x.to) || x.from > x.to)
    return '"from" and "to" must be integers with from <= to';
  if (!isList(x.prefix) || !x.prefix.every(isHexHash)) return '"prefix" must be a list of hashes';
  for (const name of ['entries', 'checkpoints', 'consistencyProofs', 'didDocuments', 'anchors']) {
    if (!isList(x[name])) return `"${name}" must be a list`;
  }
  return undefined;
}

export function proofShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'it is not a JSON object';
  const x = value as Record<string, unknown>;
  if (x.format !== PROOF_FORMAT) return `"format" is ${JSON.stringify(x.format)}, expected "${PROOF_FORMAT}"`;
  if (typeof x.logId !== 'string') return '"logId" is missing';
  if (x.hash !== undefined && !isEvidenceHash(x.hash)) return '"hash" is neither "sha-256" nor "sm3"';
  const inclusion = x.inclusion as Record<string, unknown> | null | undefined;
  if (!inclusion || !isCount(inclusion.leafIndex) || !isCount(inclusion.treeSize) || !isList(inclusion.path))
    return '"inclusion" must have leafIndex, treeSize and path';
  if (!isList(x.didDocuments)) return '"didDocuments" must be a list';
  return undefined;
}
