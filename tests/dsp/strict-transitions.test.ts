// Strict transitions over real HTTP: a repeat is answered as a duplicate only while the message it
// repeats produced the current state and nothing has changed since; a repeat that arrives after the
// process moved on goes through the state table and is refused with 400 and the DSP error body. The
// three cases of issue 10, finding 2, with a test-driven peer (tests/dsp/peer.ts) as the counterparty.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { dsp, management, pid, startMember, waitForState } from './helpers.js';
import { datasetOffer, dspMessage, finalizedAgreement, publishDataset, withProviderPid } from './scenario.js';
import { Peer } from './peer.js';

const AUTO = 'urn:dataset:strict';

describe('dsp: strict transitions, duplicates only while nothing changed', function () {
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
    // Behind the peer: its DID names the peer's host:port, so the peer may be its callbackAddress.
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }), {
      publicUrl: peer.url,
      beforeReady: async (url) => void (peer.forwardTo = url),
    });
    hospital = await startMember(space, 'hospital', hospitalApplication());
    await publishDataset(provider, AUTO);
    offer = await datasetOffer(provider, hospital, AUTO);
    agreementId = await finalizedAgreement(hospital, provider, AUTO);
  });
  after(async () => {
    await space?.close();
    await peer?.close();
  });

  /** The test plays the provider (its identity) towards the hospital's DSP endpoints. */
  const asProvider = (path: string, body: unknown) => dsp(hospital, path, { body, caller: provider });
  const stateOf = async (path: string) => (await management(hospital).get(path)).body;

  it('refuses an initial offer repeated after the consumer accepted it (was: 201 with the stale OFFERED)', async () => {
    const providerPid = `urn:uuid:${randomUUID()}`;
    const initial = dspMessage('ContractOfferMessage', { providerPid, callbackAddress: peer.url, offer });
    const first = await asProvider('/negotiations/offers', initial);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body.state).to.equal('OFFERED');
    const consumerPid = String(first.body.consumerPid);
    // A true duplicate while nothing changed: the same answer.
    const again = await asProvider('/negotiations/offers', initial);
    expect(again).to.include({ status: 201 });
    expect(again.body).to.deep.equal(first.body);

    const accepted = await management(hospital).post(`/negotiations/${pid(consumerPid)}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).to.be.oneOf([200, 202]);
    await waitForState(hospital, `/negotiations/${pid(consumerPid)}`, 'ACCEPTED');

    const late = await asProvider('/negotiations/offers', initial);
    expect(late.status, JSON.stringify(late.body)).to.equal(400);
    expect(late.body).to.include({ '@type': 'ContractNegotiationError', code: 'invalid-transition' });
    const counter = await asProvider(
      `/negotiations/${pid(consumerPid)}/offers`,
      dspMessage('ContractOfferMessage', { providerPid, consumerPid, offer }),
    );
    expect(counter.status, JSON.stringify(counter.body)).to.equal(400);
    expect((counter.body.reason as string[])[0]).to.match(/cannot be accepted in state ACCEPTED/);
    expect(await stateOf(`/negotiations/${pid(consumerPid)}`)).to.include({ state: 'ACCEPTED' });
  });

  it('refuses a counter-offer repeated after the consumer moved on from REQUESTED (was: 200)', async () => {
    const created = await management(hospital).post('/negotiations', {
      counterPartyAddress: peer.url,
      counterPartyId: provider.did,
      datasetId: AUTO,
      offer,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const consumerPid = String(created.body.id);
    const requested = await withProviderPid(hospital, 'negotiations', consumerPid);
    expect(requested.state).to.equal('REQUESTED');
    const providerPid = String(requested.providerPid);
    const counterOffer = dspMessage('ContractOfferMessage', { providerPid, consumerPid, offer });
    const path = `/negotiations/${pid(consumerPid)}/offers`;
    const first = await asProvider(path, counterOffer);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body.state).to.equal('OFFERED');
    expect((await asProvider(path, counterOffer)).body).to.deep.equal(first.body); // duplicate

    await management(hospital).post(`/negotiations/${pid(consumerPid)}/terminate`, { reason: 'no' });
    await waitForState(hospital, `/negotiations/${pid(consumerPid)}`, 'TERMINATED');
    const late = await asProvider(path, counterOffer);
    expect(late.status, JSON.stringify(late.body)).to.equal(400);
    expect(late.body).to.include({ code: 'invalid-transition' });
    expect((late.body.reason as string[])[0]).to.match(/TERMINATED is a terminal state/);
    expect(await stateOf(`/negotiations/${pid(consumerPid)}`)).to.include({ state: 'TERMINATED' });
  });

  it('refuses a TransferStartMessage repeated after TERMINATED (was: 200 with state STARTED)', async () => {
    const created = await management(hospital).post('/transfers', {
      agreementId,
      format: 'HttpData-PULL',
      counterPartyAddress: peer.url,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const consumerPid = String(created.body.id);
    const requested = await withProviderPid(hospital, 'transfers', consumerPid);
    const pids = { providerPid: String(requested.providerPid), consumerPid };
    const start = dspMessage('TransferStartMessage', pids);
    const path = `/transfers/${pid(consumerPid)}/start`;
    const first = await asProvider(path, start);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body.state).to.equal('STARTED');
    expect((await asProvider(path, start)).body).to.deep.equal(first.body); // duplicate

    const ended = await asProvider(
      `/transfers/${pid(consumerPid)}/termination`,
      dspMessage('TransferTerminationMessage', { ...pids, code: 'done' }),
    );
    expect(ended.body.state).to.equal('TERMINATED');
    const late = await asProvider(path, start);
    expect(late.status, JSON.stringify(late.body)).to.equal(400);
    expect(late.body).to.include({ '@type': 'TransferError', code: 'invalid-transition' });
    expect(await stateOf(`/transfers/${pid(consumerPid)}`)).to.include({ state: 'TERMINATED' });
  });
});
