// Shuyu as the consumer of an EDC provider: EDC matches a TransferRequestMessage's format against its
// transfer types by the bare name its catalog writes ("HttpData-PULL"), so Shuyu sends the format in the
// form the provider's own catalog used, and in its own form ("dspace:HttpData-PULL", which survives
// JSON-LD expansion) to a provider that never showed it one. The provider is a test peer that answers
// the catalog request with an EDC catalog (fixtures/edc/provider/catalog.json).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { distributionFormats } from '../../connector/control-plane/peers/wire-formats.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { dsp, management, pid, startMember, waitFor, waitForState } from '../dsp/helpers.js';
import {
  datasetOffer,
  dspMessage,
  negotiateWithPeer,
  publishDataset,
  sendAgreement,
} from '../dsp/scenario.js';
import { Peer } from '../dsp/peer.js';

const EDC_CATALOG = JSON.parse(
  readFileSync(new URL('./fixtures/edc/provider/catalog.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const DATASET = 'urn:dataset:edc-format';

describe('conformance: an EDC provider gets the transfer format in its own form', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let peer: Peer;
  let offer: Record<string, unknown>;

  before(async () => {
    space = await startLocalDataSpace();
    peer = await Peer.start();
    // `provider` lends the peer its identity (the test signs the peer's messages with it).
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    hospital = await startMember(space, 'hospital', hospitalApplication());
    await publishDataset(provider, DATASET);
    offer = await datasetOffer(provider, hospital, DATASET);
  });
  after(async () => {
    await space?.close();
    await peer?.close();
  });

  /** A FINALIZED agreement between the hospital and the peer (as `provider`); its id. */
  async function agreementWithPeer(): Promise<string> {
    const pids = await negotiateWithPeer(hospital, provider, peer.url, offer);
    const agreed = await sendAgreement(hospital, provider, pids, DATASET);
    expect(agreed.status, JSON.stringify(agreed.body)).to.equal(200);
    await waitForState(hospital, `/negotiations/${pid(pids.consumerPid)}`, 'VERIFIED');
    const finalized = await dsp(hospital, `/negotiations/${pid(pids.consumerPid)}/events`, {
      caller: provider,
      body: dspMessage('ContractNegotiationEventMessage', { ...pids, eventType: 'FINALIZED' }),
    });
    expect(finalized.body.state, JSON.stringify(finalized.body)).to.equal('FINALIZED');
    return String(
      (await management(hospital).get(`/negotiations/${pid(pids.consumerPid)}`)).body.agreementId,
    );
  }

  /** The format of the TransferRequestMessage the peer receives for a new pull transfer. */
  async function requestedFormat(agreementId: string): Promise<unknown> {
    const created = await management(hospital).post('/transfers', { agreementId, format: 'HttpData-PULL' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const request = await waitFor('the transfer request', async () =>
      peer.to('/transfers/request').find((r) => r.body.consumerPid === created.body.id),
    );
    return request.body.format;
  }

  it('reads the formats of an EDC catalog as EDC wrote them', () => {
    expect([...distributionFormats(EDC_CATALOG)]).to.deep.equal(['HttpData-PULL', 'HttpData-PUSH']);
  });

  it("sends Shuyu's form until the provider's catalog shows its own, then the provider's", async () => {
    const agreementId = await agreementWithPeer();
    expect(await requestedFormat(agreementId)).to.equal('dspace:HttpData-PULL');

    peer.answer = (request) =>
      request.path.endsWith('/catalog/request') ? { status: 200, body: EDC_CATALOG } : undefined;
    const read = await management(hospital).post('/catalog/request', {
      counterPartyAddress: peer.url,
      counterPartyId: provider.did,
    });
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    expect(await requestedFormat(agreementId)).to.equal('HttpData-PULL');
    // Another provider (the real one, which never showed us a catalog of its own) keeps Shuyu's form.
    expect(
      await hospital.controlPlane.context.peerFormats.wireForm('did:web:other.example', 'HttpData-PULL'),
    ).to.equal('dspace:HttpData-PULL');
  });
});
