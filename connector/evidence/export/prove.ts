// A self-contained proof that one entry is in the log: the entry, its inclusion proof up to the latest
// checkpoint, that checkpoint with its countersignatures, and the DID documents to check the signatures.
import type { CheckpointSigner } from '../checkpoint/sign.js';
import { checkpointHash, portableCheckpoint } from '../checkpoint/types.js';
import { checkpointShapeProblem, verifyCheckpoint } from '../checkpoint/verify.js';
import { EvidenceError } from '../errors.js';
import { entryLeafHash, entryShapeProblem } from '../log/entry.js';
import type { EvidenceLog } from '../log/evidence-log.js';
import { inclusionFailure } from '../merkle/verify.js';
import { PROOF_FORMAT, proofShapeProblem, type EntryProofDocument } from './document.js';
import { ReportBuilder, type VerificationReport } from './report.js';
import { describeKeySource, type VerifyOptions } from './verify.js';

export interface ProveOptions {
  /** When no checkpoint covers the entry yet, make one with this signer instead of failing. */
  readonly signer?: CheckpointSigner;
  readonly didDocument?: object;
}

export async function proveEntry(
  log: EvidenceLog,
  seq: number,
  options: ProveOptions = {},
): Promise<EntryProofDocument> {
  const entry = await log.entry(seq);
  if (!entry) {
    throw new EvidenceError(
      'ERR_EVIDENCE_OUT_OF_RANGE',
      `There is no entry ${seq}; the log has ${await log.size()} entries.`,
    );
  }
  let checkpoint = await log.latestCheckpoint();
  if (!checkpoint || checkpoint.size <= seq) {
    if (!options.signer) {
      throw new EvidenceError(
        'ERR_EVIDENCE_NOT_CHECKPOINTED',
        `Entry ${seq} is newer than the latest checkpoint; wait for the next scheduled checkpoint or make one, then retry.`,
      );
    }
    checkpoint = await log.checkpoint(
      options.signer,
      options.didDocument ? { didDocument: options.didDocument } : {},
    );
  }
  const inclusion = await log.inclusionProof(seq, checkpoint.size);
  const dids = [log.logId, ...checkpoint.countersignatures.map((s) => s.authority)];
  return {
    format: PROOF_FORMAT,
    logId: log.logId,
    hash: log.hash,
    entry,
    inclusion,
    checkpoint: portableCheckpoint(checkpoint),
    didDocuments: await log.didDocuments([...new Set(dids)]),
  };
}

export async function verifyEntryProof(
  document: unknown,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const report = new ReportBuilder();
  report.subject = 'an entry proof';
  const problem =
    proofShapeProblem(document) ??
    entryShapeProblem((document as { entry?: unknown }).entry) ??
    checkpointShapeProblem((document as { checkpoint?: unknown }).checkpoint);
  if (problem) {
    report.fail('document-malformed', null, `The file is not a Shuyu entry proof: ${problem}.`);
    report.check('format', 'failed', problem);
    return report.build();
  }
  const p = document as EntryProofDocument;
  const { entry, inclusion, checkpoint } = p;
  report.subject = `proof of entry ${entry.seq} in ${p.logId}`;
  const hash = p.hash ?? 'sha-256';
  report.check('format', 'ok', `${PROOF_FORMAT}, hashed with ${hash}`);
  const keys = describeKeySource(p.didDocuments, options, report);

  let leaf: string | undefined;
  try {
    leaf = entryLeafHash(entry, undefined, hash);
  } catch {
    leaf = undefined;
  }
  if (leaf !== entry.leafHash) {
    report.fail(
      'entry-modified',
      entry.seq,
      `Entry ${entry.seq} was modified: its content does not hash to its leafHash.`,
    );
    report.check('entry', 'failed', 'content does not match leafHash');
  } else {
    report.checked.entries++;
    report.check(
      'entry',
      'ok',
      `entry ${entry.seq} (${entry.kind}, subject ${entry.subject}) hashes to its leafHash`,
    );
  }

  const why =
    checkpoint.logId !== p.logId
      ? `the checkpoint is of another log (${checkpoint.logId})`
      : inclusion.leafIndex !== entry.seq
        ? `the proof is for leaf ${inclusion.leafIndex}, not entry ${entry.seq}`
        : inclusion.treeSize !== checkpoint.size
          ? `the proof is for a tree of size ${inclusion.treeSize}, the checkpoint has ${checkpoint.size}`
          : checkpointHash(checkpoint) !== hash
            ? `the checkpoint was made with ${checkpointHash(checkpoint)}, the proof says ${hash}`
            : inclusionFailure(
                entry.leafHash,
                entry.seq,
                inclusion.treeSize,
                inclusion.path,
                checkpoint.root,
                hash,
              );
  if (why) {
    report.fail(
      'inclusion-proof-invalid',
      entry.seq,
      `Entry ${entry.seq} is not shown to be in the checkpointed log: ${why}.`,
    );
    report.check('inclusion', 'failed', why);
  } else {
    report.checked.inclusionProofs++;
    report.check(
      'inclusion',
      'ok',
      `leaf ${entry.seq} of ${checkpoint.size} leads to root ${checkpoint.root.slice(0, 12)}…`,
    );
  }

  const verification = await verifyCheckpoint(checkpoint, keys);
  if (verification.signature) {
    const code = verification.signature.keyUnavailable
      ? 'signer-key-unavailable'
      : 'checkpoint-signature-invalid';
    report.fail(
      code,
      null,
      `The checkpoint of size ${checkpoint.size} has an invalid signature: ${verification.signature.reason}.`,
    );
    report.check('checkpoint signature', 'failed', verification.signature.reason);
  } else {
    report.checked.checkpointSignatures++;
    report.checked.checkpoints++;
    report.check('checkpoint signature', 'ok', `signed by ${p.logId} at ${checkpoint.time}`);
  }
  for (const c of verification.countersignatures) {
    if (c.ok) report.checked.countersignatures++;
    else
      report.fail(
        'countersignature-invalid',
        null,
        `The countersignature of ${c.authority} is invalid: ${c.failure?.reason}.`,
      );
  }
  const bad = verification.countersignatures.filter((c) => !c.ok).length;
  report.check(
    'countersignatures',
    bad > 0 ? 'failed' : 'ok',
    verification.countersignatures.length === 0
      ? 'none'
      : `${verification.countersignatures.length - bad} of ${verification.countersignatures.length} valid`,
  );
  return report.build();
}
