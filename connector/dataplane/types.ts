// What the data plane needs from the control plane, as narrow interfaces: a transfer lookup (the
// current state decides whether a token still works) and the connector's identity (keys to sign and
// verify endpoint data references).
import type { Ed25519Key } from '../identity/keys/key.js';
import type { DidSigner } from '../identity/signer.js';
import type { CompiledPolicy, RequestAsset, RequestClaims } from '../../policies/index.js';
import type { DataAddressLike } from './sources/types.js';

/** DSP transfer states (connector/transfer/states.ts); only STARTED transfers move data. */
export type TransferStateName = 'REQUESTED' | 'STARTED' | 'SUSPENDED' | 'COMPLETED' | 'TERMINATED';

/** A provider-side transfer as the data plane sees it. */
export interface TransferView {
  readonly state: TransferStateName;
  readonly agreementId: string;
  /** The consumer's DID: the agreement's assignee and the EDR's subject. */
  readonly consumerDid: string;
  /** The agreement's policy, compiled once by the control plane. */
  readonly policy: CompiledPolicy;
  /** The asset's data address (never shown to the consumer). */
  readonly dataAddress: DataAddressLike;
  /** The agreement's target (the asset id), so rules with a target apply. */
  readonly target?: string;
  /** The provider's DID (the agreement's assigner). */
  readonly assigner?: string;
  /** Facts about the asset (its data grade). */
  readonly asset?: RequestAsset;
  /** The consumer's verified claims, as verified when the transfer was requested. */
  readonly claims?: RequestClaims;
  /** Purposes and places the consumer declared (and the control plane verified) for this transfer. */
  readonly purpose?: string | readonly string[];
  readonly spatial?: string | readonly string[];
}

/** Looks a transfer up by our (the provider's) transfer id; undefined when there is none. */
export type TransferLookup = (
  transferId: string,
) => TransferView | undefined | Promise<TransferView | undefined>;

/** The connector's keys: `ProcessIdentity` from connector/identity fits. */
export interface DataPlaneIdentity {
  readonly did: string;
  /** Every key still published in the DID document (tokens signed before a rotation keep working). */
  readonly keys: { readonly publishedKeys: readonly Ed25519Key[] };
  /** A signer with the current active key. */
  signer(): DidSigner;
}
