// Can two checkpoints of one log both be true? Same size needs the same root; a larger one needs a valid
// consistency proof from the smaller. Two validly signed checkpoints that fail this are proof the log forked.
import { consistencyFailure } from '../merkle/verify.js';
import type { HexHash } from '../merkle/hash.js';
import { checkpointHash, type CheckpointBody } from './types.js';

export interface CheckpointComparison {
  readonly consistent: boolean;
  /** Set when both have the same size and different roots: no proof can reconcile them. */
  readonly fork: boolean;
  readonly reason?: string;
}

/** Compares an earlier checkpoint with a later one; `proof` is the consistency proof between their sizes. */
export function compareCheckpoints(
  earlier: CheckpointBody,
  later: CheckpointBody,
  proof: readonly HexHash[] = [],
): CheckpointComparison {
  if (earlier.logId !== later.logId) {
    return {
      consistent: false,
      fork: false,
      reason: `the checkpoints belong to different logs (${earlier.logId}, ${later.logId})`,
    };
  }
  if (checkpointHash(earlier) !== checkpointHash(later)) {
    return {
      consistent: false,
      fork: false,
      reason: `the checkpoints hash with different functions (${checkpointHash(earlier)}, ${checkpointHash(later)}): a log keeps one for life`,
    };
  }
  if (earlier.size === later.size && earlier.root !== later.root) {
    return {
      consistent: false,
      fork: true,
      reason: `two checkpoints of size ${later.size} have different roots: the log has forked`,
    };
  }
  if (later.size < earlier.size) {
    return {
      consistent: false,
      fork: false,
      reason: `the new checkpoint (size ${later.size}) is smaller than the previous one (size ${earlier.size}): the log rolled back`,
    };
  }
  const failure = consistencyFailure(
    earlier.size,
    later.size,
    proof,
    earlier.root,
    later.root,
    checkpointHash(later),
  );
  return failure
    ? {
        consistent: false,
        fork: false,
        reason: `the tree of size ${later.size} is not shown to extend the tree of size ${earlier.size} (${failure})`,
      }
    : { consistent: true, fork: false };
}

/** Pairs of checkpoints (by position in `checkpoints`) with equal size and different roots. */
export function findForks(checkpoints: readonly CheckpointBody[]): Array<[number, number]> {
  const firstBySize = new Map<string, number>();
  const forks: Array<[number, number]> = [];
  checkpoints.forEach((c, i) => {
    const key = `${c.logId} ${c.size}`;
    const first = firstBySize.get(key);
    if (first === undefined) firstBySize.set(key, i);
    else if ((checkpoints[first] as CheckpointBody).root !== c.root) forks.push([first, i]);
  });
  return forks;
}
