// Before a changed catalog is written, every offer is read with the policy engine once: its access
// policy compiled (to check it and to know whether it names an assigner), its contract policy turned
// into features and a readable summary. Providers reuse a few policies for many datasets, so both are
// memoised by content for the whole crawl.
import type { Json, JsonObject } from '../../../connector/dsp/messages/types.js';
import { compileDspPolicy, namesAssigner } from '../policy/compile.js';
import { offerFeatures } from '../policy/features.js';
import { summariseInEveryLanguage, type OfferSummary } from '../summary/offer-summary.js';
import type { CrawledDataset, OfferFeatures } from '../types.js';
import { sha256, stableJson } from './normalise.js';

export interface PreparedAccessPolicy {
  readonly hash: string;
  /** Stable JSON of the policy body, as stored. */
  readonly text: string;
  readonly namesAssigner: boolean;
  /** False when the policy does not compile: it then hides the offer from everybody. */
  readonly compiles: boolean;
}

export interface PreparedOffer {
  readonly offerId: string;
  readonly body: JsonObject;
  readonly access?: PreparedAccessPolicy;
  readonly terms: PreparedTerms;
}

/** What the offer's contract policy says, in words and facets; shared by offers with equal terms. */
export interface PreparedTerms {
  readonly hash: string;
  readonly summary: OfferSummary;
  readonly features: OfferFeatures;
}

export interface PreparedDataset {
  readonly dataset: CrawledDataset;
  readonly offers: readonly PreparedOffer[];
}

/** Memoises compiled facts by policy content across the datasets of one crawl. */
export class OfferPreparer {
  readonly #access = new Map<string, Promise<PreparedAccessPolicy>>();
  readonly #contracts = new Map<string, Promise<PreparedTerms>>();

  async prepare(dataset: CrawledDataset): Promise<PreparedDataset> {
    const offers = await Promise.all(
      dataset.offers.map(async (offer) => {
        const access = offer.accessPolicy ? await this.#accessPolicy(offer.accessPolicy) : undefined;
        const terms = await this.#contract(offer.body);
        return { offerId: offer.offerId, body: offer.body, ...(access ? { access } : {}), terms };
      }),
    );
    return { dataset, offers };
  }

  #accessPolicy(body: JsonObject): Promise<PreparedAccessPolicy> {
    const text = stableJson(body);
    let prepared = this.#access.get(text);
    if (prepared === undefined) {
      prepared = compileDspPolicy(body, 'Set').then((compiled) => ({
        hash: sha256(text),
        text,
        namesAssigner: namesAssigner(compiled.policy.policy),
        compiles: compiled.ok,
      }));
      this.#access.set(text, prepared);
    }
    return prepared;
  }

  #contract(body: JsonObject): Promise<PreparedTerms> {
    // The offer id differs per dataset; the terms usually do not.
    const { '@id': _id, ...terms } = body;
    const key = stableJson(terms as Json);
    let facts = this.#contracts.get(key);
    if (facts === undefined) {
      facts = compileDspPolicy(body, 'Offer').then((compiled) => ({
        hash: sha256(key),
        summary: summariseInEveryLanguage(
          compiled.policy.policy,
          compiled.problems.map((p) => `${p.path || '/'}: ${p.message}`),
        ),
        features: offerFeatures(compiled.policy.policy),
      }));
      this.#contracts.set(key, facts);
    }
    return facts;
  }
}
