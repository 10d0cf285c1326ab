// The provider's automatic decision on a contract request: does the offer's contract policy permit
// this requester, as its verified credentials describe it, to use the dataset now? A denial carries the
// policy engine's reason. It quotes only the requester's own claims and the policy's terms, which the
// requester saw in the catalog: nothing about other participants.

import type { Caller, ResolvedOffer } from '../../assets/index.js';
import { reasonOf } from '../../../policies/index.js';

/**
 * Facts that exist only when the data is used (where, for what, how often, for how long): a contract
 * request cannot carry them, so they are deferred here and decided by the data plane at every access.
 */
export const USE_TIME_OPERANDS: readonly string[] = [
  'purpose',
  'spatial',
  'count',
  'elapsedTime',
  'meteredTime',
  'recipient',
  'industry',
  'deliveryChannel',
  'virtualLocation',
  'systemDevice',
  'fileFormat',
  'language',
];

/** Undefined when permitted, else the sentence to terminate with. */
export function contractDenial(
  offer: ResolvedOffer,
  caller: Caller,
  providerDid: string,
  now: Date,
): string | undefined {
  const decision = offer.contractPolicy.evaluate({
    action: 'use',
    assignee: caller.participantId,
    assigner: providerDid,
    target: offer.asset.id,
    asset: { dataGrade: offer.asset.dataGrade },
    claims: caller.claims,
    time: now,
    deferred: USE_TIME_OPERANDS,
  });
  if (decision.permitted) return undefined;
  return `the contract policy of offer ${offer.id} does not permit your request (${decision.code}): ${withoutVerdict(reasonOf(decision))}`;
}

/** reasonOf's sentence without its leading "deny: " / "not-applicable: ". */
export function withoutVerdict(reason: string): string {
  return reason.replace(/^(deny|not-applicable): /, '');
}
