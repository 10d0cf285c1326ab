// Read-your-writes for every pid the connector discloses: a peer that asks for a process the moment
// it hears of it (GET /dsp/transfers/:consumerPid on receiving the TransferRequestMessage, while its
// answer is on the way, as the DSP TCK does) must find it, every time, and whole: the GET is held until
// the answer naming the peer's pid is read, so it shows both pids as the DSP schema requires. Repeated,
// because the failures this guards against were races. A peer that waits for the GET before it answers
// gets, after the bound, what we know: our pid and the state.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { dsp, management, pid, startMember, waitFor } from './helpers.js';
import { datasetOffer, finalizedAgreement, publishDataset } from './scenario.js';
import { Peer } from './peer.js';

const DATASET = 'urn:dataset:ryw';
const ROUNDS = 25;

describe('dsp: read-your-writes for disclosed pids', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let peer: Peer;
  let offer: Record<string, unknown>;
  let agreementId: string;

  before(async () => {
    space = await startLocalDataSpace();
    peer = await Peer.start();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    hospital = await startMember(space, 'hospital', hospitalApplication());
    await publishDataset(provider, DATASET);
    offer = await datasetOffer(provider, hospital, DATASET);
    agreementId = await finalizedAgreement(hospital, provider, DATASET);
  });
  after(async () => {
    await space?.close();
    await peer?.close();
  });

  /**
   * The peer looks the pid up on the hospital as soon as it receives the message that disclosed it,
   * and answers that message meanwhile (default answer: a fresh providerPid).
   */
  function lookUpOnReceipt(kind: 'transfers' | 'negotiations', seen: Map<string, string>): void {
    peer.answer = (request) => {
      if (request.path.endsWith(`/${kind}/request`)) {
        const consumerPid = String(request.body.consumerPid);
        void dsp(hospital, `/${kind}/${pid(consumerPid)}`, { caller: provider }).then((answer) => {
          const ours = peer.providerPids.get(consumerPid);
          const whole =
            answer.body.consumerPid === consumerPid && ours !== undefined && answer.body.providerPid === ours;
          seen.set(
            consumerPid,
            `${answer.status} ${whole ? String(answer.body.state) : JSON.stringify(answer.body)}`,
          );
        });
      }
      return undefined;
    };
  }

  it(`finds a transfer's consumerPid with the provider's pid, ${ROUNDS} times out of ${ROUNDS}`, async () => {
    const seen = new Map<string, string>();
    lookUpOnReceipt('transfers', seen);
    for (let i = 0; i < ROUNDS; i++) {
      const created = await management(hospital).post('/transfers', {
        agreementId,
        format: 'HttpData-PULL',
        counterPartyAddress: peer.url,
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const consumerPid = String(created.body.id);
      await waitFor('the peer to look it up', async () => (seen.has(consumerPid) ? true : undefined));
    }
    expect([...seen.values()]).to.deep.equal(new Array<string>(ROUNDS).fill('200 REQUESTED'));
  });

  it(`finds a negotiation's consumerPid with the provider's pid, ${ROUNDS} times out of ${ROUNDS}`, async () => {
    const seen = new Map<string, string>();
    lookUpOnReceipt('negotiations', seen);
    for (let i = 0; i < ROUNDS; i++) {
      const created = await management(hospital).post('/negotiations', {
        counterPartyAddress: peer.url,
        counterPartyId: provider.did,
        datasetId: DATASET,
        offer: { ...offer, '@id': `urn:uuid:${randomUUID()}` },
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const consumerPid = String(created.body.id);
      await waitFor('the peer to look it up', async () => (seen.has(consumerPid) ? true : undefined));
    }
    expect([...seen.values()]).to.deep.equal(new Array<string>(ROUNDS).fill('200 REQUESTED'));
  });

  it('answers a peer that looks up before it answers with our pid and the state, after the bound', async () => {
    let seen: Record<string, unknown> | undefined;
    peer.answer = async (request) => {
      if (request.path.endsWith('/transfers/request')) {
        const consumerPid = String(request.body.consumerPid);
        const answer = await dsp(hospital, `/transfers/${pid(consumerPid)}`, { caller: provider });
        seen = { status: answer.status, ...answer.body };
      }
      return undefined;
    };
    const created = await management(hospital).post('/transfers', {
      agreementId,
      format: 'HttpData-PULL',
      counterPartyAddress: peer.url,
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const found = await waitFor('the peer to look it up', async () => seen, 20_000);
    expect(found).to.include({ status: 200, consumerPid: created.body.id, state: 'REQUESTED' });
    expect(found).to.not.have.property('providerPid');
  });
});
