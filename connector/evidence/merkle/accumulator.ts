// Streaming Merkle root: keeps only the perfect subtrees of the binary decomposition of the current size
// (at most log2(n) hashes), so a verifier can compute the root at every size while reading a log once.
import { DEFAULT_EVIDENCE_HASH, emptyRoot, hashChildren, type EvidenceHash, type HexHash } from './hash.js';
import { perfectCover } from './shape.js';

export class MerkleAccumulator {
  // Perfect subtree roots, largest (leftmost) first, with their levels.
  readonly #hashes: Buffer[] = [];
  readonly #levels: number[] = [];
  #size = 0;

  constructor(readonly hash: EvidenceHash = DEFAULT_EVIDENCE_HASH) {}

  /**
   * Continues a tree of `size` leaves from its perfect subtrees (the hashes of perfectCover({0, size}),
   * largest first), e.g. the prefix of a partial export.
   */
  static resume(
    size: number,
    nodes: readonly Buffer[],
    hash: EvidenceHash = DEFAULT_EVIDENCE_HASH,
  ): MerkleAccumulator {
    const cover = perfectCover({ start: 0, size });
    if (cover.length !== nodes.length) {
      throw new RangeError(`a tree of size ${size} needs ${cover.length} prefix hashes, got ${nodes.length}`);
    }
    const acc = new MerkleAccumulator(hash);
    cover.forEach((node, i) => {
      acc.#hashes.push(nodes[i] as Buffer);
      acc.#levels.push(node.level);
    });
    acc.#size = size;
    return acc;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds a leaf; returns the interior nodes it completed, bottom-up (level 1, 2, ...). */
  push(leafHash: Buffer): Buffer[] {
    let hash = leafHash;
    let level = 0;
    const created: Buffer[] = [];
    // Merge equal-sized neighbours, like carrying in a binary counter.
    while (this.#levels.length > 0 && this.#levels[this.#levels.length - 1] === level) {
      this.#levels.pop();
      hash = hashChildren(this.#hashes.pop() as Buffer, hash, this.hash);
      created.push(hash);
      level++;
    }
    this.#hashes.push(hash);
    this.#levels.push(level);
    this.#size++;
    return created;
  }

  clone(): MerkleAccumulator {
    const copy = new MerkleAccumulator(this.hash);
    copy.#hashes.push(...this.#hashes);
    copy.#levels.push(...this.#levels);
    copy.#size = this.#size;
    return copy;
  }

  root(): HexHash {
    if (this.#hashes.length === 0) return emptyRoot(this.hash);
    let hash = this.#hashes[this.#hashes.length - 1] as Buffer;
    for (let i = this.#hashes.length - 2; i >= 0; i--)
      hash = hashChildren(this.#hashes[i] as Buffer, hash, this.hash);
    return hash.toString('hex');
  }
}
