// The Merkle tree kept in the entry rows: leaf n's row also holds the interior nodes it completed (see
// migrations.ts), so any subtree hash a root or proof needs is a right fold of O(log n) stored hashes,
// fetched in one query. An in-memory frontier (the perfect subtrees of the current size) lets an append
// compute its nodes without reading; it is only a cache, checked by the database on every insert.
import type { Queries } from '../../store/database.js';
import { EvidenceError } from '../errors.js';
import { MerkleAccumulator } from '../merkle/accumulator.js';
import { HASH_BYTES, hashChildren, type EvidenceHash } from '../merkle/hash.js';
import { perfectCover, type NodeId, type Range } from '../merkle/shape.js';

const keyOf = (node: NodeId): string => `${node.level}:${node.index}`;

function missing(node: NodeId): EvidenceError {
  return new EvidenceError(
    'ERR_EVIDENCE_CORRUPT',
    `The evidence tree has no hash for the subtree at level ${node.level}, index ${node.index}; the database ` +
      'was changed outside Shuyu. Keep the file for investigation and verify an export of it.',
    { details: { level: node.level, index: node.index } },
  );
}

/** The row holding a node: a leaf's own row, or the row of the last leaf under an interior node. */
function rowOf(node: NodeId): number {
  return node.level === 0 ? node.index : (node.index + 1) * 2 ** node.level - 1;
}

interface NodeRow {
  seq: number;
  leaf_hash: Buffer;
  nodes: Buffer;
}

/** Fetches the stored hashes of `nodes` in one query. */
async function fetchNodes(q: Queries, nodes: readonly NodeId[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const rows = [...new Set(nodes.map(rowOf))];
  if (rows.length === 0) return found;
  const bySeq = new Map<number, NodeRow>();
  for (const row of await q.all<NodeRow>(
    `SELECT seq, leaf_hash, nodes FROM evidence_entry WHERE seq IN (${rows.map(() => '?').join(',')})`,
    rows,
  )) {
    bySeq.set(row.seq, row);
  }
  for (const node of nodes) {
    const row = bySeq.get(rowOf(node));
    if (!row) continue;
    if (node.level === 0) found.set(keyOf(node), row.leaf_hash);
    else if (row.nodes.length >= node.level * HASH_BYTES) {
      found.set(keyOf(node), row.nodes.subarray((node.level - 1) * HASH_BYTES, node.level * HASH_BYTES));
    }
  }
  return found;
}

/** MTH of each range (ranges as produced by the RFC recursion; see merkle/shape.ts). */
export async function rangeHashes(
  q: Queries,
  ranges: readonly Range[],
  hash: EvidenceHash,
): Promise<Buffer[]> {
  const covers = ranges.map(perfectCover);
  const found = await fetchNodes(q, covers.flat());
  return covers.map((cover) => {
    const hashes = cover.map((node) => {
      const hash = found.get(keyOf(node));
      if (!hash) throw missing(node);
      return hash;
    });
    let acc = hashes[hashes.length - 1] as Buffer;
    for (let i = hashes.length - 2; i >= 0; i--) acc = hashChildren(hashes[i] as Buffer, acc, hash);
    return acc;
  });
}

/** The tree's right edge at `size`: what the next append needs. */
export interface Frontier {
  readonly size: number;
  /** Leaf hash of entry size - 1 (undefined for the empty log). */
  readonly head: Buffer | undefined;
  readonly tree: MerkleAccumulator;
}

/** Reads the frontier of the log as it is in the database. */
export async function loadFrontier(q: Queries, hash: EvidenceHash): Promise<Frontier> {
  const last = await q.get<{ seq: number; leaf_hash: Buffer }>(
    'SELECT seq, leaf_hash FROM evidence_entry ORDER BY seq DESC LIMIT 1',
  );
  if (!last) return { size: 0, head: undefined, tree: new MerkleAccumulator(hash) };
  const size = last.seq + 1;
  const cover = perfectCover({ start: 0, size });
  const found = await fetchNodes(q, cover);
  const hashes = cover.map((node) => {
    const stored = found.get(keyOf(node));
    if (!stored) throw missing(node);
    return stored;
  });
  return { size, head: last.leaf_hash, tree: MerkleAccumulator.resume(size, hashes, hash) };
}
