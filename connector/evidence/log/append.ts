// One append: validate and canonicalise the input, then write the entry row with the tree nodes it completes.
import type { Queries } from '../../store/database.js';
import { EvidenceError } from '../errors.js';
import { canonicalJson, type JsonValue } from '../json/canonical.js';
import { hashLeaf } from '../merkle/hash.js';
import {
  GENESIS_PREV_HASH,
  KIND_PATTERN,
  MAX_SUBJECT_LENGTH,
  entryPreimage,
  type EntryContent,
  type EvidenceEntry,
} from './entry.js';
import type { Frontier } from './tree.js';

// The message of the evidence_entry_in_sequence trigger (migrations.ts).
const OUT_OF_SEQUENCE = 'evidence entries are appended in sequence';

export function isOutOfSequence(error: unknown): boolean {
  return error instanceof Error && error.message.includes(OUT_OF_SEQUENCE);
}

function inputInvalid(message: string): EvidenceError {
  return new EvidenceError('ERR_EVIDENCE_INPUT_INVALID', message);
}

/** Checks kind and subject and returns the RFC 8785 text of `data` (undefined counts as null). */
export function canonicalInput(kind: unknown, subject: unknown, data: unknown, maxDataBytes: number): string {
  if (typeof kind !== 'string' || !KIND_PATTERN.test(kind)) {
    throw inputInvalid(
      `Evidence kind "${String(kind).slice(0, 80)}" must be lowercase letters, digits and dashes.`,
    );
  }
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    throw inputInvalid(
      `The evidence subject must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters.`,
    );
  }
  const dataJson = canonicalJson(data === undefined ? null : data);
  if (Buffer.byteLength(dataJson, 'utf8') > maxDataBytes) {
    throw inputInvalid(
      `The evidence data is larger than ${maxDataBytes} bytes; log a digest of large documents and keep them elsewhere.`,
    );
  }
  return dataJson;
}

export interface NewEntry {
  readonly at: string;
  readonly kind: string;
  readonly subject: string;
  readonly dataJson: string;
}

/** Writes the next entry after `frontier`; the database refuses it (isOutOfSequence) if the frontier is stale. */
export async function insertEntry(
  q: Queries,
  frontier: Frontier,
  input: NewEntry,
): Promise<{ entry: EvidenceEntry; frontier: Frontier }> {
  const content: EntryContent = {
    seq: frontier.size,
    at: input.at,
    kind: input.kind,
    subject: input.subject,
    data: JSON.parse(input.dataJson) as JsonValue,
    prevHash: frontier.head ? frontier.head.toString('hex') : GENESIS_PREV_HASH,
  };
  const leaf = hashLeaf(Buffer.from(entryPreimage(content, input.dataJson), 'utf8'), frontier.tree.hash);
  const tree = frontier.tree.clone();
  const nodes = Buffer.concat(tree.push(leaf));
  await q.run(
    `INSERT INTO evidence_entry (seq, at, kind, subject, data, prev_hash, leaf_hash, nodes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      content.seq,
      content.at,
      content.kind,
      content.subject,
      input.dataJson,
      Buffer.from(content.prevHash, 'hex'),
      leaf,
      nodes,
    ],
  );
  return {
    entry: { ...content, leafHash: leaf.toString('hex') },
    frontier: { size: content.seq + 1, head: leaf, tree },
  };
}
