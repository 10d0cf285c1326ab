// Writing an export: a range of entries and everything a third party needs to verify them offline.
import { systemClock, type Clock } from '../../identity/index.js';
import { portableCheckpoint } from '../checkpoint/types.js';
import { EvidenceError } from '../errors.js';
import type { EvidenceLog } from '../log/evidence-log.js';
import { EXPORT_FORMAT, type EvidenceExport } from './document.js';

export interface ExportOptions {
  /** First seq to export. Default 0. */
  readonly from?: number;
  /** End seq (exclusive), i.e. the tree size the export ends at. Default: the current size. */
  readonly to?: number;
  /** DID documents to add to the stored ones (e.g. the connector's current one). */
  readonly didDocuments?: readonly object[];
  readonly clock?: Clock;
}

export async function exportEvidence(log: EvidenceLog, options: ExportOptions = {}): Promise<EvidenceExport> {
  const size = await log.size();
  const from = options.from ?? 0;
  const to = options.to ?? size;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to || to > size) {
    throw new EvidenceError(
      'ERR_EVIDENCE_OUT_OF_RANGE',
      `Cannot export entries ${from}..${to - 1}: the log has entries 0..${size - 1}.`,
    );
  }
  // Entries below `to` and checkpoints up to `to` never change, so reading them piecewise is consistent.
  const entries = await log.entries({ from, to, limit: to - from });
  const prefix = from > 0 ? await log.compactRange(from) : [];
  const checkpoints = await log.checkpoints({ minSize: from, maxSize: to });
  const later = await log.firstCheckpointAfter(to);
  const consistencyProofs = later ? [await log.consistencyProof(to, later.size)] : [];
  const all = later ? [...checkpoints, later] : checkpoints;
  const dids = [...new Set([log.logId, ...all.flatMap((c) => c.countersignatures.map((s) => s.authority))])];
  const stored = await log.didDocuments(dids);
  const extra = (options.didDocuments ?? []).map((d) => ({ ...d }) as Record<string, unknown>);
  return {
    format: EXPORT_FORMAT,
    logId: log.logId,
    hash: log.hash,
    exportedAt: (options.clock ?? systemClock)().toISOString(),
    from,
    to,
    prefix,
    entries,
    checkpoints: all.map(portableCheckpoint),
    consistencyProofs,
    didDocuments: [...stored, ...extra],
    anchors: await log.anchorReceipts({ minSize: from, maxSize: later?.size ?? to }),
  };
}
