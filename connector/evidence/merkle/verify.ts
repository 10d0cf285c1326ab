// Pure proof verification, RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), step by step as the RFC
// words them. No I/O: a third party can run these on a proof it received, offline. Each check has a
// `...Failure` form that says why a proof fails (for reports) and a boolean `verify...` form.
import {
  DEFAULT_EVIDENCE_HASH,
  emptyRoot,
  hashBytes,
  hashChildren,
  type EvidenceHash,
  type HexHash,
} from './hash.js';
import { isPowerOfTwo } from './shape.js';

export type HashInput = HexHash | Uint8Array;

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function decodePath(proof: readonly HashInput[]): Buffer[] | string {
  if (!Array.isArray(proof)) return 'the proof is not a list of hashes';
  const out: Buffer[] = [];
  for (const [i, item] of proof.entries()) {
    const bytes = hashBytes(item);
    if (!bytes) return `proof element ${i} is not a hash (64 lowercase hex characters)`;
    out.push(bytes);
  }
  return out;
}

/** Why the inclusion proof fails, or undefined when `leafHash` is leaf `index` of the tree of `treeSize` with `root`. */
export function inclusionFailure(
  leafHash: HashInput,
  index: number,
  treeSize: number,
  proof: readonly HashInput[],
  root: HashInput,
  hash: EvidenceHash = DEFAULT_EVIDENCE_HASH,
): string | undefined {
  if (!isSize(index) || !isSize(treeSize))
    return 'the leaf index and tree size must be non-negative integers';
  if (index >= treeSize) return `leaf index ${index} is not inside a tree of size ${treeSize}`;
  const leaf = hashBytes(leafHash);
  const expected = hashBytes(root);
  if (!leaf || !expected) return 'the leaf hash and root must be hashes (64 lowercase hex characters)';
  const path = decodePath(proof);
  if (typeof path === 'string') return path;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return 'the proof is longer than the tree is deep';
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r, hash);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hashChildren(r, p, hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return 'the proof is shorter than the path from the leaf to the root';
  if (!r.equals(expected)) return 'the proof does not lead to the given root';
  return undefined;
}

/** RFC 9162 §2.1.3.2: true when `leafHash` is leaf `index` of the tree of size `treeSize` whose root is `root`. */
export function verifyInclusion(
  leafHash: HashInput,
  index: number,
  treeSize: number,
  proof: readonly HashInput[],
  root: HashInput,
  hash: EvidenceHash = DEFAULT_EVIDENCE_HASH,
): boolean {
  return inclusionFailure(leafHash, index, treeSize, proof, root, hash) === undefined;
}

/** Why the consistency proof fails, or undefined when the tree (size1, root1) is a prefix of (size2, root2). */
export function consistencyFailure(
  size1: number,
  size2: number,
  proof: readonly HashInput[],
  root1: HashInput,
  root2: HashInput,
  hash: EvidenceHash = DEFAULT_EVIDENCE_HASH,
): string | undefined {
  if (!isSize(size1) || !isSize(size2)) return 'tree sizes must be non-negative integers';
  if (size1 > size2) return `a tree of size ${size1} cannot be a prefix of a smaller tree (${size2})`;
  const first = hashBytes(root1);
  const second = hashBytes(root2);
  if (!first || !second) return 'both roots must be hashes (64 lowercase hex characters)';
  const path = decodePath(proof);
  if (typeof path === 'string') return path;
  // Edge cases the RFC leaves to the implementer: the empty tree is a prefix of every tree, and a tree is
  // consistent with itself; both need an empty proof.
  if (size1 === 0 || size1 === size2) {
    if (path.length > 0) return 'the proof must be empty for these sizes';
    if (size1 === 0 && first.toString('hex') !== emptyRoot(hash)) return 'the root of an empty tree is wrong';
    if (size1 === size2 && !first.equals(second)) return 'two different roots for the same tree size';
    return undefined;
  }
  // Step 1-2: an empty path fails; when size1 is a power of two its root is the path's implied first element.
  if (path.length === 0) return 'the proof is empty';
  const nodes = isPowerOfTwo(size1) ? [first, ...path] : path;
  // Steps 3-4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  let fr = nodes[0] as Buffer;
  let sr = fr;
  // Step 6.
  for (const c of nodes.slice(1)) {
    if (sn === 0) return 'the proof is longer than the trees are deep';
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr, hash);
      sr = hashChildren(c, sr, hash);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hashChildren(sr, c, hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  if (sn !== 0) return 'the proof is shorter than the trees are deep';
  if (!fr.equals(first)) return `the proof does not reproduce the root of the tree of size ${size1}`;
  if (!sr.equals(second)) return `the proof does not reproduce the root of the tree of size ${size2}`;
  return undefined;
}

/** RFC 9162 §2.1.4.2: true when the tree of size1 with root1 is a prefix of the tree of size2 with root2. */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly HashInput[],
  root1: HashInput,
  root2: HashInput,
  hash: EvidenceHash = DEFAULT_EVIDENCE_HASH,
): boolean {
  return consistencyFailure(size1, size2, proof, root1, root2, hash) === undefined;
}
