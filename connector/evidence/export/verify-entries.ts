// Walking the exported entries in order: each must have the next seq, hash to its leafHash and link to the
// previous one. The first entry that fails stops the walk, with a reason that names what happened to it
// (modified, missing, reordered, inserted); the Merkle roots along the way are kept for the checkpoints.
import { GENESIS_PREV_HASH, entryLeafHash, entryShapeProblem, type EvidenceEntry } from '../log/entry.js';
import { MerkleAccumulator } from '../merkle/accumulator.js';
import type { EvidenceHash, HexHash } from '../merkle/hash.js';
import type { EvidenceExport } from './document.js';
import type { FailureCode, ReportBuilder } from './report.js';

export interface EntriesResult {
  /** Entries from .. verifiedTo - 1 passed every check. */
  readonly verifiedTo: number;
  /** Merkle roots at the requested sizes up to verifiedTo. */
  readonly roots: ReadonlyMap<number, HexHash>;
}

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

interface Failure {
  readonly code: FailureCode;
  readonly seq: number;
  readonly reason: string;
}

/** Why the entry at `position` (which should be seq `expected`) fails, or undefined when its seq is right. */
function placementFailure(
  e: EvidenceEntry,
  position: number,
  expected: number,
  x: EvidenceExport,
  positions: ReadonlyMap<number, number[]>,
): Failure | undefined {
  const s = e.seq;
  if (s === expected) {
    const twice = positions.get(s) ?? [];
    if (twice.length > 1) {
      return {
        code: 'entry-inserted',
        seq: s,
        reason: `Entry ${s} appears ${twice.length} times in the file (positions ${twice.join(', ')}): entries were inserted or duplicated.`,
      };
    }
    if (s >= x.to) {
      return {
        code: 'entry-inserted',
        seq: s,
        reason: `Entry ${s} lies beyond the export's last entry (${x.to - 1}): it was added to the file.`,
      };
    }
    return undefined;
  }
  if (s > expected) {
    if (positions.has(expected)) {
      return {
        code: 'entry-reordered',
        seq: expected,
        reason: `Entries are out of order: entry ${s} is at position ${position}, where entry ${expected} belongs, and entry ${expected} comes later in the file.`,
      };
    }
    const count = s - expected;
    return {
      code: 'entry-missing',
      seq: expected,
      reason:
        `Entry ${expected} is missing: entry ${s} follows entry ${expected - 1}` +
        (count > 1 ? `; entries ${expected}..${s - 1} (${count}) were deleted.` : '; it was deleted.'),
    };
  }
  return {
    code: 'entry-inserted',
    seq: s,
    reason:
      s < x.from
        ? `Entry ${s} lies before the export's first entry (${x.from}): it was added to the file.`
        : `A second entry ${s} appears after entry ${expected - 1}: an entry was inserted or duplicated.`,
  };
}

/** Why the entry's own hashes fail (it is at the right place), or undefined. */
function hashFailure(
  e: EvidenceEntry,
  previous: HexHash | undefined,
  hash: EvidenceHash,
): Failure | undefined {
  let leaf: HexHash;
  try {
    leaf = entryLeafHash(e, undefined, hash);
  } catch (error) {
    const why = error instanceof Error ? error.message : 'its content cannot be canonicalised';
    return { code: 'entry-malformed', seq: e.seq, reason: `Entry ${e.seq} cannot be hashed: ${why}` };
  }
  if (leaf !== e.leafHash) {
    return {
      code: 'entry-modified',
      seq: e.seq,
      reason: `Entry ${e.seq} (${e.kind}, subject ${e.subject}) was modified: its content hashes to ${short(leaf)}, but its recorded leafHash is ${short(e.leafHash)}.`,
    };
  }
  if (previous !== undefined && e.prevHash !== previous) {
    return {
      code: 'chain-broken',
      seq: e.seq,
      reason: `Entry ${e.seq} does not follow entry ${e.seq - 1}: its prevHash ${short(e.prevHash)} is not that entry's leafHash ${short(previous)}, so an entry between them was removed, inserted or replaced.`,
    };
  }
  return undefined;
}

export function verifyEntries(
  x: EvidenceExport,
  wanted: ReadonlySet<number>,
  report: ReportBuilder,
): EntriesResult {
  const roots = new Map<number, HexHash>();
  let acc: MerkleAccumulator;
  try {
    acc = MerkleAccumulator.resume(
      x.from,
      x.prefix.map((h) => Buffer.from(h, 'hex')),
      x.hash ?? 'sha-256',
    );
  } catch (error) {
    const why = error instanceof Error ? error.message : 'it does not fit';
    report.fail(
      'document-malformed',
      null,
      `The export's prefix does not fit its first entry ${x.from}: ${why}.`,
    );
    report.check('entries', 'failed', 'not checked: the prefix hashes do not fit "from"');
    return { verifiedTo: x.from, roots };
  }
  if (wanted.has(acc.size)) roots.set(acc.size, acc.root());

  const positions = new Map<number, number[]>();
  x.entries.forEach((e, i) => {
    const seq = (e as { seq?: unknown } | null)?.seq;
    if (typeof seq === 'number') positions.set(seq, [...(positions.get(seq) ?? []), i]);
  });

  let expected = x.from;
  let previous: HexHash | undefined = x.from === 0 ? GENESIS_PREV_HASH : undefined;
  let failure: Failure | undefined;
  for (const [position, raw] of x.entries.entries()) {
    const shape = entryShapeProblem(raw);
    failure = shape
      ? {
          code: 'entry-malformed',
          seq: expected,
          reason: `The entry at position ${position} (expected: entry ${expected}) is malformed: ${shape}.`,
        }
      : (placementFailure(raw, position, expected, x, positions) ?? hashFailure(raw, previous, acc.hash));
    if (failure) break;
    previous = raw.leafHash;
    acc.push(Buffer.from(raw.leafHash, 'hex'));
    expected++;
    if (wanted.has(acc.size)) roots.set(acc.size, acc.root());
  }
  if (!failure && expected < x.to) {
    failure = {
      code: 'entry-missing',
      seq: expected,
      reason: `The export ends at entry ${x.to - 1}, but its last entry is ${expected - 1}: entries ${expected}..${x.to - 1} were deleted.`,
    };
  }
  report.checked.entries = expected - x.from;
  const range = expected > x.from ? `entries ${x.from}..${expected - 1}` : 'no entries';
  if (failure) {
    report.fail(failure.code, failure.seq, failure.reason);
    report.check('entries', 'failed', `${range} intact; stopped at entry ${failure.seq}: ${failure.code}`);
  } else {
    report.check('entries', 'ok', `${range}: every content hash and chain link matches`);
  }
  return { verifiedTo: expected, roots };
}
