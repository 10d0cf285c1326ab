// Strict transitions over real HTTP: a repeat is answered as a duplicate only while the message it
// repeats produced the current state and nothing has changed since; a repeat that arrives after the
// process moved on goes through the state table and is refused with 400 and the DSP error body. The
// three cases of issue 10, finding 2, with a test-driven peer (tests/dsp/peer.ts) as the counterparty.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import {
  assetInput,
  dsp,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  waitFor,
  waitForState,
} from './helpers.js';
import { datasetOffer, dspMessage, finalizedAgreement, publishDataset, withProviderPid } from './scenario.js';
import { Peer } from './peer.js';

const AUTO = 'urn:dataset:strict';

describe('dsp: strict transitions, duplicates only while nothing changed', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let peer: Peer;
  /** A member that plays the consumer by hand towards the provider, behind its own peer (its callbacks). */
  let consumerPeer: Peer;
  let consumer: ControlPlaneConnector;
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
    consumerPeer = await Peer.start();
    consumer = await startMember(space, 'consumer', hospitalApplication({ organisationName: 'Consumer' }), {
      publicUrl: consumerPeer.url,
      beforeReady: async (url) => void (consumerPeer.forwardTo = url),
    });
    await publishDataset(provider, AUTO);
    offer = await datasetOffer(provider, hospital, AUTO);
    agreementId = await finalizedAgreement(hospital, provider, AUTO);
  });
  after(async () => {
    await space?.close();
    await peer?.close();
    await consumerPeer?.close();
  });

  /** The test plays the provider (its identity) towards the hospital's DSP endpoints. */
  const asProvider = (path: string, body: unknown) => dsp(hospital, path, { body, caller: provider });
  const stateOf = async (path: string, on = hospital) => (await management(on).get(path)).body;

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

  it('takes a repeat with the same message @id as a redelivery, one with a fresh @id as a new message', async () => {
    const created = await management(hospital).post('/transfers', {
      agreementId,
      format: 'HttpData-PULL',
      counterPartyAddress: peer.url,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const consumerPid = String(created.body.id);
    const requested = await withProviderPid(hospital, 'transfers', consumerPid);
    const pids = { providerPid: String(requested.providerPid), consumerPid };
    const path = `/transfers/${pid(consumerPid)}/start`;
    const start = { ...dspMessage('TransferStartMessage', pids), '@id': `urn:uuid:${randomUUID()}` };
    const first = await asProvider(path, start);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect((await asProvider(path, start)).body).to.deep.equal(first.body); // redelivery
    // The same content as a new message: a start in STARTED, refused by the state table.
    const fresh = await asProvider(path, { ...start, '@id': `urn:uuid:${randomUUID()}` });
    expect(fresh.status, JSON.stringify(fresh.body)).to.equal(400);
    expect(fresh.body).to.include({ '@type': 'TransferError', code: 'invalid-transition' });
    expect(await stateOf(`/transfers/${pid(consumerPid)}`)).to.include({ state: 'STARTED' });
  });

  it('answers a redelivered initial request (same @id) with the process as it is now, after it moved on', async () => {
    // The test plays a consumer towards the provider, which agrees by itself (automation "auto").
    const asConsumer = (path: string, body: unknown) => dsp(provider, path, { body, caller: consumer });
    const consumerPid = `urn:uuid:${randomUUID()}`;
    const request = {
      ...dspMessage('ContractRequestMessage', { consumerPid, callbackAddress: consumerPeer.url, offer }),
      '@id': `urn:uuid:${randomUUID()}`,
    };
    const first = await asConsumer('/negotiations/request', request);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const providerPid = String(first.body.providerPid);
    await waitForState(provider, `/negotiations/${pid(providerPid)}`, 'AGREED');
    // The answer to the first copy was lost: the consumer resends it, and still needs our pid.
    const again = await asConsumer('/negotiations/request', request);
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body).to.include({ providerPid, consumerPid, state: 'AGREED' });
    // Without the @id it cannot be told from a new request with the same content: the state table decides.
    const { '@id': _id, ...anonymous } = request;
    const plain = await asConsumer('/negotiations/request', anonymous);
    expect(plain.status, JSON.stringify(plain.body)).to.equal(400);
    // A new message (fresh @id) for the same consumerPid opens nothing.
    const fresh = await asConsumer('/negotiations/request', {
      ...request,
      '@id': `urn:uuid:${randomUUID()}`,
    });
    expect(fresh.status, JSON.stringify(fresh.body)).to.equal(400);
    expect(await stateOf(`/negotiations/${pid(providerPid)}`, provider)).to.include({ state: 'AGREED' });
  });

  it('receives a counter-offer naming another dataset into REQUESTED, then refuses it with the reason', async () => {
    // A plain dataset id, as EDC writes them (a UUID), with a manually approved offer: the provider's
    // operator makes a counter-offer, and the consumer answers with one about another dataset.
    const dataset = randomUUID();
    const held = {
      id: 'held',
      assetSelector: { assetIds: [dataset] },
      accessPolicy: MEMBERS_ACCESS,
      contractPolicy: medicalContract(),
      approval: 'manual',
    };
    await publish(provider, [assetInput(dataset, provider.did)], [held]);
    const manual = await datasetOffer(provider, consumer, dataset, 'held');
    const asConsumer = (path: string, body: unknown) => dsp(provider, path, { body, caller: consumer });
    const consumerPid = `urn:uuid:${randomUUID()}`;
    const first = await asConsumer(
      '/negotiations/request',
      dspMessage('ContractRequestMessage', { consumerPid, callbackAddress: consumerPeer.url, offer: manual }),
    );
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const providerPid = String(first.body.providerPid);
    const offered = await management(provider).post(`/negotiations/${pid(providerPid)}/offer`, {});
    expect(offered.status, JSON.stringify(offered.body)).to.equal(200);
    await waitForState(provider, `/negotiations/${pid(providerPid)}`, 'OFFERED');
    const counter = await asConsumer(
      `/negotiations/${pid(providerPid)}/request`,
      dspMessage('ContractRequestMessage', {
        providerPid,
        consumerPid,
        offer: { ...manual, '@id': 'CD123:ACN0102:456', target: 'ACN0102' },
      }),
    );
    expect(counter.status, JSON.stringify(counter.body)).to.equal(200);
    expect(counter.body.state).to.equal('REQUESTED');
    // The automation's policy step (the operator, in operator mode) answers it: terminated, with why.
    const ended = await waitForState(provider, `/negotiations/${pid(providerPid)}`, 'TERMINATED');
    expect(String(ended.reason)).to.include('the counter-offer names dataset ACN0102');
    await waitFor('the termination to reach the consumer', async () =>
      consumerPeer.to(`/negotiations/${pid(consumerPid)}/termination`).length > 0 ? true : undefined,
    );
  });
});
