// Attack catalogue, state: messages and operator actions that the state machines do not allow now
// (a verification of a finalized negotiation, a counter-request after the agreement, a start sent by the
// consumer, a completion of a terminated transfer, a replayed initial message ...). Each is refused with the
// state table's reason and changes nothing.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { dsp, management, pid } from '../dsp/helpers.js';
import { datasetOffer, dspMessage } from '../dsp/scenario.js';
import {
  DATASET,
  expectDspError,
  leavesNoTrace,
  startAttackWorld,
  type AttackWorld,
  type StartedTransfer,
} from './world.js';

describe('attacks: state', function () {
  this.timeout(60_000);
  let world: AttackWorld;
  let negotiation: { id: string; providerPid: string; consumerPid: string };
  let agreementId: string;
  let transfer: StartedTransfer;
  let transferConsumerPid: string;

  before(async () => {
    world = await startAttackWorld();
    agreementId = await world.agreement();
    const negotiations = (await management(world.provider).get('/negotiations')).body.negotiations as Record<
      string,
      unknown
    >[];
    const finalized = negotiations.find((n) => n.agreementId === agreementId) ?? {};
    negotiation = {
      id: String(finalized.id),
      providerPid: String(finalized.providerPid),
      consumerPid: String(finalized.consumerPid),
    };
    transfer = await world.pull(agreementId);
    transferConsumerPid = String(
      (await management(world.consumer).get(`/transfers/${pid(transfer.id)}`)).body.consumerPid,
    );
  });
  after(async () => world?.close());

  const toNegotiation = (path: string, type: string, fields: Record<string, unknown> = {}) =>
    dsp(world.provider, `/negotiations/${pid(negotiation.providerPid)}${path}`, {
      caller: world.consumer,
      body: dspMessage(type, {
        providerPid: negotiation.providerPid,
        consumerPid: negotiation.consumerPid,
        ...fields,
      }),
    });
  const toTransfer = (path: string, type: string, fields: Record<string, unknown> = {}) =>
    dsp(world.provider, `/transfers/${pid(transfer.providerPid)}${path}`, {
      caller: world.consumer,
      body: dspMessage(type, {
        providerPid: transfer.providerPid,
        consumerPid: transferConsumerPid,
        ...fields,
      }),
    });

  it('refuses a second verification of a finalized negotiation', async () => {
    const answer = await leavesNoTrace(world, () =>
      toNegotiation('/agreement/verification', 'ContractAgreementVerificationMessage'),
    );
    expectDspError(
      answer,
      400,
      'ContractNegotiationError',
      /cannot be accepted in state FINALIZED by the provider: FINALIZED is a terminal state/,
    );
  });

  it('refuses a counter-request after the agreement', async () => {
    const offer = await datasetOffer(world.provider, world.consumer, DATASET);
    const answer = await leavesNoTrace(world, () =>
      toNegotiation('/request', 'ContractRequestMessage', {
        offer,
      }),
    );
    expectDspError(answer, 400, 'ContractNegotiationError', /FINALIZED/);
  });

  it('refuses a termination of a finalized negotiation', async () => {
    const answer = await leavesNoTrace(world, () =>
      toNegotiation('/termination', 'ContractNegotiationTerminationMessage', { code: 'changed-mind' }),
    );
    expectDspError(answer, 400, 'ContractNegotiationError', /FINALIZED/);
  });

  it('refuses an event "ACCEPTED" sent to the provider (a consumer-side event only a provider receives never)', async () => {
    const answer = await leavesNoTrace(world, () =>
      toNegotiation('/events', 'ContractNegotiationEventMessage', { eventType: 'ACCEPTED' }),
    );
    expectDspError(answer, 400, 'ContractNegotiationError', /ACCEPTED|FINALIZED/);
  });

  it('refuses a replayed initial contract request with a consumerPid already in use', async () => {
    const offer = await datasetOffer(world.provider, world.consumer, DATASET);
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, '/negotiations/request', {
        caller: world.consumer,
        body: dspMessage('ContractRequestMessage', {
          consumerPid: negotiation.consumerPid,
          callbackAddress: `${world.consumer.url}/dsp`,
          offer,
        }),
      }),
    );
    expectDspError(answer, 400, 'ContractNegotiationError', /consumerPid .* is already in use here/);
  });

  it('refuses a start message from the consumer (only the provider starts a transfer it provides)', async () => {
    const answer = await leavesNoTrace(world, () => toTransfer('/start', 'TransferStartMessage'));
    expectDspError(
      answer,
      400,
      'TransferError',
      /in STARTED the consumer may send only TransferSuspensionMessage/,
    );
  });

  it('refuses the operator’s agree on a finalized negotiation with 409 and the current state', async () => {
    const answer = await leavesNoTrace(world, () =>
      management(world.provider).post(`/negotiations/${pid(negotiation.id)}/agree`),
    );
    expect(answer.status).to.equal(409);
    expect(answer.body.state).to.equal('FINALIZED');
    expect(String(answer.body.detail ?? answer.body.reason)).to.match(/FINALIZED/);
  });

  it('refuses the operator’s resume of a transfer that is not suspended', async () => {
    const answer = await leavesNoTrace(world, () =>
      management(world.consumer).post(`/transfers/${pid(transfer.id)}/resume`),
    );
    expect(answer.status).to.equal(409);
    expect(answer.body.state).to.equal('STARTED');
  });

  it('refuses to delete an asset an offer still uses', async () => {
    const answer = await leavesNoTrace(world, () =>
      management(world.provider).delete(`/assets/${pid(DATASET)}`),
    );
    expect(answer.status).to.equal(409);
    expect(String(answer.body.detail)).to.match(/offer/i);
  });

  describe('after the transfer is terminated', () => {
    before(async () => {
      const ended = await management(world.consumer).post(`/transfers/${pid(transfer.id)}/terminate`, {
        reason: 'done with it',
      });
      expect(ended.status, JSON.stringify(ended.body)).to.equal(200);
      // The provider learns of it through the outbox.
      for (let i = 0; i < 200; i++) {
        const seen = await management(world.provider).get('/transfers');
        const mine = (seen.body.transfers as Record<string, unknown>[]).find(
          (t) => t.providerPid === transfer.providerPid || t.id === transfer.providerPid,
        );
        if (mine?.state === 'TERMINATED') return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the provider never saw the termination');
    });

    it('refuses a completion, a suspension and a resumption of the terminated transfer', async () => {
      for (const [path, type] of [
        ['/completion', 'TransferCompletionMessage'],
        ['/suspension', 'TransferSuspensionMessage'],
        ['/start', 'TransferStartMessage'],
      ] as const) {
        const answer = await leavesNoTrace(world, () => toTransfer(path, type, { code: 'x' }));
        expect(answer.status, `${path} ${JSON.stringify(answer.body)}`).to.be.oneOf([400, 405]);
        expect(answer.body['@type']).to.equal('TransferError');
        expect(JSON.stringify(answer.body.reason), path).to.match(/TERMINATED/);
      }
    });

    it('refuses a new transfer request reusing the terminated transfer’s consumerPid', async () => {
      const answer = await leavesNoTrace(world, () =>
        dsp(world.provider, '/transfers/request', {
          caller: world.consumer,
          body: dspMessage('TransferRequestMessage', {
            consumerPid: transferConsumerPid,
            agreementId,
            format: 'HttpData-PULL',
            callbackAddress: `${world.consumer.url}/dsp`,
          }),
        }),
      );
      expectDspError(answer, 400, 'TransferError', /consumerPid .* is already in use here/);
    });
  });

  it('refuses a message naming a pid of a process that does not exist', async () => {
    const ghost = `urn:uuid:${randomUUID()}`;
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, `/negotiations/${pid(ghost)}/agreement/verification`, {
        caller: world.consumer,
        body: dspMessage('ContractAgreementVerificationMessage', {
          providerPid: ghost,
          consumerPid: negotiation.consumerPid,
        }),
      }),
    );
    expectDspError(answer, 404, 'ContractNegotiationError', /not found|no negotiation/i);
  });
});
