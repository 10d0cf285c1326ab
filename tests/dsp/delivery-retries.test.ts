// Delivery to a peer that is briefly away or never comes back, over real HTTP: 404, 503 and dropped
// connections are retried with back-off and the process goes on once the peer answers; a peer that
// never recovers ends the process after the configured bound (connector.json "delivery.giveUpAfterMs"),
// with the reason, and is told so when it can be addressed.
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listOutbox } from '../../connector/outbox/index.js';
import { ConfigError } from '../../connector/process/config.js';
import { readControlPlaneSettings } from '../../connector/process/control-plane-settings.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { management, pid, startMember, waitFor, waitForState } from './helpers.js';
import {
  datasetOffer,
  finalizedAgreement,
  negotiateWithPeer,
  publishDataset,
  sendAgreement,
  withProviderPid,
} from './scenario.js';
import { Peer, type PeerAnswer } from './peer.js';

const DATASET = 'urn:dataset:delivery';
const GIVE_UP_AFTER_MS = 400;

describe('dsp: delivery retries within a bound, then terminates with the reason', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let impatient: ControlPlaneConnector;
  let peer: Peer;
  let offer: Record<string, unknown>;
  let agreementId: string;

  before(async () => {
    space = await startLocalDataSpace();
    peer = await Peer.start();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    hospital = await startMember(space, 'hospital', hospitalApplication());
    // The bound comes from connector.json, as an operator sets it.
    mkdirSync(join(space.dir, 'impatient'), { recursive: true });
    writeFileSync(
      join(space.dir, 'impatient', 'connector.json'),
      JSON.stringify({ delivery: { giveUpAfterMs: GIVE_UP_AFTER_MS } }),
    );
    impatient = await startMember(space, 'impatient', hospitalApplication({ organisationName: 'Impatient' }));
    await publishDataset(provider, DATASET);
    offer = await datasetOffer(provider, hospital, DATASET);
    agreementId = await finalizedAgreement(hospital, provider, DATASET);
  });
  after(async () => {
    await space?.close();
    await peer?.close();
  });

  it('retries 404, 503 and a dropped connection, and the transfer goes on when the peer recovers', async () => {
    const failures: PeerAnswer[] = [{ status: 404 }, { status: 503 }, 'close'];
    peer.answer = (request) => (request.path.endsWith('/transfers/request') ? failures.shift() : undefined);
    const created = await management(hospital).post('/transfers', {
      agreementId,
      format: 'HttpData-PULL',
      counterPartyAddress: peer.url,
    });
    const consumerPid = String(created.body.id);
    const learnt = await withProviderPid(hospital, 'transfers', consumerPid);
    expect(learnt).to.include({ state: 'REQUESTED', reason: null });
    expect(failures).to.deep.equal([]);
    const requests = peer.to('/transfers/request').filter((r) => r.body.consumerPid === consumerPid);
    expect(requests).to.have.length(4);
    // Every copy is the same message: one @id, so the peer can tell a redelivery from a new message.
    expect(new Set(requests.map((r) => r.body['@id'])).size).to.equal(1);
    expect(String(requests[0]?.body['@id'])).to.match(/^urn:uuid:/);
  });

  it('terminates after the bound with the reason, and tells the peer', async () => {
    peer.answer = (request) => (request.path.endsWith('/verification') ? { status: 503 } : undefined);
    const pids = await negotiateWithPeer(impatient, provider, peer.url, offer);
    const consumerPid = pids.consumerPid;
    const agreed = await sendAgreement(impatient, provider, pids, DATASET);
    expect(agreed.status, JSON.stringify(agreed.body)).to.equal(200);

    const ended = await waitForState(impatient, `/negotiations/${pid(consumerPid)}`, 'TERMINATED', 10_000);
    expect(String(ended.reason)).to.match(
      new RegExp(
        `could not deliver the ContractAgreementVerificationMessage .*503.*retried for ${GIVE_UP_AFTER_MS} ms`,
      ),
    );
    expect(peer.to('/verification').length).to.be.greaterThan(1);
    const told = await waitFor(
      'the termination at the peer',
      async () => peer.to(`/negotiations/${pid(pids.providerPid)}/termination`)[0],
    );
    expect(told.body).to.include({
      '@type': 'ContractNegotiationTerminationMessage',
      code: 'delivery-failed',
    });
  });

  for (const [peerState, outcome] of [
    ['FINALIZED', 'delivered'],
    ['REQUESTED', 'failed'],
  ] as const) {
    it(`takes a 400 to a resent verification as ${outcome} when the peer's process is ${peerState}`, async () => {
      // The first answer is lost (503); the resent copy is refused: the peer says where its process is.
      peer.answer = (request) => {
        if (request.path.endsWith('/verification')) {
          const earlier = peer.to('/verification').length;
          return earlier === 1
            ? { status: 503 }
            : { status: 400, body: { '@type': 'ContractNegotiationError', code: 'invalid-transition' } };
        }
        if (request.method === 'GET') return { status: 200, body: { state: peerState } };
        return undefined;
      };
      peer.received.length = 0;
      const pids = await negotiateWithPeer(hospital, provider, peer.url, offer);
      const agreed = await sendAgreement(hospital, provider, pids, DATASET);
      expect(agreed.status, JSON.stringify(agreed.body)).to.equal(200);
      const entry = await waitFor('the verification to be settled', async () => {
        const entries = await listOutbox(hospital.db, { aggregateId: pids.consumerPid });
        const verification = entries.find(
          (e) => e.body?.['@type'] === 'ContractAgreementVerificationMessage',
        );
        return verification && verification.status !== 'pending' ? verification : undefined;
      });
      expect(entry.status).to.equal(outcome);
      expect(peer.to(`/negotiations/${pid(pids.providerPid)}`).map((r) => r.method)).to.deep.equal(['GET']);
      const expected = outcome === 'delivered' ? 'VERIFIED' : 'TERMINATED';
      await waitForState(hospital, `/negotiations/${pid(pids.consumerPid)}`, expected);
    });
  }

  it('reads delivery and timeouts from connector.json and refuses bad values with the reason', () => {
    const dir = join(space.dir, 'settings');
    mkdirSync(dir, { recursive: true });
    const write = (value: unknown) => writeFileSync(join(dir, 'connector.json'), JSON.stringify(value));
    write({ delivery: { giveUpAfterMs: 1000 }, timeouts: { transferMs: 5 } });
    expect(readControlPlaneSettings(dir)).to.deep.equal({
      delivery: { giveUpAfterMs: 1000 },
      timeouts: { transferMs: 5 },
    });
    // Given settings (shuyu connector start --config) replace the file's.
    expect(readControlPlaneSettings(dir, { delivery: { giveUpAfterMs: 7 } }).delivery).to.deep.equal({
      giveUpAfterMs: 7,
    });
    for (const [value, reason] of [
      [
        { delivery: { giveUpAfterMs: -1 } },
        /"delivery.giveUpAfterMs" .* must be a positive number of milliseconds, not -1/,
      ],
      [{ timeouts: { negotiationMs: '1h' } }, /"timeouts.negotiationMs" .* not "1h"/],
      [{ timeouts: { transfer: 5 } }, /"timeouts.transfer" .* is unknown; use negotiationMs, transferMs/],
      [{ delivery: 600000 }, /"delivery" .* must be an object with giveUpAfterMs/],
    ] as const) {
      write(value);
      expect(() => readControlPlaneSettings(dir)).to.throw(ConfigError, reason);
    }
  });
});
