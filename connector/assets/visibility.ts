// Who may see which offer, for one caller at one instant. An offer's access policy is asked "may this
// caller read this dataset?" with the caller's verified claims and the dataset's grade. Access
// policies cannot name a target (validate/policy.ts), so the answer depends on the offer and the
// grade only: it is computed once per (distinct access policy, grade) per caller view
// (caller-view.ts), whatever the number of assets and of offers sharing the policy.

import type { EvaluationRequest, RequestClaims } from '../../policies/index.js';
import { GRADES } from '../../policies/vocabulary/grades.js';
import type { AssetEntry, OfferEntry, Snapshot } from './snapshot.js';

/** The counterparty asking, as connector/identity verified it. */
export interface Caller {
  /** The caller's participant id (DID). */
  readonly participantId: string;
  readonly claims: RequestClaims;
}

/**
 * A caller without a token (the DCAT-AP harvest view, connector/dsp/catalog/harvest.ts): no DID and no
 * credentials, so only offers whose access policy asks nothing of the caller are visible to it.
 */
export const ANONYMOUS_CALLER: Caller = Object.freeze({
  participantId: 'urn:shuyu:anonymous',
  claims: Object.freeze({ credentialTypes: [], sectors: [], sectorRoles: [] }),
});

const UNKNOWN = 0;
const VISIBLE = 1;
const HIDDEN = 2;

export class Visibility {
  /** memo[access.slot * GRADES.length + grade]: UNKNOWN, VISIBLE or HIDDEN. */
  private readonly memo: Uint8Array;
  private readonly requests: (EvaluationRequest | undefined)[] = [];

  constructor(
    snapshot: Snapshot,
    private readonly caller: Caller,
    /** One instant for every decision, so every offer is judged at the same time. */
    private readonly now: number,
    private readonly providerId: string,
  ) {
    this.memo = new Uint8Array(snapshot.accessPolicies.size * GRADES.length);
  }

  sees(offer: OfferEntry, asset: AssetEntry): boolean {
    const slot = offer.access.slot * GRADES.length + asset.grade;
    let state = this.memo[slot];
    if (state === UNKNOWN) {
      state = offer.access.compiled.evaluate(this.request(asset)).permitted ? VISIBLE : HIDDEN;
      this.memo[slot] = state;
    }
    return state === VISIBLE;
  }

  /** The offers on `asset` the caller may see, in offer-id order. */
  visibleOffers(asset: AssetEntry): OfferEntry[] {
    return asset.offers.filter((o) => this.sees(o, asset));
  }

  /** One request object per grade (the only asset fact access policies can read). */
  private request(asset: AssetEntry): EvaluationRequest {
    let request = this.requests[asset.grade];
    if (request === undefined) {
      request = {
        action: 'read',
        assignee: this.caller.participantId,
        assigner: this.providerId,
        asset: { dataGrade: asset.asset.dataGrade },
        claims: this.caller.claims,
        time: this.now,
      };
      this.requests[asset.grade] = request;
    }
    return request;
  }
}
