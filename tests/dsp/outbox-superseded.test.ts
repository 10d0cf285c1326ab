// The outbox never sends what the connector's own state machine would refuse to receive: a queued
// message that a later received message overtook is cancelled before its next attempt, with the
// reason, instead of being retried at a peer that would refuse it (and then ending the process).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { listOutbox, type OutboxEntry } from '../../connector/outbox/index.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  dsp,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitFor,
  waitForState,
} from './helpers.js';
import { Peer } from './peer.js';

const DSP = ['https://w3id.org/dspace/2025/1/context.jsonld'];
const DATASET = 'urn:dataset:superseded';
/** Retries go on for as long as the test needs: only the supersession may stop them. */
const PATIENT_OUTBOX = { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 10_000 };

describe('outbox: queued messages a later state change overtook are not sent', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let peer: Peer;
  let offer: Record<string, unknown>;
  let agreementId: string;

  before(async () => {
    space = await startLocalDataSpace();
    peer = await Peer.start();
    const options = { controlPlane: { outbox: PATIENT_OUTBOX } };
    provider = await startMember(
      space,
      'provider',
      hospitalApplication({ organisationName: 'Provider' }),
      options,
    );
    hospital = await startMember(space, 'hospital', hospitalApplication(), options);
    await publish(
      provider,
      [assetInput(DATASET, provider.did)],
      [
        {
          id: 'auto',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
    const dataset = await dsp(provider, `/catalog/datasets/${pid(DATASET)}`, { caller: hospital });
    offer = { ...((dataset.body.hasPolicy as Record<string, unknown>[])[0] ?? {}), target: DATASET };
    const started = await startNegotiation(hospital, provider, DATASET, catalogOfferId('auto', DATASET));
    const done = await waitForState(hospital, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    agreementId = String(done.agreementId);
  });
  after(async () => {
    await space?.close();
    await peer?.close();
  });

  const message = (type: string, fields: Record<string, unknown>) => ({
    '@context': DSP,
    '@type': type,
    ...fields,
  });

  async function entryOf(connector: ControlPlaneConnector, id: string, type: string): Promise<OutboxEntry> {
    const entries = await listOutbox(connector.db, { aggregateId: id });
    const entry = entries.find((e) => e.body?.['@type'] === type);
    if (!entry) throw new Error(`no ${type} queued for ${id}`);
    return entry;
  }

  it('drops a queued TransferStartMessage once the consumer’s completion was received', async () => {
    // The peer is the consumer's callback; it keeps failing the start so that it stays queued.
    peer.answer = (request) => (request.path.endsWith('/start') ? { status: 503 } : undefined);
    const consumerPid = `urn:uuid:${randomUUID()}`;
    const requested = await dsp(provider, '/transfers/request', {
      caller: hospital,
      body: message('TransferRequestMessage', {
        consumerPid,
        agreementId,
        format: 'HttpData-PULL',
        callbackAddress: peer.url,
      }),
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const providerPid = String(requested.body.providerPid);
    await waitFor('a failed start attempt', async () => (peer.to('/start').length > 0 ? true : undefined));

    const completed = await dsp(provider, `/transfers/${pid(providerPid)}/completion`, {
      caller: hospital,
      body: message('TransferCompletionMessage', { providerPid, consumerPid }),
    });
    expect(completed.body.state, JSON.stringify(completed.body)).to.equal('COMPLETED');
    const start = await waitFor('the start to be cancelled', async () => {
      const entry = await entryOf(provider, providerPid, 'TransferStartMessage');
      return entry.status === 'pending' ? undefined : entry;
    });
    expect(start.status).to.equal('cancelled');
    expect(start.lastError).to.match(/transfer process is COMPLETED now/);
    const record = await management(provider).get(`/transfers/${pid(providerPid)}`);
    expect(record.body).to.include({ state: 'COMPLETED', reason: null });
  });

  it('drops a queued verification once the provider finalized', async () => {
    // The peer is the provider; it keeps failing the consumer's verification so that it stays queued.
    peer.answer = (request) => (request.path.endsWith('/verification') ? { status: 503 } : undefined);
    const created = await management(hospital).post('/negotiations', {
      counterPartyAddress: peer.url,
      counterPartyId: provider.did,
      datasetId: DATASET,
      offer,
    });
    const consumerPid = String(created.body.id);
    const requested = await waitFor('the provider pid', async () => {
      const body = (await management(hospital).get(`/negotiations/${pid(consumerPid)}`)).body;
      return body.providerPid ? body : undefined;
    });
    const pids = { providerPid: String(requested.providerPid), consumerPid };
    const agreement = {
      '@id': `urn:uuid:${randomUUID()}`,
      '@type': 'Agreement',
      target: DATASET,
      assigner: provider.did,
      assignee: hospital.did,
      timestamp: new Date().toISOString(),
      permission: [{ action: 'use' }],
    };
    const agreed = await dsp(hospital, `/negotiations/${pid(consumerPid)}/agreement`, {
      caller: provider,
      body: message('ContractAgreementMessage', { ...pids, agreement }),
    });
    expect(agreed.status, JSON.stringify(agreed.body)).to.equal(200);
    await waitFor('a failed verification attempt', async () =>
      peer.to('/verification').length > 0 ? true : undefined,
    );

    const finalized = await dsp(hospital, `/negotiations/${pid(consumerPid)}/events`, {
      caller: provider,
      body: message('ContractNegotiationEventMessage', { ...pids, eventType: 'FINALIZED' }),
    });
    expect(finalized.body.state, JSON.stringify(finalized.body)).to.equal('FINALIZED');
    const verification = await waitFor('the verification to be cancelled', async () => {
      const entry = await entryOf(hospital, consumerPid, 'ContractAgreementVerificationMessage');
      return entry.status === 'pending' ? undefined : entry;
    });
    expect(verification.status).to.equal('cancelled');
    expect(verification.lastError).to.match(/negotiation is FINALIZED now/);
    const record = await management(hospital).get(`/negotiations/${pid(consumerPid)}`);
    expect(record.body).to.include({ state: 'FINALIZED' });
  });
});
