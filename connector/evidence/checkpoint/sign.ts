// Signing checkpoints (the log, with its DID key) and countersigning them (the authority, with its own).
import { systemClock, type Clock } from '../../identity/index.js';
import { EvidenceError } from '../errors.js';
import type { HexHash } from '../merkle/hash.js';
import { compareCheckpoints } from './compare.js';
import type { KeyLookup } from './keys.js';
import {
  CHECKPOINT_TYP,
  COUNTERSIGNATURE_TYP,
  checkpointBody,
  type Checkpoint,
  type CheckpointBody,
  type CountersignatureBody,
  type CountersignedCheckpoint,
} from './types.js';
import { checkpointSignatureFailure } from './verify.js';

/**
 * What signs checkpoints and countersignatures: a DID and a compact-JWS signer whose `kid` is one of its keys.
 * The identity library's DidSigner (Ed25519, EdDSA) is one; Sm2CheckpointSigner (SM2) is the other.
 */
export interface CheckpointSigner {
  readonly did: string;
  signJwt(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string>;
}

export async function signCheckpoint(body: CheckpointBody, signer: CheckpointSigner): Promise<Checkpoint> {
  if (signer.did !== body.logId) {
    throw new EvidenceError(
      'ERR_EVIDENCE_SIGNER_MISMATCH',
      `The checkpoint of log ${body.logId} must be signed with that DID's key, not with ${signer.did}.`,
      { details: { logId: body.logId, signer: signer.did } },
    );
  }
  const payload = { ...checkpointBody(body) };
  return { ...payload, signature: await signer.signJwt({ typ: CHECKPOINT_TYP }, payload) };
}

export interface CountersignOptions {
  readonly clock?: Clock;
  /**
   * Verify the log's signature before countersigning. An authority should always pass its resolver-backed
   * lookup (resolverKeys): countersigning an unverified checkpoint vouches for nothing.
   */
  readonly keys?: KeyLookup;
  /**
   * The last checkpoint of this log the authority countersigned, with a consistency proof from it to the new
   * one: a fork (same size, other root), a rollback (smaller size) or a bad proof is refused with
   * ERR_EVIDENCE_FORK. This is what keeps a connector from rewriting its history unnoticed.
   */
  readonly previous?: { readonly checkpoint: CheckpointBody; readonly proof: readonly HexHash[] };
}

/** Returns the checkpoint with the authority's timestamped countersignature added. */
export async function countersignCheckpoint(
  checkpoint: Checkpoint | CountersignedCheckpoint,
  authoritySigner: CheckpointSigner,
  options: CountersignOptions = {},
): Promise<CountersignedCheckpoint> {
  if (options.keys) {
    const failure = await checkpointSignatureFailure(checkpoint, options.keys);
    if (failure) {
      throw new EvidenceError(
        'ERR_EVIDENCE_SIGNATURE_INVALID',
        `Refusing to countersign: the checkpoint's signature is invalid (${failure.reason}).`,
        { details: { logId: checkpoint.logId, size: checkpoint.size } },
      );
    }
  }
  if (options.previous) {
    const comparison = compareCheckpoints(options.previous.checkpoint, checkpoint, options.previous.proof);
    if (!comparison.consistent) {
      throw new EvidenceError('ERR_EVIDENCE_FORK', `Refusing to countersign: ${comparison.reason}.`, {
        details: { logId: checkpoint.logId, size: checkpoint.size },
      });
    }
  }
  const countersignedAt = (options.clock ?? systemClock)().toISOString();
  const payload: CountersignatureBody = {
    ...checkpointBody(checkpoint),
    authority: authoritySigner.did,
    countersignedAt,
  };
  const signature = await authoritySigner.signJwt({ typ: COUNTERSIGNATURE_TYP }, { ...payload });
  const existing = 'countersignatures' in checkpoint ? checkpoint.countersignatures : [];
  return {
    ...checkpointBody(checkpoint),
    signature: checkpoint.signature,
    countersignatures: [
      ...existing.filter((c) => c.authority !== authoritySigner.did),
      { authority: authoritySigner.did, time: countersignedAt, signature },
    ],
  };
}
