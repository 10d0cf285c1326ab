// Storing what others give the log: countersignatures (verified first), DID documents, anchor receipts.
import { isDid } from '../../identity/index.js';
import type { Store } from '../../store/database.js';
import { EvidenceError } from '../errors.js';
import type { AnchorReceipt } from './anchor.js';
import type { KeyLookup } from './keys.js';
import * as store from './store.js';
import type { Countersignature, CountersignedCheckpoint } from './types.js';
import { checkCountersignature } from './verify.js';

export function checkDidDocument(document: object): Readonly<Record<string, unknown>> {
  const id = (document as { id?: unknown }).id;
  if (!isDid(id) || id.includes('#')) {
    throw new EvidenceError('ERR_EVIDENCE_INPUT_INVALID', 'A DID document needs an "id" that is a DID.');
  }
  return document as Readonly<Record<string, unknown>>;
}

/** Verifies every countersignature on one of our checkpoints, then stores them with the signers' documents. */
export async function recordCountersignatures(
  db: Store,
  countersigned: CountersignedCheckpoint,
  keys: KeyLookup,
  now: string,
): Promise<number> {
  const id = await store.findCheckpointId(db, countersigned);
  if (id === undefined) {
    throw new EvidenceError(
      'ERR_EVIDENCE_CHECKPOINT_UNKNOWN',
      `This log never signed the checkpoint of size ${countersigned.size} at ${countersigned.time}; ` +
        'record countersignatures only for checkpoints this log produced.',
    );
  }
  const verified: { signature: Countersignature; document?: Readonly<Record<string, unknown>> }[] = [];
  for (const signature of countersigned.countersignatures) {
    const check = await checkCountersignature(countersigned, signature, keys);
    if (check.failure) {
      throw new EvidenceError(
        'ERR_EVIDENCE_SIGNATURE_INVALID',
        `The countersignature of ${signature.authority} is invalid (${check.failure.reason}); it was not stored.`,
        { details: { authority: signature.authority } },
      );
    }
    verified.push({ signature, ...(check.didDocument ? { document: check.didDocument } : {}) });
  }
  await db.transaction(async (q) => {
    for (const v of verified) {
      if (v.document) await store.insertDidDocument(q, v.document, now);
      await store.insertCountersignature(q, id, v.signature, now);
    }
  });
  return id;
}

export async function recordAnchorReceipt(db: Store, receipt: AnchorReceipt, now: string): Promise<void> {
  const row = await db.get<{ id: number }>(
    'SELECT id FROM evidence_checkpoint WHERE log_id = ? AND size = ? AND root = ? ORDER BY id LIMIT 1',
    [receipt.logId, receipt.size, receipt.root],
  );
  if (!row) {
    throw new EvidenceError(
      'ERR_EVIDENCE_CHECKPOINT_UNKNOWN',
      `No checkpoint of size ${receipt.size} with root ${receipt.root} exists in this log; the receipt was not stored.`,
    );
  }
  await store.insertAnchorReceipt(db, row.id, receipt, now);
}
