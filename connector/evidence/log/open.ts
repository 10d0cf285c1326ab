// Binding a database to one log: the first open records the log's DID, every later open must match it.
import type { Store } from '../../store/database.js';
import { EvidenceError } from '../errors.js';
import { isEvidenceHash, type EvidenceHash } from '../merkle/hash.js';

export async function claimLogId(db: Store, logId: string): Promise<void> {
  const stored = await db
    .transaction(async (tx) => {
      await tx.run("INSERT INTO evidence_meta (name, value) VALUES ('log_id', ?) ON CONFLICT DO NOTHING", [
        logId,
      ]);
      return tx.get<{ value: string }>("SELECT value FROM evidence_meta WHERE name = 'log_id'");
    })
    .catch((error: unknown) => {
      if (error instanceof Error && /no such table|does not exist/.test(error.message)) {
        throw new EvidenceError(
          'ERR_EVIDENCE_NOT_MIGRATED',
          `The database ${db.location} has no evidence tables; open it with EVIDENCE_MIGRATIONS.`,
          { cause: error },
        );
      }
      throw error;
    });
  if (stored?.value !== logId) {
    throw new EvidenceError(
      'ERR_EVIDENCE_LOG_ID_MISMATCH',
      `The evidence log in ${db.location} belongs to ${stored?.value}, not ${logId}. A connector whose DID ` +
        'changed starts a new log in a new database; keep the old one (and its exports) as they are.',
      { details: { stored: String(stored?.value), requested: logId } },
    );
  }
}

/**
 * The log's hash function: recorded at first open, fixed for the log's life (every leaf and node depends on
 * it). A log older than the choice, with entries and no record, is SHA-256.
 */
export async function claimHash(db: Store, requested: EvidenceHash): Promise<EvidenceHash> {
  const stored = await db.transaction(async (tx) => {
    const row = await tx.get<{ value: string }>("SELECT value FROM evidence_meta WHERE name = 'hash'");
    if (row) return row.value;
    const entries = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM evidence_entry');
    const value = (entries?.n ?? 0) > 0 ? 'sha-256' : requested;
    await tx.run("INSERT INTO evidence_meta (name, value) VALUES ('hash', ?)", [value]);
    return value;
  });
  if (!isEvidenceHash(stored) || stored !== requested) {
    throw new EvidenceError(
      'ERR_EVIDENCE_HASH_MISMATCH',
      `The evidence log in ${db.location} hashes with ${stored}, not ${requested}: a log keeps its hash function for ` +
        "life. To change the data space's algorithms, start a new log in a new database and keep the old one.",
      { details: { stored, requested } },
    );
  }
  return stored;
}
