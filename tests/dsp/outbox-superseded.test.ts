// The outbox never sends what the connector's own state machine would refuse to receive: a queued
// message that a later received message overtook is cancelled before its next attempt, with the
// reason, instead of being retried at a peer that would refuse it (and then ending the process).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { listOutbox, type OutboxEntry } from '../../connector/outbox/index.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { dsp, management, pid, startMember, waitFor } from './helpers.js';
import {
  datasetOffer,
  dspMessage,
  finalizedAgreement,
  negotiateWithPeer,
  publishDataset,
  sendAgreement,
} from './scenario.js';
import { Peer } from './peer.js';

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
    // Behind the peer: its DID names the peer's host:port, so the peer may be its callbackAddress.
    hospital = await startMember(space, 'hospital', hospitalApplication(), {
      ...options,
      publicUrl: peer.url,
      beforeReady: async (url) => void (peer.forwardTo = url),
    });
    await publishDataset(provider, DATASET);
    offer = await datasetOffer(provider, hospital, DATASET);
    agreementId = await finalizedAgreement(hospital, provider, DATASET);
  });
  after(async () => {
    await space?.close();
    await peer?.close();
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
      body: dspMessage('TransferRequestMessage', {
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
      body: dspMessage('TransferCompletionMessage', { providerPid, consumerPid }),
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
    const pids = await negotiateWithPeer(hospital, provider, peer.url, offer);
    const consumerPid = pids.consumerPid;
    const agreed = await sendAgreement(hospital, provider, pids, DATASET);
    expect(agreed.status, JSON.stringify(agreed.body)).to.equal(200);
    await waitFor('a failed verification attempt', async () =>
      peer.to('/verification').length > 0 ? true : undefined,
    );

    const finalized = await dsp(hospital, `/negotiations/${pid(consumerPid)}/events`, {
      caller: provider,
      body: dspMessage('ContractNegotiationEventMessage', { ...pids, eventType: 'FINALIZED' }),
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
