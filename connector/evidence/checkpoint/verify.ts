// Verifying a checkpoint's signature and its countersignatures against keys from DID documents.
import { isEvidenceHash, isHexHash } from '../merkle/hash.js';
import { checkJws, payloadMismatch } from './jws.js';
import type { KeyLookup } from './keys.js';
import {
  CHECKPOINT_TYP,
  COUNTERSIGNATURE_TYP,
  checkpointBody,
  type Checkpoint,
  type Countersignature,
  type CountersignedCheckpoint,
} from './types.js';

export interface SignatureFailure {
  readonly reason: string;
  /** True when the key could not be found (no DID document), rather than a signature that is wrong. */
  readonly keyUnavailable: boolean;
}

export interface CountersignatureCheck {
  readonly authority: string;
  readonly ok: boolean;
  readonly failure?: SignatureFailure;
}

export interface CheckpointVerification {
  readonly ok: boolean;
  readonly signature?: SignatureFailure;
  readonly countersignatures: readonly CountersignatureCheck[];
}

/** Why `value` is not shaped like a (countersigned) checkpoint, or undefined. */
export function checkpointShapeProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'it is not a JSON object';
  const c = value as Record<string, unknown>;
  if (typeof c.logId !== 'string') return '"logId" is not a string';
  if (typeof c.size !== 'number' || !Number.isSafeInteger(c.size) || c.size < 0)
    return '"size" is not a non-negative integer';
  if (!isHexHash(c.root)) return '"root" is not a hash in lowercase hex';
  if (typeof c.time !== 'string') return '"time" is not a string';
  if (c.hash !== undefined && !isEvidenceHash(c.hash)) return '"hash" is neither "sha-256" nor "sm3"';
  if (typeof c.signature !== 'string') return '"signature" is not a string';
  const list = c.countersignatures ?? [];
  if (!Array.isArray(list)) return '"countersignatures" is not a list';
  for (const s of list as unknown[]) {
    const cs = s as Record<string, unknown> | null;
    if (
      !cs ||
      typeof cs.authority !== 'string' ||
      typeof cs.time !== 'string' ||
      typeof cs.signature !== 'string'
    )
      return 'a countersignature lacks "authority", "time" or "signature"';
  }
  return undefined;
}

/** Why the log's signature on the checkpoint is invalid, or undefined when it is valid. */
export async function checkpointSignatureFailure(
  checkpoint: Checkpoint,
  keys: KeyLookup,
): Promise<SignatureFailure | undefined> {
  const check = await checkJws(checkpoint.signature, CHECKPOINT_TYP, checkpoint.logId, keys);
  if (!check.ok) return { reason: check.reason, keyUnavailable: check.keyUnavailable };
  const mismatch = payloadMismatch(check.payload, { ...checkpointBody(checkpoint) });
  return mismatch ? { reason: mismatch, keyUnavailable: false } : undefined;
}

/** Checks one countersignature; on success also returns the DID document its key came from. */
export async function checkCountersignature(
  checkpoint: Checkpoint,
  countersignature: Countersignature,
  keys: KeyLookup,
): Promise<{
  readonly failure?: SignatureFailure;
  readonly didDocument?: Readonly<Record<string, unknown>>;
}> {
  const check = await checkJws(
    countersignature.signature,
    COUNTERSIGNATURE_TYP,
    countersignature.authority,
    keys,
  );
  if (!check.ok) return { failure: { reason: check.reason, keyUnavailable: check.keyUnavailable } };
  const mismatch = payloadMismatch(check.payload, {
    ...checkpointBody(checkpoint),
    authority: countersignature.authority,
    countersignedAt: countersignature.time,
  });
  return mismatch
    ? { failure: { reason: mismatch, keyUnavailable: false } }
    : { didDocument: check.found.didDocument };
}

/** Why one countersignature on the checkpoint is invalid, or undefined when it is valid. */
export async function countersignatureFailure(
  checkpoint: Checkpoint,
  countersignature: Countersignature,
  keys: KeyLookup,
): Promise<SignatureFailure | undefined> {
  return (await checkCountersignature(checkpoint, countersignature, keys)).failure;
}

/** Verifies the log's signature and every countersignature. */
export async function verifyCheckpoint(
  checkpoint: Checkpoint | CountersignedCheckpoint,
  keys: KeyLookup,
): Promise<CheckpointVerification> {
  const signature = await checkpointSignatureFailure(checkpoint, keys);
  const list = 'countersignatures' in checkpoint ? checkpoint.countersignatures : [];
  const countersignatures: CountersignatureCheck[] = [];
  for (const cs of list) {
    const failure = await countersignatureFailure(checkpoint, cs, keys);
    countersignatures.push(
      failure ? { authority: cs.authority, ok: false, failure } : { authority: cs.authority, ok: true },
    );
  }
  return {
    ok: !signature && countersignatures.every((c) => c.ok),
    ...(signature ? { signature } : {}),
    countersignatures,
  };
}
