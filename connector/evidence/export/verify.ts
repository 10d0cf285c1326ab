// Offline verification of an export: entries, hash chain, Merkle roots, checkpoint signatures,
// countersignatures, forks, consistency with later checkpoints and anchor receipts, as one report.
import { offlineKeys, type KeyLookup } from '../checkpoint/keys.js';
import { checkpointDigest } from '../checkpoint/anchor.js';
import type { CountersignedCheckpoint } from '../checkpoint/types.js';
import { exportShapeProblem, type EvidenceExport } from './document.js';
import { ReportBuilder, type VerificationReport } from './report.js';
import { usableCheckpoints, verifyCheckpoints } from './verify-checkpoints.js';
import { verifyEntries } from './verify-entries.js';

export interface VerifyOptions {
  /**
   * Where signers' keys come from. Default: the DID documents inside the document, which makes the check
   * offline but only as trustworthy as those documents; pass resolverKeys(resolver) to use published ones.
   */
  readonly keys?: KeyLookup;
}

/** Names the DID documents the offline check relies on, so a reader knows what was taken on trust. */
export function describeKeySource(
  documents: readonly unknown[],
  options: VerifyOptions,
  report: ReportBuilder,
): KeyLookup {
  if (options.keys) {
    report.check('DID documents', 'ok', 'keys resolved by the caller (not taken from the file)');
    return options.keys;
  }
  const dids = [
    ...new Set(
      documents.map((d) => (d as { id?: unknown } | null)?.id).filter((id) => typeof id === 'string'),
    ),
  ];
  report.check(
    'DID documents',
    dids.length > 0 ? 'ok' : 'warning',
    dids.length > 0
      ? `${documents.length} taken from the file (${dids.join(', ')}); compare them with the published ones`
      : 'none in the file: only did:key signatures can be checked offline',
  );
  return offlineKeys(documents);
}

function verifyAnchors(
  x: EvidenceExport,
  checkpoints: readonly CountersignedCheckpoint[],
  report: ReportBuilder,
): void {
  if (x.anchors.length === 0) return report.check('anchors', 'skipped', 'no ledger receipts in the export');
  const digests = new Set(checkpoints.map(checkpointDigest));
  for (const receipt of x.anchors) {
    if (
      receipt &&
      typeof receipt.digest === 'string' &&
      digests.has(receipt.digest) &&
      receipt.logId === x.logId
    ) {
      report.checked.anchors++;
    } else {
      report.fail(
        'anchor-mismatch',
        null,
        `The ${String(receipt?.anchor)} receipt ${String(receipt?.reference)} is for no checkpoint in the export.`,
      );
    }
  }
  report.check(
    'anchors',
    report.checked.anchors === x.anchors.length ? 'ok' : 'failed',
    `${report.checked.anchors} of ${x.anchors.length} receipts match an exported checkpoint (ledgers not consulted offline)`,
  );
}

export async function verifyEvidenceExport(
  document: unknown,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const report = new ReportBuilder();
  const problem = exportShapeProblem(document);
  if (problem) {
    report.subject = 'an evidence export';
    report.fail('document-malformed', null, `The file is not a Shuyu evidence export: ${problem}.`);
    report.check('format', 'failed', problem);
    return report.build();
  }
  const x = document as EvidenceExport;
  report.subject = `export of ${x.logId}, entries ${x.from}..${x.to - 1} (${x.to - x.from})`;
  report.check(
    'format',
    'ok',
    `${x.format}, hashed with ${x.hash ?? 'sha-256'}, exported ${String(x.exportedAt)}`,
  );
  const keys = describeKeySource(x.didDocuments, options, report);
  const checkpoints = usableCheckpoints(x, report);
  const wanted = new Set([x.to, ...checkpoints.map((c) => c.size)]);
  const entries = verifyEntries(x, wanted, report);
  await verifyCheckpoints(x, checkpoints, keys, entries, report);
  verifyAnchors(x, checkpoints, report);
  return report.build();
}
