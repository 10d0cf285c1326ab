// Checking the exported checkpoints against the entries: each signature (and countersignature) must verify,
// each root must equal the root recomputed from the entries, no two may disagree about one size, and a
// checkpoint beyond the export's end must be reached by a valid consistency proof.
import { findForks } from '../checkpoint/compare.js';
import type { KeyLookup } from '../checkpoint/keys.js';
import { checkpointHash, type CountersignedCheckpoint } from '../checkpoint/types.js';
import {
  checkpointSignatureFailure,
  checkpointShapeProblem,
  countersignatureFailure,
} from '../checkpoint/verify.js';
import { consistencyFailure } from '../merkle/verify.js';
import type { EvidenceExport } from './document.js';
import type { ReportBuilder } from './report.js';
import type { EntriesResult } from './verify-entries.js';

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/** The JWS `alg` of a signature that verified (for the report: EdDSA or SM2). */
function algOf(jws: string): string {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      alg?: unknown;
    };
    return String(header.alg);
  } catch {
    return 'unknown';
  }
}

const named = (algs: ReadonlySet<string>): string => (algs.size > 0 ? `, ${[...algs].join(' and ')}` : '');

/** The well-formed checkpoints of the log, by size; the others are reported. */
export function usableCheckpoints(x: EvidenceExport, report: ReportBuilder): CountersignedCheckpoint[] {
  const usable: CountersignedCheckpoint[] = [];
  x.checkpoints.forEach((raw, i) => {
    const problem = checkpointShapeProblem(raw);
    if (problem)
      return report.fail(
        'checkpoint-malformed',
        null,
        `Checkpoint ${i} in the file is malformed: ${problem}.`,
      );
    if (raw.logId !== x.logId) {
      return report.fail(
        'checkpoint-wrong-log',
        null,
        `Checkpoint ${i} belongs to log ${raw.logId}, not ${x.logId}.`,
      );
    }
    const hash = x.hash ?? 'sha-256';
    if (checkpointHash(raw) !== hash) {
      return report.fail(
        'checkpoint-malformed',
        null,
        `Checkpoint ${i} (size ${raw.size}) was made with ${checkpointHash(raw)}, but the export says the log hashes with ${hash}.`,
      );
    }
    usable.push({ ...raw, countersignatures: raw.countersignatures ?? [] });
  });
  return usable.sort((a, b) => a.size - b.size);
}

async function checkSignatures(
  list: readonly CountersignedCheckpoint[],
  keys: KeyLookup,
  report: ReportBuilder,
): Promise<boolean[]> {
  const valid: boolean[] = [];
  const authorities = new Set<string>();
  const algs = new Set<string>();
  const counterAlgs = new Set<string>();
  let badCountersignatures = 0;
  for (const c of list) {
    const failure = await checkpointSignatureFailure(c, keys);
    valid.push(!failure);
    if (failure) {
      report.fail(
        failure.keyUnavailable ? 'signer-key-unavailable' : 'checkpoint-signature-invalid',
        null,
        failure.keyUnavailable
          ? `The signature on the checkpoint of size ${c.size} (${c.time}) cannot be checked: ${failure.reason}.`
          : `The checkpoint of size ${c.size} (${c.time}) has an invalid signature: ${failure.reason}.`,
      );
    } else {
      report.checked.checkpointSignatures++;
      algs.add(algOf(c.signature));
    }
    for (const s of c.countersignatures) {
      const bad = await countersignatureFailure(c, s, keys);
      if (bad) {
        badCountersignatures++;
        report.fail(
          'countersignature-invalid',
          null,
          `The countersignature of ${s.authority} on the checkpoint of size ${c.size} is invalid: ${bad.reason}.`,
        );
      } else {
        report.checked.countersignatures++;
        authorities.add(s.authority);
        counterAlgs.add(algOf(s.signature));
      }
    }
  }
  const bad = valid.filter((v) => !v).length;
  report.check(
    'checkpoint signatures',
    bad > 0 ? 'failed' : list.length === 0 ? 'warning' : 'ok',
    list.length === 0
      ? 'the export holds no checkpoint'
      : `${list.length - bad} of ${list.length} valid${named(algs)}`,
  );
  report.check(
    'countersignatures',
    badCountersignatures > 0 ? 'failed' : 'ok',
    report.checked.countersignatures + badCountersignatures === 0
      ? 'none'
      : `${report.checked.countersignatures} valid${authorities.size > 0 ? ` (${[...authorities].join(', ')}${named(counterAlgs)})` : ''}` +
          (badCountersignatures > 0 ? `, ${badCountersignatures} invalid` : ''),
  );
  return valid;
}

function checkForks(
  list: readonly CountersignedCheckpoint[],
  valid: readonly boolean[],
  report: ReportBuilder,
): Set<number> {
  const signed = list.map((c, i) => ({ c, i })).filter(({ i }) => valid[i]);
  const forked = new Set<number>();
  for (const [a, b] of findForks(signed.map(({ c }) => c))) {
    const first = signed[a] as { c: CountersignedCheckpoint; i: number };
    const second = signed[b] as { c: CountersignedCheckpoint; i: number };
    forked.add(first.i).add(second.i);
    report.fail(
      'checkpoint-fork',
      null,
      `The log signed two different roots for size ${first.c.size} (${short(first.c.root)} at ${first.c.time}, ${short(second.c.root)} at ${second.c.time}): it has forked its history.`,
    );
  }
  report.check(
    'forks',
    forked.size > 0 ? 'failed' : 'ok',
    forked.size > 0
      ? 'two signed checkpoints of one size disagree'
      : 'no two checkpoints of one size disagree',
  );
  return forked;
}

function checkRoots(
  x: EvidenceExport,
  list: readonly CountersignedCheckpoint[],
  valid: readonly boolean[],
  forked: ReadonlySet<number>,
  entries: EntriesResult,
  report: ReportBuilder,
): void {
  let lastGood = x.from;
  let skipped = 0;
  let mismatched = 0;
  let proofs = 0;
  list.forEach((c, i) => {
    if (!valid[i] || forked.has(i)) return;
    if (c.size <= entries.verifiedTo) {
      const computed = entries.roots.get(c.size);
      if (computed === undefined) return void skipped++;
      if (computed === c.root) {
        report.checked.checkpoints++;
        lastGood = c.size;
        return;
      }
      mismatched++;
      report.fail(
        'checkpoint-root-mismatch',
        lastGood,
        `The checkpoint of size ${c.size} (${c.time}) has root ${short(c.root)}, but the exported entries 0..${c.size - 1} hash to ${short(computed)}: ` +
          `an entry in ${lastGood}..${c.size - 1} was changed, inserted or deleted and the chain rehashed to hide it.`,
      );
      return;
    }
    if (c.size > x.to && entries.verifiedTo === x.to) {
      proofs++;
      const proof = x.consistencyProofs.find((p) => p?.fromSize === x.to && p.toSize === c.size);
      const root = entries.roots.get(x.to);
      const failure = !proof
        ? 'the export has no consistency proof to it'
        : root === undefined
          ? 'the root at the end of the export is unknown'
          : consistencyFailure(x.to, c.size, proof.path, root, c.root, checkpointHash(c));
      if (failure) {
        report.fail(
          'consistency-proof-invalid',
          x.to - 1 >= x.from ? x.to - 1 : null,
          `The checkpoint of size ${c.size} is not shown to extend the exported entries (which end at ${x.to - 1}): ${failure}; entries may have been removed from the end of the export.`,
        );
      } else report.checked.consistencyProofs++;
      return;
    }
    skipped++;
  });
  const matched = report.checked.checkpoints;
  const detail =
    `${matched} of ${matched + mismatched + skipped} match the entries` +
    (skipped > 0 ? `; ${skipped} not checkable (beyond the verified entries)` : '');
  report.check(
    'checkpoint roots',
    mismatched > 0 ? 'failed' : matched === 0 && skipped > 0 ? 'skipped' : 'ok',
    detail,
  );
  if (proofs > 0) {
    report.check(
      'consistency proofs',
      report.checked.consistencyProofs === proofs ? 'ok' : 'failed',
      `${report.checked.consistencyProofs} of ${proofs} later checkpoints extend the exported entries`,
    );
  }
}

export async function verifyCheckpoints(
  x: EvidenceExport,
  list: readonly CountersignedCheckpoint[],
  keys: KeyLookup,
  entries: EntriesResult,
  report: ReportBuilder,
): Promise<void> {
  const valid = await checkSignatures(list, keys, report);
  const forked = checkForks(list, valid, report);
  checkRoots(x, list, valid, forked, entries, report);
  // Coverage: which entries no valid checkpoint vouches for (not a failure: the next checkpoint will).
  const covered = Math.max(x.from, ...list.filter((_, i) => valid[i] && !forked.has(i)).map((c) => c.size));
  if (covered >= x.to)
    report.check('coverage', 'ok', 'every exported entry is covered by a signed checkpoint');
  else
    report.check(
      'coverage',
      'warning',
      `entries ${covered}..${x.to - 1} come after the latest checkpoint: only the hash chain protects them until the next one`,
    );
}
