// Typed errors of the evidence log. Callers branch on `code`; the message says what went wrong and what to do.
// Tampering found while verifying an export is not an error: it is data in the verification report.

export type EvidenceErrorCode =
  /** kind, subject or data cannot be logged (not JSON, wrong shape, too large). */
  | 'ERR_EVIDENCE_INPUT_INVALID'
  /** A sequence number or tree size outside the log. */
  | 'ERR_EVIDENCE_OUT_OF_RANGE'
  /** The database was opened without EVIDENCE_MIGRATIONS. */
  | 'ERR_EVIDENCE_NOT_MIGRATED'
  /** The database belongs to another log (another DID) than the one opening it. */
  | 'ERR_EVIDENCE_LOG_ID_MISMATCH'
  /** The database's log hashes with another function (SHA-256, SM3) than the one asked for. */
  | 'ERR_EVIDENCE_HASH_MISMATCH'
  /** A checkpoint signer whose DID is not the log's. */
  | 'ERR_EVIDENCE_SIGNER_MISMATCH'
  /** No checkpoint covers the entry yet. */
  | 'ERR_EVIDENCE_NOT_CHECKPOINTED'
  /** A countersignature or anchor receipt for a checkpoint this log never made. */
  | 'ERR_EVIDENCE_CHECKPOINT_UNKNOWN'
  /** A signature (checkpoint or countersignature) that does not verify. */
  | 'ERR_EVIDENCE_SIGNATURE_INVALID'
  /** No DID document at hand (or resolvable) for a signer, so its signature cannot be checked. */
  | 'ERR_EVIDENCE_KEY_UNAVAILABLE'
  /** Two checkpoints of one log that cannot both be true (a fork or a rollback). */
  | 'ERR_EVIDENCE_FORK'
  /** The stored log contradicts itself (a tree node is missing or a hash does not match). */
  | 'ERR_EVIDENCE_CORRUPT';

export type ErrorDetails = Readonly<Record<string, string | number | boolean>>;

export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
  readonly details: ErrorDetails;

  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
    options: { cause?: unknown; details?: ErrorDetails } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}
