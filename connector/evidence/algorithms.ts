// The data space's choice of evidence algorithms, made once for the whole data space (connector.json
// `evidence.algorithms` on every member, `evidence.algorithms` in the authority's authority.json):
//   "default": SHA-256 for the hash chain and the Merkle tree, Ed25519 (EdDSA) for checkpoint signatures and
//              the authority's countersignatures;
//   "sm":      SM3 (GB/T 32905) for the hash chain and the tree, SM2 (GB/T 32918.2) for both signatures.
// Checkpoints and exports name what they use, so verification never depends on this setting.
import type { Sm2Key } from '../identity/index.js';
import type { CheckpointSigner } from './checkpoint/sign.js';
import { Sm2CheckpointSigner } from './checkpoint/sm2-signer.js';
import { EvidenceError } from './errors.js';
import type { EvidenceHash } from './merkle/hash.js';

export type EvidenceAlgorithms = 'default' | 'sm';

/** Reads the setting (undefined: "default"); anything else is refused with a message naming `where`. */
export function evidenceAlgorithmsFrom(value: unknown, where: string): EvidenceAlgorithms {
  if (value === undefined || value === 'default') return 'default';
  if (value === 'sm') return 'sm';
  throw new EvidenceError(
    'ERR_EVIDENCE_INPUT_INVALID',
    `${where} is ${JSON.stringify(value)}; use "default" (SHA-256 and Ed25519) or "sm" (SM3 and SM2).`,
  );
}

export function evidenceHashOf(algorithms: EvidenceAlgorithms): EvidenceHash {
  return algorithms === 'sm' ? 'sm3' : 'sha-256';
}

/** The signer for checkpoints (or countersignatures) under the data space's algorithms. */
export function checkpointSignerFor(
  algorithms: EvidenceAlgorithms,
  identity: { readonly did: string; readonly sm2Key?: Sm2Key; signer(): CheckpointSigner },
): CheckpointSigner {
  if (algorithms === 'default') return identity.signer();
  if (!identity.sm2Key) {
    throw new EvidenceError(
      'ERR_EVIDENCE_INPUT_INVALID',
      `${identity.did} has no SM2 key: open its identity with { sm2: true } when the data space uses "sm".`,
    );
  }
  return new Sm2CheckpointSigner(identity.did, identity.sm2Key);
}
