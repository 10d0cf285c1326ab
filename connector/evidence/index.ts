// Public API of the evidence log: a tamper-evident, append-only record of agreements, transfers, data access
// and duties, with RFC 9162 Merkle proofs, signed and countersigned checkpoints, and offline verification.
// See README.md in this folder for the byte-exact rules.

export { EvidenceError, type EvidenceErrorCode } from './errors.js';
export { SM2_CURVE, SM2_DEFAULT_ID, sm2Sign, sm2Verify, sm2Za, type Sm2Curve } from './crypto/sm2.js';
export { SM2_JWS_ALG, signSm2Jws, verifySm2Jws } from './crypto/sm2-jws.js';
export { canonicalJson, type JsonValue } from './json/canonical.js';

// Merkle tree (pure)
export {
  DEFAULT_EVIDENCE_HASH,
  EMPTY_ROOT,
  EVIDENCE_HASHES,
  emptyRoot,
  hashChildren,
  hashLeaf,
  isEvidenceHash,
  isHexHash,
  type EvidenceHash,
  type HexHash,
} from './merkle/hash.js';
export {
  consistencyFailure,
  inclusionFailure,
  verifyConsistency,
  verifyInclusion,
  type HashInput,
} from './merkle/verify.js';
export { MerkleAccumulator } from './merkle/accumulator.js';

// the log
export { EVIDENCE_MIGRATIONS } from './log/migrations.js';
export {
  GENESIS_PREV_HASH,
  entryLeafHash,
  entryPreimage,
  type EntryContent,
  type EvidenceEntry,
  type EvidenceKind,
} from './log/entry.js';
export {
  DEFAULT_MAX_DATA_BYTES,
  EvidenceLog,
  type CheckpointRange,
  type ConsistencyProof,
  type EntryFilter,
  type InclusionProof,
  type OpenEvidenceLogOptions,
  type TxOption,
} from './log/evidence-log.js';

// checkpoints
export {
  CHECKPOINT_TYP,
  COUNTERSIGNATURE_TYP,
  type Checkpoint,
  type CheckpointBody,
  type Countersignature,
  type CountersignatureBody,
  type CountersignedCheckpoint,
  type StoredCheckpoint,
} from './checkpoint/types.js';
export {
  signCheckpoint,
  countersignCheckpoint,
  type CheckpointSigner,
  type CountersignOptions,
} from './checkpoint/sign.js';
export { Sm2CheckpointSigner } from './checkpoint/sm2-signer.js';
export {
  checkpointSignerFor,
  evidenceAlgorithmsFrom,
  evidenceHashOf,
  type EvidenceAlgorithms,
} from './algorithms.js';
export {
  checkpointSignatureFailure,
  countersignatureFailure,
  verifyCheckpoint,
  type CheckpointVerification,
  type CountersignatureCheck,
  type SignatureFailure,
} from './checkpoint/verify.js';
export { compareCheckpoints, findForks, type CheckpointComparison } from './checkpoint/compare.js';
export { offlineKeys, resolverKeys, type FoundKey, type KeyLookup } from './checkpoint/keys.js';
export {
  CheckpointScheduler,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  type CheckpointSchedulerOptions,
} from './checkpoint/scheduler.js';
export {
  InMemoryAnchor,
  checkpointDigest,
  type AnchorReceipt,
  type CheckpointAnchor,
} from './checkpoint/anchor.js';

// export, proofs and offline verification
export {
  EXPORT_FORMAT,
  PROOF_FORMAT,
  type EntryProofDocument,
  type EvidenceExport,
} from './export/document.js';
export { exportEvidence, type ExportOptions } from './export/export.js';
export { verifyEvidenceExport, type VerifyOptions } from './export/verify.js';
export { proveEntry, verifyEntryProof, type ProveOptions } from './export/prove.js';
export {
  formatVerificationReport,
  type CheckStatus,
  type FailureCode,
  type VerificationCheck,
  type VerificationCounts,
  type VerificationFailure,
  type VerificationReport,
} from './export/report.js';
