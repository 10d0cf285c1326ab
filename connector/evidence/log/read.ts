// Reading entries back: rows to EvidenceEntry, and the filtered listing.
import type { Queries } from '../../store/database.js';
import type { JsonValue } from '../json/canonical.js';
import type { EvidenceEntry } from './entry.js';

export interface EntryFilter {
  readonly subject?: string;
  readonly kind?: string;
  /** First seq (inclusive). */
  readonly from?: number;
  /** End seq (exclusive). */
  readonly to?: number;
  /** Default 1000. */
  readonly limit?: number;
}

interface EntryRow {
  seq: number;
  at: string;
  kind: string;
  subject: string;
  data: string;
  prev_hash: Buffer;
  leaf_hash: Buffer;
}

const COLUMNS = 'seq, at, kind, subject, data, prev_hash, leaf_hash';

function toEntry(row: EntryRow): EvidenceEntry {
  return {
    seq: row.seq,
    at: row.at,
    kind: row.kind,
    subject: row.subject,
    data: JSON.parse(row.data) as JsonValue,
    prevHash: row.prev_hash.toString('hex'),
    leafHash: row.leaf_hash.toString('hex'),
  };
}

export async function readEntry(q: Queries, seq: number): Promise<EvidenceEntry | undefined> {
  const row = await q.get<EntryRow>(`SELECT ${COLUMNS} FROM evidence_entry WHERE seq = ?`, [seq]);
  return row ? toEntry(row) : undefined;
}

export async function readEntries(q: Queries, filter: EntryFilter): Promise<EvidenceEntry[]> {
  const where: string[] = ['seq >= ?', 'seq < ?'];
  const params: (string | number)[] = [filter.from ?? 0, filter.to ?? Number.MAX_SAFE_INTEGER];
  if (filter.subject !== undefined) {
    where.push('subject = ?');
    params.push(filter.subject);
  }
  if (filter.kind !== undefined) {
    where.push('kind = ?');
    params.push(filter.kind);
  }
  params.push(filter.limit ?? 1000);
  const rows = await q.all<EntryRow>(
    `SELECT ${COLUMNS} FROM evidence_entry WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`,
    params,
  );
  return rows.map(toEntry);
}

export async function readSize(q: Queries): Promise<number> {
  const row = await q.get<{ size: number }>('SELECT COALESCE(MAX(seq) + 1, 0) AS size FROM evidence_entry');
  return row?.size ?? 0;
}
