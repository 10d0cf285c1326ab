// Set-up steps the DSP tests with a test peer share: publish a dataset, read its offer from the
// catalog, negotiate a FINALIZED agreement, build what the peer sends (messages, an agreement), and
// wait until a consumer has learnt the provider's pid from the peer's ACK.
import { randomUUID } from 'node:crypto';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  assetInput,
  catalogOfferId,
  dsp,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startNegotiation,
  waitFor,
  waitForState,
} from './helpers.js';

const DSP = ['https://w3id.org/dspace/2025/1/context.jsonld'];

/** A DSP message as a peer sends it. */
export function dspMessage(type: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { '@context': DSP, '@type': type, ...fields };
}

/** Publishes `dataset` with an automatically approved offer "auto" (and a manual one "manual" if asked). */
export async function publishDataset(
  provider: ControlPlaneConnector,
  dataset: string,
  options: { manual?: boolean } = {},
): Promise<void> {
  const offer = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    assetSelector: { assetIds: [dataset] },
    accessPolicy: MEMBERS_ACCESS,
    contractPolicy: medicalContract(),
    ...extra,
  });
  await publish(
    provider,
    [assetInput(dataset, provider.did)],
    [offer('auto'), ...(options.manual ? [offer('manual', { approval: 'manual' })] : [])],
  );
}

/** `caller`'s view of the provider's offer `offerId` on `dataset`, with its target, ready to negotiate. */
export async function datasetOffer(
  provider: ControlPlaneConnector,
  caller: ControlPlaneConnector,
  dataset: string,
  offerId = 'auto',
): Promise<Record<string, unknown>> {
  const answer = await dsp(provider, `/catalog/datasets/${pid(dataset)}`, { caller });
  const offers = answer.body.hasPolicy as Record<string, unknown>[];
  const found = offers.find((o) => o['@id'] === catalogOfferId(offerId, dataset));
  if (!found) throw new Error(`no offer ${offerId} on ${dataset}: ${JSON.stringify(answer.body)}`);
  return { ...found, target: dataset };
}

/** Negotiates the "auto" offer on `dataset` to FINALIZED; returns the agreement id. */
export async function finalizedAgreement(
  consumer: ControlPlaneConnector,
  provider: ControlPlaneConnector,
  dataset: string,
): Promise<string> {
  const started = await startNegotiation(consumer, provider, dataset, catalogOfferId('auto', dataset));
  // Generous: set-up, not what is tested, on a machine that may be busy.
  const path = `/negotiations/${pid(String(started.body.id))}`;
  const done = await waitForState(consumer, path, 'FINALIZED', 20_000);
  return String(done.agreementId);
}

/** An agreement a provider (`assigner`) sends to the consumer `assignee` about `dataset`. */
export function agreementFor(dataset: string, assigner: string, assignee: string): Record<string, unknown> {
  return {
    '@id': `urn:uuid:${randomUUID()}`,
    '@type': 'Agreement',
    target: dataset,
    assigner,
    assignee,
    timestamp: new Date().toISOString(),
    permission: [{ action: 'use' }],
  };
}

/** The consumer's record of negotiation or transfer `id` once it knows the provider's pid. */
export function withProviderPid(
  consumer: ControlPlaneConnector,
  kind: 'negotiations' | 'transfers',
  id: string,
): Promise<Record<string, unknown>> {
  return waitFor('the provider pid', async () => {
    const body = (await management(consumer).get(`/${kind}/${pid(id)}`)).body;
    return body.providerPid ? body : undefined;
  });
}

/**
 * The consumer negotiates `offer` with a test peer standing in for `provider` (its DSP base at
 * `peerUrl`, the provider's identity on the messages the test sends); resolves once the peer's ACK is read.
 */
export async function negotiateWithPeer(
  consumer: ControlPlaneConnector,
  provider: ControlPlaneConnector,
  peerUrl: string,
  offer: Record<string, unknown>,
): Promise<{ providerPid: string; consumerPid: string }> {
  const created = await management(consumer).post('/negotiations', {
    counterPartyAddress: peerUrl,
    counterPartyId: provider.did,
    datasetId: offer.target,
    offer,
  });
  if (created.status !== 201) throw new Error(`negotiation refused: ${JSON.stringify(created.body)}`);
  const consumerPid = String(created.body.id);
  const requested = await withProviderPid(consumer, 'negotiations', consumerPid);
  return { providerPid: String(requested.providerPid), consumerPid };
}

/** The test, as `provider`, sends the consumer an agreement on `pids`' negotiation; returns the answer. */
export function sendAgreement(
  consumer: ControlPlaneConnector,
  provider: ControlPlaneConnector,
  pids: { providerPid: string; consumerPid: string },
  dataset: string,
) {
  return dsp(consumer, `/negotiations/${pid(pids.consumerPid)}/agreement`, {
    caller: provider,
    body: dspMessage('ContractAgreementMessage', {
      ...pids,
      agreement: agreementFor(dataset, provider.did, consumer.did),
    }),
  });
}
