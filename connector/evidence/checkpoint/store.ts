// Persistence of checkpoints, received countersignatures, signers' DID documents and anchor receipts.
// Plain functions over a Queries handle, so the log can run them inside one transaction.
import { createHash } from 'node:crypto';
import type { Queries } from '../../store/database.js';
import { canonicalJson } from '../json/canonical.js';
import type { AnchorReceipt } from './anchor.js';
import type { Checkpoint, Countersignature, StoredCheckpoint } from './types.js';

interface CheckpointRow {
  id: number;
  log_id: string;
  size: number;
  root: string;
  time: string;
  signature: string;
  hash: string | null;
}

interface CountersignatureRow {
  checkpoint_id: number;
  authority: string;
  time: string;
  signature: string;
}

export async function insertCheckpoint(q: Queries, c: Checkpoint): Promise<number> {
  const row = await q.get<{ id: number }>(
    'INSERT INTO evidence_checkpoint (log_id, size, root, time, signature, hash) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    [c.logId, c.size, c.root, c.time, c.signature, c.hash === 'sm3' ? 'sm3' : null],
  );
  return row!.id;
}

export interface CheckpointRange {
  readonly minSize?: number;
  readonly maxSize?: number;
}

/** Checkpoints with their countersignatures, ordered by size then signing order. */
export async function loadCheckpoints(q: Queries, range: CheckpointRange = {}): Promise<StoredCheckpoint[]> {
  const min = range.minSize ?? 0;
  const max = range.maxSize ?? Number.MAX_SAFE_INTEGER;
  const rows = await q.all<CheckpointRow>(
    'SELECT * FROM evidence_checkpoint WHERE size BETWEEN ? AND ? ORDER BY size, id',
    [min, max],
  );
  if (rows.length === 0) return [];
  const signatures = await q.all<CountersignatureRow>(
    `SELECT c.checkpoint_id, c.authority, c.time, c.signature FROM evidence_countersignature c
       JOIN evidence_checkpoint p ON p.id = c.checkpoint_id
      WHERE p.size BETWEEN ? AND ? ORDER BY c.checkpoint_id, c.recorded_at, c.authority`,
    [min, max],
  );
  const byCheckpoint = new Map<number, Countersignature[]>();
  for (const s of signatures) {
    const list = byCheckpoint.get(s.checkpoint_id) ?? [];
    list.push({ authority: s.authority, time: s.time, signature: s.signature });
    byCheckpoint.set(s.checkpoint_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    logId: r.log_id,
    size: r.size,
    root: r.root,
    time: r.time,
    ...(r.hash === 'sm3' ? { hash: 'sm3' as const } : {}),
    signature: r.signature,
    countersignatures: byCheckpoint.get(r.id) ?? [],
  }));
}

export async function latestCheckpoint(q: Queries): Promise<StoredCheckpoint | undefined> {
  const row = await q.get<{ size: number }>(
    'SELECT size FROM evidence_checkpoint ORDER BY size DESC, id DESC LIMIT 1',
  );
  if (!row) return undefined;
  const list = await loadCheckpoints(q, { minSize: row.size, maxSize: row.size });
  return list[list.length - 1];
}

/** The first checkpoint of a size larger than `size` (the one a range export ending at `size` leads to). */
export async function firstCheckpointAfter(q: Queries, size: number): Promise<StoredCheckpoint | undefined> {
  const row = await q.get<{ size: number }>(
    'SELECT size FROM evidence_checkpoint WHERE size > ? ORDER BY size, id LIMIT 1',
    [size],
  );
  return row ? (await loadCheckpoints(q, { minSize: row.size, maxSize: row.size }))[0] : undefined;
}

/** The stored checkpoint with exactly this body and signature. */
export async function findCheckpointId(q: Queries, c: Checkpoint): Promise<number | undefined> {
  const row = await q.get<{ id: number }>(
    'SELECT id FROM evidence_checkpoint WHERE signature = ? AND log_id = ? AND size = ? AND root = ? AND time = ?',
    [c.signature, c.logId, c.size, c.root, c.time],
  );
  return row?.id;
}

export async function insertCountersignature(
  q: Queries,
  checkpointId: number,
  s: Countersignature,
  recordedAt: string,
): Promise<void> {
  // The first countersignature an authority gave for a checkpoint is kept; a repeat is not an error.
  await q.run(
    `INSERT INTO evidence_countersignature (checkpoint_id, authority, time, signature, recorded_at)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [checkpointId, s.authority, s.time, s.signature, recordedAt],
  );
}

/** Stores a DID document version unless stored already; true when it was there before. */
export async function insertDidDocument(
  q: Queries,
  document: Readonly<Record<string, unknown>>,
  recordedAt: string,
): Promise<boolean> {
  const text = canonicalJson(document);
  const digest = createHash('sha256').update(text).digest('hex');
  const { changes } = await q.run(
    'INSERT INTO evidence_did_document (did, digest, document, recorded_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    [String(document.id), digest, text, recordedAt],
  );
  return changes === 0;
}

/** Every stored version of the DID documents of `dids`, oldest first. */
export async function loadDidDocuments(
  q: Queries,
  dids: readonly string[],
): Promise<Record<string, unknown>[]> {
  if (dids.length === 0) return [];
  const rows = await q.all<{ document: string }>(
    `SELECT document FROM evidence_did_document WHERE did IN (${dids.map(() => '?').join(',')})
      ORDER BY did, recorded_at, digest`,
    [...dids],
  );
  return rows.map((r) => JSON.parse(r.document) as Record<string, unknown>);
}

export async function insertAnchorReceipt(
  q: Queries,
  checkpointId: number,
  receipt: AnchorReceipt,
  recordedAt: string,
): Promise<void> {
  await q.run(
    `INSERT INTO evidence_anchor (checkpoint_id, anchor, reference, receipt, recorded_at)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [checkpointId, receipt.anchor, receipt.reference, canonicalJson(receipt), recordedAt],
  );
}

export async function loadAnchorReceipts(q: Queries, range: CheckpointRange = {}): Promise<AnchorReceipt[]> {
  const rows = await q.all<{ receipt: string }>(
    `SELECT a.receipt FROM evidence_anchor a JOIN evidence_checkpoint p ON p.id = a.checkpoint_id
      WHERE p.size BETWEEN ? AND ? ORDER BY p.size, a.recorded_at`,
    [range.minSize ?? 0, range.maxSize ?? Number.MAX_SAFE_INTEGER],
  );
  return rows.map((r) => JSON.parse(r.receipt) as AnchorReceipt);
}
