// The shape of the RFC 9162 tree (§2.1.1): MTH(D[n]) splits at k, the largest power of two smaller than n.
// Every subtree that appears in that recursion starts at a multiple of a power of two at least as large as
// itself, so it is the right fold of a few *perfect* aligned subtrees (2^level leaves starting at
// index * 2^level). Perfect subtrees never change once complete, which is why the store can keep them.

/** Leaves [start, start + size) of the log. */
export interface Range {
  readonly start: number;
  readonly size: number;
}

/** The perfect subtree of 2^level leaves starting at leaf index * 2^level (level 0 is a single leaf). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

// Sizes go up to 2^53, beyond the 32 bits JavaScript's bit operators work on, so powers are arithmetic.

/** The largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The largest power of two not larger than n (n >= 1). */
function largestPowerAtMost(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && largestPowerAtMost(n) === n;
}

function log2(power: number): number {
  let level = 0;
  for (let k = 1; k < power; k *= 2) level++;
  return level;
}

/**
 * The perfect subtrees whose right fold is MTH of `range`, largest (leftmost) first. Valid for every range
 * the RFC recursion produces; `start` must be aligned to the power of two at or above `size`.
 */
export function perfectCover(range: Range): NodeId[] {
  const nodes: NodeId[] = [];
  let { start, size } = range;
  while (size > 0) {
    const width = largestPowerAtMost(size);
    nodes.push({ level: log2(width), index: start / width });
    start += width;
    size -= width;
  }
  return nodes;
}

/**
 * The subtrees whose hashes form the inclusion proof of leaf m in a tree of size n (RFC 9162 §2.1.3.1,
 * PATH(m, D[n])), in proof order: from the leaf's sibling up to the root's other child.
 */
export function inclusionRanges(m: number, n: number): Range[] {
  const out: Range[] = [];
  const path = (index: number, start: number, size: number): void => {
    if (size <= 1) return;
    const k = splitPoint(size);
    if (index < k) {
      path(index, start, k);
      out.push({ start: start + k, size: size - k });
    } else {
      path(index - k, start + k, size - k);
      out.push({ start, size: k });
    }
  };
  path(m, 0, n);
  return out;
}

/**
 * The subtrees whose hashes form the consistency proof from size m to size n (RFC 9162 §2.1.4.1,
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true)), in proof order. Empty when m is 0 or m equals n.
 */
export function consistencyRanges(m: number, n: number): Range[] {
  const out: Range[] = [];
  const subproof = (first: number, start: number, size: number, whole: boolean): void => {
    if (first === size) {
      if (!whole) out.push({ start, size });
      return;
    }
    const k = splitPoint(size);
    if (first <= k) {
      subproof(first, start, k, whole);
      out.push({ start: start + k, size: size - k });
    } else {
      subproof(first - k, start + k, size - k, false);
      out.push({ start, size: k });
    }
  };
  if (m > 0 && m < n) subproof(m, 0, n, true);
  return out;
}
