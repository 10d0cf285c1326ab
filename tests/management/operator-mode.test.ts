// Operator mode: a connector with `automation: "none"` sends no DSP message without a management call.
// A recording counterparty (a real HTTP server on 127.0.0.1, one per flow) plays the peer in both
// roles; after every step it receives nothing during 5 s of idling, then the management call makes
// exactly the expected message leave. Actions not valid in the current state are refused with 409 and
// the state. The flows run concurrently, so their idle windows overlap instead of adding up.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import { bankApplication, onboard, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import {
  assetInput,
  FAST_OUTBOX,
  management,
  MEMBERS_ACCESS,
  pid,
  publish,
  waitFor,
} from '../dsp/helpers.js';
import { RecordingPeer } from '../dsp/recording-peer.js';

const TOKEN = 'operator-mode-static-token-0123456789';
const PEER = 'RECORDING_PEER';
const IDLE_MS = 5_000;
const OPEN = 'urn:dataset:operator-open';
const FINANCE = 'urn:dataset:operator-finance-only';

const testIdentity = {
  enabled: true,
  token: TOKEN,
  participantId: PEER,
  claims: { credentialTypes: ['MembershipCredential'], sectors: ['medical'], memberRole: 'participant' },
};

type Json = Record<string, unknown>;

describe('operator mode: automation "none" against a recording counterparty', function () {
  this.timeout(120_000);
  let space: LocalDataSpace;
  let cut: ControlPlaneConnector;
  const peers: RecordingPeer[] = [];
  const flows = new Map<string, Promise<void>>();

  const dspBase = (): string => `${cut.url}/dsp`;
  const api = () => management(cut);

  /** A recording peer for one flow (closed after the suite). */
  async function peer(): Promise<RecordingPeer> {
    const started = await RecordingPeer.start(TOKEN);
    peers.push(started);
    return started;
  }

  /** Idles IDLE_MS; then everything the peer received since `mark` must be exactly `paths`. */
  async function quietAfter(recorder: RecordingPeer, mark: number, paths: string[], step: string) {
    const during = await recorder.idle(IDLE_MS);
    expect(
      during.map((r) => r.path),
      `sent without a management call after ${step}`,
    ).to.deep.equal([]);
    expect(
      recorder.since(mark).map((r) => r.path),
      `what left after ${step}`,
    ).to.deep.equal(paths);
  }

  /** The action must be refused with 409, naming `state`, and change nothing. */
  async function refused(path: string, state: string): Promise<void> {
    const r = await api().post(path, {});
    expect(r.status, `${path}: ${JSON.stringify(r.body)}`).to.equal(409);
    expect(r.body.state, path).to.equal(state);
    expect(r.body.reason, path).to.be.a('string').and.not.equal('');
  }

  async function ok(path: string, body: unknown = {}): Promise<Json> {
    const r = await api().post(path, body);
    expect(r.status, `${path}: ${JSON.stringify(r.body)}`).to.equal(200);
    return r.body;
  }

  async function view(path: string): Promise<Json> {
    const r = await api().get(path);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  }

  /** The offer as our catalog shows it to the peer, on its dataset (as a request carries it). */
  async function catalogOffer(recorder: RecordingPeer, dataset: string): Promise<Json> {
    const r = await recorder.get(dspBase(), `/catalog/datasets/${pid(dataset)}`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return { ...([r.body.hasPolicy].flat() as Json[])[0]!, target: dataset };
  }

  /** Starts a flow now; its test awaits it (a failure is reported there, not as an unhandled rejection). */
  function flow(name: string, run: () => Promise<void>): void {
    const running = run();
    running.catch(() => undefined);
    flows.set(name, running);
  }

  before(async () => {
    space = await startLocalDataSpace();
    cut = await startControlPlaneConnector({
      dataDir: join(space.dir, 'operator'),
      port: 0,
      authorityUrl: space.authority.url,
      testIdentity,
      automation: 'none',
      controlPlane: { outbox: FAST_OUTBOX },
    });
    space.connectors.push(cut);
    await onboard(space, cut, bankApplication({ sectors: [{ sector: 'medical', roles: ['hospital'] }] }));
    await publish(
      cut,
      [assetInput(OPEN, cut.did), assetInput(FINANCE, cut.did)],
      [
        {
          id: 'open',
          assetSelector: { assetIds: [OPEN] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: { '@type': 'Offer', permission: [{ action: 'use' }] },
        },
        {
          // Visible to every member, agreed only with the finance sector: the peer's request is refused.
          id: 'finance',
          assetSelector: { assetIds: [FINANCE] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: {
            '@type': 'Offer',
            permission: [
              {
                action: 'use',
                constraint: [{ leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: 'finance' }],
              },
            ],
          },
        },
      ],
    );

    // ---- provider, the consumer requests: agree, finalize, start, suspend, resume, complete ----
    flow('provider', async () => {
      const recorder = await peer();
      const consumerPid = `urn:uuid:${randomUUID()}`;
      const offer = await catalogOffer(recorder, OPEN);
      const requested = await recorder.send(dspBase(), '/negotiations/request', {
        '@type': 'ContractRequestMessage',
        consumerPid,
        offer,
        callbackAddress: recorder.url,
      });
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
      const providerPid = String(requested.body.providerPid);
      const negotiation = `/negotiations/${pid(providerPid)}`;
      let mark = recorder.mark();
      await quietAfter(recorder, mark, [], 'a request on an automatic offer');
      expect(await view(negotiation)).to.include({
        state: 'REQUESTED',
        pendingAction: true,
        heldStep: 'agree',
      });
      for (const action of ['finalize', 'verify', 'accept'])
        await refused(`${negotiation}/${action}`, 'REQUESTED');

      mark = recorder.mark();
      expect(await ok(`${negotiation}/agree`)).to.include({ state: 'AGREED' });
      const agreed = await recorder.next(`/negotiations/${pid(consumerPid)}/agreement`, mark);
      expect(agreed.body).to.include({ '@type': 'ContractAgreementMessage', providerPid, consumerPid });
      const verified = await recorder.send(dspBase(), `${negotiation}/agreement/verification`, {
        '@type': 'ContractAgreementVerificationMessage',
        providerPid,
        consumerPid,
      });
      expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
      await quietAfter(recorder, mark, [agreed.path], 'agree, then the verification');
      expect(await view(negotiation)).to.include({ state: 'VERIFIED', heldStep: 'finalize' });
      await refused(`${negotiation}/agree`, 'VERIFIED');

      mark = recorder.mark();
      expect(await ok(`${negotiation}/finalize`)).to.include({ state: 'FINALIZED' });
      const finalized = await recorder.next(`/negotiations/${pid(consumerPid)}/events`, mark);
      expect(finalized.body).to.include({ eventType: 'FINALIZED' });
      await refused(`${negotiation}/terminate`, 'FINALIZED');
      const agreementId = String((await view(negotiation)).agreementId);

      const transferPid = `urn:uuid:${randomUUID()}`;
      const transferRequest = await recorder.send(dspBase(), '/transfers/request', {
        '@type': 'TransferRequestMessage',
        consumerPid: transferPid,
        agreementId,
        format: 'HttpData-PULL',
        callbackAddress: recorder.url,
      });
      expect(transferRequest.status, JSON.stringify(transferRequest.body)).to.equal(201);
      const transfer = `/transfers/${pid(String(transferRequest.body.providerPid))}`;
      await quietAfter(recorder, mark, [finalized.path], 'finalize, then a transfer request');
      expect(await view(transfer)).to.include({ state: 'REQUESTED', heldStep: 'startTransfer' });
      for (const action of ['resume', 'suspend', 'complete'])
        await refused(`${transfer}/${action}`, 'REQUESTED');

      mark = recorder.mark();
      expect(await ok(`${transfer}/start`)).to.include({ state: 'STARTED' });
      const started = await recorder.next(`/transfers/${pid(transferPid)}/start`, mark);
      expect(started.body).to.have.property('dataAddress');
      await quietAfter(recorder, mark, [started.path], 'start');
      await refused(`${transfer}/start`, 'STARTED');
      await refused(`${transfer}/resume`, 'STARTED');

      // The operator's own moves: each sends exactly its message.
      mark = recorder.mark();
      expect(await ok(`${transfer}/suspend`, { reason: 'maintenance' })).to.include({ state: 'SUSPENDED' });
      await recorder.next(`/transfers/${pid(transferPid)}/suspension`, mark);
      await refused(`${transfer}/start`, 'SUSPENDED');
      expect(await ok(`${transfer}/resume`)).to.include({ state: 'STARTED' });
      await recorder.next(`/transfers/${pid(transferPid)}/start`, mark + 1);
      expect(await ok(`${transfer}/complete`)).to.include({ state: 'COMPLETED' });
      await recorder.next(`/transfers/${pid(transferPid)}/completion`, mark);
      expect(recorder.since(mark).map((r) => r.path)).to.deep.equal(
        ['suspension', 'start', 'completion'].map((p) => `/transfers/${pid(transferPid)}/${p}`),
      );
      await refused(`${transfer}/terminate`, 'COMPLETED');
    });

    // ---- provider, a push transfer: the data goes with the start; its completion waits ----
    flow('push', async () => {
      const recorder = await peer();
      const consumerPid = `urn:uuid:${randomUUID()}`;
      const requested = await recorder.send(dspBase(), '/negotiations/request', {
        '@type': 'ContractRequestMessage',
        consumerPid,
        offer: await catalogOffer(recorder, OPEN),
        callbackAddress: recorder.url,
      });
      const providerPid = String(requested.body.providerPid);
      const negotiation = `/negotiations/${pid(providerPid)}`;
      await ok(`${negotiation}/agree`);
      await recorder.next(`/negotiations/${pid(consumerPid)}/agreement`);
      await recorder.send(dspBase(), `${negotiation}/agreement/verification`, {
        '@type': 'ContractAgreementVerificationMessage',
        providerPid,
        consumerPid,
      });
      await waitFor('VERIFIED', async () =>
        (await view(negotiation)).state === 'VERIFIED' ? true : undefined,
      );
      await ok(`${negotiation}/finalize`);
      await recorder.next(`/negotiations/${pid(consumerPid)}/events`);
      const agreementId = String((await view(negotiation)).agreementId);

      let mark = recorder.mark();
      const transferPid = `urn:uuid:${randomUUID()}`;
      const transferRequest = await recorder.send(dspBase(), '/transfers/request', {
        '@type': 'TransferRequestMessage',
        consumerPid: transferPid,
        agreementId,
        format: 'HttpData-PUSH',
        dataAddress: {
          '@type': 'DataAddress',
          endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
          endpoint: `${recorder.url}/incoming/open.csv`,
        },
        callbackAddress: recorder.url,
      });
      expect(transferRequest.status, JSON.stringify(transferRequest.body)).to.equal(201);
      const transfer = `/transfers/${pid(String(transferRequest.body.providerPid))}`;
      await quietAfter(recorder, mark, [], 'a push transfer request');
      expect(await view(transfer)).to.include({ state: 'REQUESTED', heldStep: 'startTransfer' });

      mark = recorder.mark();
      expect(await ok(`${transfer}/start`)).to.include({ state: 'STARTED' });
      const start = await recorder.next(`/transfers/${pid(transferPid)}/start`, mark);
      const pushed = await recorder.next('/incoming/open.csv', mark);
      expect(pushed.body).to.deep.equal({ text: 'visit,count\n2026-01,12\n' });
      // The start and the data, in either order; no completion.
      const during = await recorder.idle(IDLE_MS);
      expect(
        during.map((r) => r.path),
        'sent without a management call after the push',
      ).to.deep.equal([]);
      expect(
        recorder
          .since(mark)
          .map((r) => r.path)
          .sort(),
      ).to.deep.equal([pushed.path, start.path].sort());
      expect(await view(transfer)).to.include({ state: 'STARTED', heldStep: 'completePush' });

      mark = recorder.mark();
      expect(await ok(`${transfer}/complete`)).to.include({ state: 'COMPLETED' });
      await recorder.next(`/transfers/${pid(transferPid)}/completion`, mark);
    });

    // ---- provider, a request the contract policy refuses: the termination waits for the operator ----
    flow('refuse', async () => {
      const recorder = await peer();
      const consumerPid = `urn:uuid:${randomUUID()}`;
      const requested = await recorder.send(dspBase(), '/negotiations/request', {
        '@type': 'ContractRequestMessage',
        consumerPid,
        offer: await catalogOffer(recorder, FINANCE),
        callbackAddress: recorder.url,
      });
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
      const negotiation = `/negotiations/${pid(String(requested.body.providerPid))}`;
      let mark = recorder.mark();
      await quietAfter(recorder, mark, [], 'a request the policy refuses');
      const held = await view(negotiation);
      expect(held).to.include({ state: 'REQUESTED', heldStep: 'refuse' });
      expect(held.reason).to.be.a('string').and.not.equal('');

      // The operator counter-offers the current terms instead, then gives up.
      mark = recorder.mark();
      expect(await ok(`${negotiation}/offer`)).to.include({ state: 'OFFERED', pendingAction: false });
      const countered = await recorder.next(`/negotiations/${pid(consumerPid)}/offers`, mark);
      expect(countered.body).to.include({ '@type': 'ContractOfferMessage', consumerPid });
      for (const action of ['accept', 'agree', 'offer']) await refused(`${negotiation}/${action}`, 'OFFERED');
      expect(await ok(`${negotiation}/terminate`, { reason: 'not for you' })).to.include({
        state: 'TERMINATED',
      });
      const termination = await recorder.next(`/negotiations/${pid(consumerPid)}/termination`, mark);
      await quietAfter(recorder, mark, [countered.path, termination.path], 'counter-offer and terminate');
      await refused(`${negotiation}/agree`, 'TERMINATED');
    });

    // ---- provider-initiated: our offer, the consumer accepts, we agree and finalize ----
    flow('offer', async () => {
      const recorder = await peer();
      let mark = recorder.mark();
      const created = await api().post('/negotiations', {
        role: 'provider',
        counterPartyAddress: recorder.url,
        counterPartyId: PEER,
        datasetId: OPEN,
        offerId: 'open',
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body).to.include({ role: 'provider', state: 'OFFERED', consumerPid: null });
      const providerPid = String(created.body.id);
      const negotiation = `/negotiations/${pid(providerPid)}`;
      const offered = await recorder.next('/negotiations/offers', mark);
      expect(offered.body).to.include({
        '@type': 'ContractOfferMessage',
        providerPid,
        callbackAddress: dspBase(),
      });
      expect(offered.body).to.not.have.property('consumerPid');
      expect(offered.body.offer).to.include({ target: OPEN, assigner: cut.did });
      // The consumer's ACK names its pid; the connector keeps it.
      const consumerPid = String(offered.answer.consumerPid);
      await waitFor('the consumer pid', async () =>
        (await view(negotiation)).consumerPid === consumerPid ? true : undefined,
      );
      const accepted = await recorder.send(dspBase(), `${negotiation}/events`, {
        '@type': 'ContractNegotiationEventMessage',
        providerPid,
        consumerPid,
        eventType: 'ACCEPTED',
      });
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
      await quietAfter(recorder, mark, [offered.path], 'the offer, then the consumer accepted');
      expect(await view(negotiation)).to.include({ state: 'ACCEPTED', heldStep: 'agreeAccepted' });
      await refused(`${negotiation}/offer`, 'ACCEPTED');
      await refused(`${negotiation}/finalize`, 'ACCEPTED');

      mark = recorder.mark();
      expect(await ok(`${negotiation}/agree`)).to.include({ state: 'AGREED' });
      const agreed = await recorder.next(`/negotiations/${pid(consumerPid)}/agreement`, mark);
      await recorder.send(dspBase(), `${negotiation}/agreement/verification`, {
        '@type': 'ContractAgreementVerificationMessage',
        providerPid,
        consumerPid,
      });
      await quietAfter(recorder, mark, [agreed.path], 'agree after ACCEPTED, then the verification');

      mark = recorder.mark();
      expect(await ok(`${negotiation}/finalize`)).to.include({ state: 'FINALIZED' });
      const finalized = await recorder.next(`/negotiations/${pid(consumerPid)}/events`, mark);
      await quietAfter(recorder, mark, [finalized.path], 'finalize');
    });

    // ---- consumer: we request, the peer agrees; we verify; a transfer we request and complete ----
    flow('consumer', async () => {
      const recorder = await peer();
      const dataset = 'urn:peer:dataset:1';
      let mark = recorder.mark();
      const created = await api().post('/negotiations', {
        counterPartyAddress: recorder.url,
        counterPartyId: PEER,
        datasetId: dataset,
        offer: { '@id': 'urn:peer:offer:1', permission: [{ action: 'use' }] },
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const consumerPid = String(created.body.id);
      const negotiation = `/negotiations/${pid(consumerPid)}`;
      const request = await recorder.next('/negotiations/request', mark);
      const providerPid = String(request.answer.providerPid);
      await waitFor('the provider pid', async () =>
        (await view(negotiation)).providerPid === providerPid ? true : undefined,
      );
      await refused(`${negotiation}/accept`, 'REQUESTED');
      const agreement = await recorder.send(dspBase(), `${negotiation}/agreement`, {
        '@type': 'ContractAgreementMessage',
        providerPid,
        consumerPid,
        agreement: {
          '@id': `urn:uuid:${randomUUID()}`,
          '@type': 'Agreement',
          target: dataset,
          assigner: PEER,
          assignee: cut.did,
          timestamp: new Date().toISOString(),
          permission: [{ action: 'use' }],
        },
      });
      expect(agreement.status, JSON.stringify(agreement.body)).to.equal(200);
      await quietAfter(recorder, mark, [request.path], 'the request, then the agreement');
      expect(await view(negotiation)).to.include({
        state: 'AGREED',
        pendingAction: true,
        heldStep: 'verify',
      });
      await refused(`${negotiation}/finalize`, 'AGREED');
      await refused(`${negotiation}/agree`, 'AGREED');

      mark = recorder.mark();
      expect(await ok(`${negotiation}/verify`)).to.include({ state: 'VERIFIED' });
      const verification = await recorder.next(
        `/negotiations/${pid(providerPid)}/agreement/verification`,
        mark,
      );
      await recorder.send(dspBase(), `${negotiation}/events`, {
        '@type': 'ContractNegotiationEventMessage',
        providerPid,
        consumerPid,
        eventType: 'FINALIZED',
      });
      await quietAfter(recorder, mark, [verification.path], 'verify, then FINALIZED');
      const done = await view(negotiation);
      expect(done).to.include({ state: 'FINALIZED' });
      expect(done).to.not.have.property('heldStep');

      mark = recorder.mark();
      const requested = await api().post('/transfers', {
        agreementId: String(done.agreementId),
        format: 'HttpData-PULL',
      });
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
      const transferPid = String(requested.body.id);
      const transfer = `/transfers/${pid(transferPid)}`;
      const transferRequest = await recorder.next('/transfers/request', mark);
      const providerTransferPid = String(transferRequest.answer.providerPid);
      await waitFor('the provider transfer pid', async () =>
        (await view(transfer)).providerPid === providerTransferPid ? true : undefined,
      );
      await refused(`${transfer}/start`, 'REQUESTED'); // only the provider starts
      const started = await recorder.send(dspBase(), `${transfer}/start`, {
        '@type': 'TransferStartMessage',
        providerPid: providerTransferPid,
        consumerPid: transferPid,
      });
      expect(started.status, JSON.stringify(started.body)).to.equal(200);
      await quietAfter(recorder, mark, [transferRequest.path], 'the transfer request, then its start');

      mark = recorder.mark();
      expect(await ok(`${transfer}/complete`)).to.include({ state: 'COMPLETED' });
      await recorder.next(`/transfers/${pid(providerTransferPid)}/completion`, mark);
      expect(recorder.since(mark)).to.have.length(1);
    });
  });

  after(async () => {
    await Promise.allSettled([...flows.values()]);
    await Promise.all(peers.map((p) => p.close()));
    await space?.close();
  });

  it('provider: holds agree, finalize and start for the operator; each call sends exactly its message', () =>
    flows.get('provider'));
  it('provider, push: sends the start and the data when told, and holds the completion', () =>
    flows.get('push'));
  it('provider: holds the termination of a request the policy refuses; counter-offer and terminate when told', () =>
    flows.get('refuse'));
  it('provider-initiated offer: sends the offer, learns the consumer pid, holds the agreement after ACCEPTED', () =>
    flows.get('offer'));
  it('consumer: holds the verification; requests and completes a transfer only when told', () =>
    flows.get('consumer'));
});
