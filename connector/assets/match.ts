// The provider's check of a contract request against its catalog: the offer exists, the dataset is
// one it selects, the caller may see it, and the policy the consumer sent is the one offered, in
// whatever JSON-LD form the consumer wrote it. Refusals are data with a stable reason.

import { compilePolicy } from '../../policies/index.js';
import { canonicalIri } from '../../policies/jsonld/namespaces.js';
import type { ResolvedOffer, Catalog } from './catalog.js';
import type { FieldError } from './errors.js';
import { differingTerms, policyTerms } from './policy-key.js';
import type { Caller } from './visibility.js';

export interface RequestedOffer {
  /** The dataset the consumer asks for (ContractRequestMessage: the offer's target). */
  readonly datasetId: string;
  /** The offer as the consumer sent it (any JSON-LD form). */
  readonly offer: unknown;
  /** The offer id, when the message carries it apart from the offer's @id. */
  readonly offerId?: string;
}

export type OfferRefusalReason =
  /** Unknown id, a dataset the offer does not select, or an offer the caller may not see (DSP: 404). */
  | 'OFFER_NOT_FOUND'
  /** The request names another dataset than the offer's (its datasetId or the policy's target). */
  | 'DATASET_MISMATCH'
  /** The policy sent does not compile. */
  | 'POLICY_INVALID'
  /** The policy sent differs from the one offered (terms, type, assigner or id). */
  | 'POLICY_MISMATCH';

export interface OfferRefusal {
  readonly ok: false;
  readonly reason: OfferRefusalReason;
  readonly message: string;
  /** For POLICY_INVALID: the policy engine's errors, pointers into the offer as sent. */
  readonly problems?: readonly FieldError[];
}

export interface OfferMatch extends ResolvedOffer {
  readonly ok: true;
}

/** Compiled offers by their JSON text: consumers request the same published offer again and again. */
const compiledOffers = new Map<string, ReturnType<typeof compilePolicy>>();
const MAX_COMPILED_OFFERS = 256;

/** compilePolicy, once per offer text (the result is only read). */
function compiledOffer(offer: unknown): ReturnType<typeof compilePolicy> {
  const key = JSON.stringify(offer) ?? '';
  let compiled = compiledOffers.get(key);
  if (compiled === undefined) {
    if (compiledOffers.size >= MAX_COMPILED_OFFERS) compiledOffers.clear();
    compiled = compilePolicy(offer);
    compiledOffers.set(key, compiled);
    compiled.catch(() => compiledOffers.delete(key));
  }
  return compiled;
}

export async function matchRequestedOffer(
  catalog: Catalog,
  caller: Caller,
  request: RequestedOffer,
): Promise<OfferMatch | OfferRefusal> {
  const compiled = await compiledOffer(request.offer);
  if (!compiled.ok || compiled.canonical === undefined)
    return refuse('POLICY_INVALID', 'the offer sent is not a valid ODRL policy', {
      problems: compiled.problems.map((p) => ({ pointer: p.path, reason: p.message, code: p.code })),
    });
  const sent = compiled.canonical.doc;
  const sentId = typeof sent.uid === 'string' ? sent.uid : undefined;
  const offerId = request.offerId ?? sentId;
  if (offerId === undefined) return refuse('POLICY_INVALID', 'the offer sent has no @id');
  if (sentId !== undefined && canonicalIri(offerId) !== sentId)
    return refuse('POLICY_MISMATCH', `the offer's @id ${sentId} is not the offer id ${offerId}`);

  const resolved = await catalog.visibleOfferById(caller, offerId);
  if (resolved === undefined) return refuse('OFFER_NOT_FOUND', `no offer ${offerId} is available to you`);
  const datasetId = resolved.asset.id;
  if (request.datasetId !== datasetId)
    return refuse(
      'DATASET_MISMATCH',
      `offer ${offerId} is for dataset ${datasetId}, not ${request.datasetId}`,
    );
  const targets = list(sent.target);
  if (targets.length > 0 && (targets.length !== 1 || targets[0] !== canonicalIri(datasetId)))
    return refuse('DATASET_MISMATCH', `the offer's target must be ${datasetId}`);

  if (!list(sent.type).includes('Offer')) return refuse('POLICY_MISMATCH', 'the policy sent is not an Offer');
  const assigners = list(sent.assigner);
  if (
    assigners.length > 0 &&
    (assigners.length !== 1 || assigners[0] !== canonicalIri(catalog.participantId))
  )
    return refuse('POLICY_MISMATCH', `the offer's assigner must be ${catalog.participantId}`);
  const terms = policyTerms(sent);
  // A consumer may address the offer to itself (Eclipse EDC does): an assignee that is the caller
  // adds nothing the offer did not already allow it.
  if (!resolved.contractTerms.has('assignee') && terms.has('assignee')) {
    const assignees = list(sent.assignee);
    if (assignees.length !== 1 || assignees[0] !== canonicalIri(caller.participantId))
      return refuse('POLICY_MISMATCH', 'the offer names no assignee; the policy sent may name only you');
    terms.delete('assignee');
  }
  const differs = differingTerms(terms, resolved.contractTerms);
  if (differs.length > 0)
    return refuse(
      'POLICY_MISMATCH',
      `the policy sent differs from offer ${offerId} in ${differs.join(', ')}; request the offer as the catalog shows it`,
    );
  return { ok: true, ...resolved };
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function refuse(
  reason: OfferRefusalReason,
  message: string,
  extra: { problems?: readonly FieldError[] } = {},
): OfferRefusal {
  return { ok: false, reason, message, ...extra };
}
