// The data plane's view of a provider transfer (its `lookupTransfer`): the transfer's current state, the
// finalized agreement it runs under with its compiled policy, the asset's data address and grade, the
// consumer's claims as verified when it requested the transfer, and the purposes and places it declared.
// Called on every access, so what never changes for a transfer (agreement, policy, claims, declaration) is
// cached by transfer id; the state and the asset are read each time (a suspension or an edited asset counts
// at once).

import type { AssetStore } from '../../assets/index.js';
import type { TransferView } from '../../dataplane/index.js';
import type { DataAddressLike } from '../../dataplane/sources/types.js';
import type { NegotiationStore } from '../../negotiation/index.js';
import type { TransferStore } from '../../transfer/index.js';
import { compilePolicy, type CompiledPolicy, type RequestClaims } from '../../../policies/index.js';
import type { TransferUsageStore } from '../records.js';

const MAX_CACHED = 2000;

interface FixedPart {
  readonly agreementId: string;
  readonly consumerDid: string;
  readonly datasetId: string;
  readonly target: string;
  readonly assigner: string;
  readonly policy: CompiledPolicy;
  readonly claims?: RequestClaims;
  readonly purpose?: readonly string[];
  readonly spatial?: readonly string[];
}

export interface ProviderViewStores {
  readonly transfers: TransferStore;
  readonly negotiations: NegotiationStore;
  readonly assets: AssetStore;
  readonly usage: TransferUsageStore;
}

export class ProviderTransferViews {
  private readonly fixed = new Map<string, Promise<FixedPart | undefined>>();
  private readonly policies = new Map<string, Promise<CompiledPolicy>>();

  constructor(private readonly stores: ProviderViewStores) {}

  /** The view of our provider transfer `transferId`, or undefined when there is no usable one. */
  async view(transferId: string): Promise<TransferView | undefined> {
    const transfer = await this.stores.transfers.get(transferId);
    if (transfer === undefined || transfer.role !== 'provider') return undefined;
    const fixed = await this.fixedPart(transferId, transfer.agreementId, transfer.counterPartyId);
    if (fixed === undefined) return undefined;
    const asset = await this.stores.assets.getAsset(fixed.datasetId);
    if (asset === undefined) return undefined;
    return {
      state: transfer.state,
      agreementId: fixed.agreementId,
      consumerDid: fixed.consumerDid,
      policy: fixed.policy,
      dataAddress: asset.dataAddress as unknown as DataAddressLike,
      target: fixed.target,
      assigner: fixed.assigner,
      asset: { dataGrade: asset.dataGrade },
      ...(fixed.claims !== undefined ? { claims: fixed.claims } : {}),
      ...(fixed.purpose !== undefined ? { purpose: fixed.purpose } : {}),
      ...(fixed.spatial !== undefined ? { spatial: fixed.spatial } : {}),
    };
  }

  private fixedPart(
    transferId: string,
    agreementId: string,
    consumerDid: string,
  ): Promise<FixedPart | undefined> {
    let part = this.fixed.get(transferId);
    if (part === undefined) {
      if (this.fixed.size >= MAX_CACHED) this.fixed.clear();
      part = this.load(transferId, agreementId, consumerDid);
      this.fixed.set(transferId, part);
      // Nothing found (or a failure) is not cached: the next access looks again.
      part.then(
        (found) => found === undefined && this.fixed.delete(transferId),
        () => this.fixed.delete(transferId),
      );
    }
    return part;
  }

  private async load(
    transferId: string,
    agreementId: string,
    consumerDid: string,
  ): Promise<FixedPart | undefined> {
    const negotiation = await this.stores.negotiations.findByAgreementId('provider', agreementId);
    if (
      negotiation === undefined ||
      negotiation.state !== 'FINALIZED' ||
      negotiation.agreement === null ||
      negotiation.datasetId === null ||
      negotiation.counterPartyId !== consumerDid
    ) {
      return undefined;
    }
    const agreement = negotiation.agreement;
    const usage = await this.stores.usage.get(transferId);
    return {
      agreementId,
      consumerDid,
      datasetId: negotiation.datasetId,
      target: typeof agreement.target === 'string' ? agreement.target : negotiation.datasetId,
      assigner: typeof agreement.assigner === 'string' ? agreement.assigner : '',
      policy: await this.policy(agreementId, agreement),
      ...(usage?.claims !== undefined ? { claims: usage.claims } : {}),
      ...(usage?.purpose !== undefined ? { purpose: usage.purpose } : {}),
      ...(usage?.spatial !== undefined ? { spatial: usage.spatial } : {}),
    };
  }

  private policy(agreementId: string, agreement: Readonly<Record<string, unknown>>): Promise<CompiledPolicy> {
    let policy = this.policies.get(agreementId);
    if (policy === undefined) {
      if (this.policies.size >= MAX_CACHED) this.policies.clear();
      policy = compilePolicy(agreement).then((result) => result.policy);
      this.policies.set(agreementId, policy);
    }
    return policy;
  }
}
