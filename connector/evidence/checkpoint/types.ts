// Signed tree heads ("checkpoints") and the authority's countersignatures on them. A checkpoint commits the
// log's DID key to "the first `size` entries of my log have Merkle root `root`, as of `time`"; a
// countersignature adds the authority's word that it saw exactly that at `countersignedAt`, so the log
// cannot later show anyone a different history of the same size without the two signatures contradicting.
import type { EvidenceHash, HexHash } from '../merkle/hash.js';

/**
 * The signed statement: these members are the JWS payload. `hash` is there only for a log that does not hash
 * with SHA-256 (so "sm3"); SHA-256 checkpoints stay the four members they always were.
 */
export interface CheckpointBody {
  /** The DID of the connector keeping the log. */
  readonly logId: string;
  readonly size: number;
  readonly root: HexHash;
  /** When it was signed: ISO 8601 UTC with milliseconds. */
  readonly time: string;
  /** The log's hash function; absent means SHA-256. */
  readonly hash?: EvidenceHash;
}

export interface Checkpoint extends CheckpointBody {
  /** Compact JWS (EdDSA or SM2, `typ` CHECKPOINT_TYP, `kid` a key of logId) over the CheckpointBody. */
  readonly signature: string;
}

export interface Countersignature {
  /** The authority's DID. */
  readonly authority: string;
  /** When the authority countersigned (its clock). */
  readonly time: string;
  /** Compact JWS (`typ` COUNTERSIGNATURE_TYP, `kid` a key of `authority`) over CountersignatureBody. */
  readonly signature: string;
}

/** The countersignature's JWS payload: the checkpoint body plus who countersigned and when. */
export interface CountersignatureBody extends CheckpointBody {
  readonly authority: string;
  readonly countersignedAt: string;
}

export interface CountersignedCheckpoint extends Checkpoint {
  readonly countersignatures: readonly Countersignature[];
}

/** A checkpoint as the log stores it (`id` is local to this database). */
export interface StoredCheckpoint extends CountersignedCheckpoint {
  readonly id: number;
}

export const CHECKPOINT_TYP = 'shuyu-evidence-checkpoint+jws';
export const COUNTERSIGNATURE_TYP = 'shuyu-evidence-countersignature+jws';

export function checkpointBody(c: CheckpointBody): CheckpointBody {
  return {
    logId: c.logId,
    size: c.size,
    root: c.root,
    time: c.time,
    ...(c.hash !== undefined && c.hash !== 'sha-256' ? { hash: c.hash } : {}),
  };
}

/** The hash function the checkpoint's root was computed with. */
export function checkpointHash(c: CheckpointBody): EvidenceHash {
  return c.hash ?? 'sha-256';
}

/** The checkpoint as it travels in exports and proofs (no local id). */
export function portableCheckpoint(c: CountersignedCheckpoint): CountersignedCheckpoint {
  return {
    ...checkpointBody(c),
    signature: c.signature,
    countersignatures: c.countersignatures.map((s) => ({
      authority: s.authority,
      time: s.time,
      signature: s.signature,
    })),
  };
}
