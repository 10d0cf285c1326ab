// Timeouts for processes waiting on their counterparty, over real HTTP with a test peer that never
// answers: past the configured time (connector.json "timeouts") the process is terminated with the
// reason, the peer is told (code "timeout") and the evidence log records it. The deadline is the stored
// time of the last write, so a connector that was down when it passed terminates at start-up.
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  dsp,
  FAST_OUTBOX,
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
const DATASET = 'urn:dataset:timeouts';
const HOUR = 3_600_000;

describe('dsp: timeouts for processes waiting on the counterparty', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let impatient: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let peer: Peer;

  function configure(name: string, timeouts: Record<string, number>): void {
    mkdirSync(join(space.dir, name), { recursive: true });
    writeFileSync(join(space.dir, name, 'connector.json'), JSON.stringify({ timeouts }));
  }

  before(async () => {
    space = await startLocalDataSpace();
    peer = await Peer.start();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    // This provider gives up on a consumer that never verifies after 300 ms.
    configure('impatient', { negotiationMs: 300, transferMs: HOUR });
    impatient = await startMember(space, 'impatient', hospitalApplication({ organisationName: 'Impatient' }));
    configure('hospital', { negotiationMs: HOUR, transferMs: HOUR });
    // Behind the peer: its DID names the peer's host:port, so the peer may be its callbackAddress.
    hospital = await startMember(space, 'hospital', hospitalApplication(), {
      publicUrl: peer.url,
      beforeReady: async (url) => void (peer.forwardTo = url),
    });
    for (const publisher of [provider, impatient]) {
      await publish(
        publisher,
        [assetInput(DATASET, publisher.did)],
        [
          {
            id: 'auto',
            assetSelector: { assetIds: [DATASET] },
            accessPolicy: MEMBERS_ACCESS,
            contractPolicy: medicalContract(),
          },
        ],
      );
    }
  });
  after(async () => {
    await space?.close();
    await peer?.close();
  });

  it('terminates a provider negotiation left AGREED, tells the consumer and logs the evidence', async () => {
    const dataset = await dsp(impatient, `/catalog/datasets/${pid(DATASET)}`, { caller: hospital });
    const offer = { ...((dataset.body.hasPolicy as Record<string, unknown>[])[0] ?? {}), target: DATASET };
    // The test plays the consumer (the hospital's identity, the peer as its callback): it never verifies.
    const consumerPid = `urn:uuid:${randomUUID()}`;
    const requested = await dsp(impatient, '/negotiations/request', {
      caller: hospital,
      body: {
        '@context': DSP,
        '@type': 'ContractRequestMessage',
        consumerPid,
        callbackAddress: peer.url,
        offer,
      },
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const providerPid = String(requested.body.providerPid);
    const ended = await waitForState(impatient, `/negotiations/${pid(providerPid)}`, 'TERMINATED');
    expect(ended.reason).to.equal('timed out: no answer from the consumer within 300 ms in state AGREED');
    const told = await waitFor(
      'the termination at the peer',
      async () => peer.to(`/negotiations/${pid(consumerPid)}/termination`)[0],
    );
    expect(told.body).to.include({ '@type': 'ContractNegotiationTerminationMessage', code: 'timeout' });
    const evidence = await management(impatient).get(`/evidence?subject=${pid(providerPid)}&kind=timeout`);
    expect(evidence.body.entries).to.have.length(1);
    expect((evidence.body.entries as { data: unknown }[])[0]?.data).to.deep.include({
      process: 'negotiation',
      role: 'provider',
      waitedIn: 'AGREED',
      waitedMs: 300,
    });
  });

  it('terminates at start-up a transfer whose deadline passed while the connector was down', async () => {
    const started = await startNegotiation(hospital, provider, DATASET, catalogOfferId('auto', DATASET));
    const done = await waitForState(hospital, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    // The peer stands in for the provider and acknowledges the request, but never starts.
    const created = await management(hospital).post('/transfers', {
      agreementId: done.agreementId,
      format: 'HttpData-PULL',
      counterPartyAddress: peer.url,
    });
    const consumerPid = String(created.body.id);
    await waitFor('the provider pid', async () => {
      const body = (await management(hospital).get(`/transfers/${pid(consumerPid)}`)).body;
      return body.providerPid ? body : undefined;
    });
    const port = hospital.server.port;
    space.connectors.splice(space.connectors.indexOf(hospital), 1);
    await hospital.close();

    // Down for longer than the (new, shorter) limit: the stored time of the last write decides.
    configure('hospital', { negotiationMs: HOUR, transferMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    hospital = await startControlPlaneConnector({
      dataDir: join(space.dir, 'hospital'),
      port,
      authorityUrl: space.authority.url,
      controlPlane: { outbox: FAST_OUTBOX },
      publicUrl: peer.url,
      beforeReady: async (url) => void (peer.forwardTo = url),
    });
    space.connectors.push(hospital);
    const record = (await management(hospital).get(`/transfers/${pid(consumerPid)}`)).body;
    expect(record).to.include({
      state: 'TERMINATED',
      reason: 'timed out: no answer from the provider within 1 ms in state REQUESTED',
    });
    const told = await waitFor('the termination at the peer', async () =>
      peer.to('/termination').find((r) => r.body.consumerPid === consumerPid),
    );
    expect(told.body).to.include({ '@type': 'TransferTerminationMessage', code: 'timeout' });
    const evidence = await management(hospital).get(`/evidence?subject=${pid(consumerPid)}&kind=timeout`);
    expect(evidence.body.entries).to.have.length(1);
  });
});
