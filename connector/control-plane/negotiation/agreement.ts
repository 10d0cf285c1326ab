// The contract agreement: the agreed offer's rules plus target, assigner (the provider), assignee (the
// consumer) and timestamp, under a fresh id. The provider builds it; the consumer checks that the one
// it receives is about the dataset it asked for, between the two parties of the negotiation.

import { randomUUID } from 'node:crypto';
import type { Agreement, FieldReason } from '../../dsp/messages/index.js';
import type { NegotiationRecord } from '../../negotiation/index.js';

/** Keys of an offer that the agreement sets itself. */
const OWN_KEYS = new Set(['@context', '@id', '@type', 'target', 'assigner', 'assignee', 'timestamp']);

export function buildAgreement(record: NegotiationRecord, providerDid: string, now: Date): Agreement {
  const rules = Object.fromEntries(Object.entries(record.offer).filter(([key]) => !OWN_KEYS.has(key)));
  return {
    '@id': `urn:uuid:${randomUUID()}`,
    '@type': 'Agreement',
    target: record.datasetId ?? String(record.offer.target),
    assigner: providerDid,
    assignee: record.counterPartyId,
    timestamp: now.toISOString(),
    ...rules,
  } as Agreement;
}

/** Problems with an agreement received by the consumer `ourDid` from `provider`; empty when it is fine. */
export function agreementProblems(
  agreement: Agreement,
  record: NegotiationRecord,
  provider: string,
  ourDid: string,
): FieldReason[] {
  const problems: FieldReason[] = [];
  const expect = (key: 'assigner' | 'assignee' | 'target', wanted: string, who: string): void => {
    if (agreement[key] !== wanted) {
      problems.push({ pointer: `/agreement/${key}`, reason: `must be ${wanted} (${who})` });
    }
  };
  expect('assigner', provider, 'the provider that sends the agreement');
  expect('assignee', ourDid, 'the consumer of this negotiation');
  if (record.datasetId !== null) expect('target', record.datasetId, 'the dataset negotiated');
  return problems;
}
