// Attack catalogue, authorisation: an authenticated member reaching for what is not its own (another
// member's negotiations, transfers and agreements, a contract its credentials do not satisfy, another
// connector's or the authority's operator APIs). Each is refused with a reason and changes nothing.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startControlPlaneConnector } from '../../connector/process/run-connector.js';
import { request } from '../authority/helpers.js';
import { dsp, management, pid, waitForState } from '../dsp/helpers.js';
import { datasetOffer, dspMessage } from '../dsp/scenario.js';
import {
  DATASET,
  expectDspError,
  expectProblem,
  leavesNoTrace,
  startAttackWorld,
  type AttackWorld,
  type StartedTransfer,
} from './world.js';

describe('attacks: authorisation', function () {
  this.timeout(60_000);
  let world: AttackWorld;
  let negotiation: { providerPid: string; consumerPid: string };
  let agreementId: string;
  let transfer: StartedTransfer;

  before(async () => {
    world = await startAttackWorld();
    agreementId = await world.agreement();
    const negotiations = (await management(world.provider).get('/negotiations')).body.negotiations as Record<
      string,
      unknown
    >[];
    const finalized = negotiations.find((n) => n.agreementId === agreementId) ?? {};
    negotiation = { providerPid: String(finalized.providerPid), consumerPid: String(finalized.consumerPid) };
    transfer = await world.pull(agreementId);
  });
  after(async () => world?.close());

  it('does not show a member another member’s negotiation (404, as if unknown)', async () => {
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, `/negotiations/${pid(negotiation.providerPid)}`, { caller: world.outsider }),
    );
    expectDspError(answer, 404, 'ContractNegotiationError', /not-found|no negotiation|not found/i);
    // The party itself still sees it.
    const own = await dsp(world.provider, `/negotiations/${pid(negotiation.providerPid)}`, {
      caller: world.consumer,
    });
    expect(own.status).to.equal(200);
  });

  it('refuses a termination of another member’s negotiation', async () => {
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, `/negotiations/${pid(negotiation.providerPid)}/termination`, {
        caller: world.outsider,
        body: dspMessage('ContractNegotiationTerminationMessage', {
          providerPid: negotiation.providerPid,
          consumerPid: negotiation.consumerPid,
          code: 'x',
        }),
      }),
    );
    expectDspError(answer, 404, 'ContractNegotiationError', /not found|no negotiation/i);
  });

  it('does not show a member another member’s transfer', async () => {
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, `/transfers/${pid(transfer.providerPid)}`, { caller: world.outsider }),
    );
    expectDspError(answer, 404, 'TransferError', /not found|no transfer/i);
  });

  it('refuses a suspension and a termination of another member’s transfer', async () => {
    for (const [path, type] of [
      ['suspension', 'TransferSuspensionMessage'],
      ['termination', 'TransferTerminationMessage'],
    ] as const) {
      const answer = await leavesNoTrace(world, () =>
        dsp(world.provider, `/transfers/${pid(transfer.providerPid)}/${path}`, {
          caller: world.outsider,
          body: dspMessage(type, { providerPid: transfer.providerPid, consumerPid: 'urn:uuid:x', code: 'x' }),
        }),
      );
      expectDspError(answer, 404, 'TransferError', /not found|no transfer/i);
    }
  });

  it('refuses a transfer request under another member’s agreement', async () => {
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, '/transfers/request', {
        caller: world.outsider,
        body: dspMessage('TransferRequestMessage', {
          consumerPid: `urn:uuid:${randomUUID()}`,
          agreementId,
          format: 'HttpData-PULL',
          callbackAddress: `${world.outsider.url}/dsp`,
        }),
      }),
    );
    // Unknown and not yours look the same.
    expectDspError(answer, 400, 'TransferError', /no finalized agreement .* between you and us/);
  });

  it('refuses a contract request whose policy the caller’s credentials do not satisfy', async () => {
    const offer = await datasetOffer(world.provider, world.outsider, DATASET);
    const before = (await management(world.provider).get('/agreements')).body.agreements as unknown[];
    const answer = await dsp(world.provider, '/negotiations/request', {
      caller: world.outsider,
      body: dspMessage('ContractRequestMessage', {
        consumerPid: `urn:uuid:${randomUUID()}`,
        callbackAddress: `${world.outsider.url}/dsp`,
        offer,
      }),
    });
    // DSP: the request is acknowledged, then decided; the policy's refusal terminates it with the reason.
    expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
    const ended = await waitForState(
      world.provider,
      `/negotiations/${pid(String(answer.body.providerPid))}`,
      'TERMINATED',
      20_000,
    );
    expect(JSON.stringify(ended.reason)).to.match(/sector|medical/i);
    const after = (await management(world.provider).get('/agreements')).body.agreements as unknown[];
    expect(after).to.deep.equal(before);
  });

  it('refuses a member that is not onboarded (no credentials) at the catalog', async () => {
    const stranger = await startControlPlaneConnector({
      dataDir: join(world.space.dir, 'stranger'),
      port: 0,
      authorityUrl: world.space.authority.url,
    });
    try {
      const answer = await leavesNoTrace(world, () =>
        dsp(world.provider, '/catalog/request', {
          caller: stranger,
          body: dspMessage('CatalogRequestMessage', {}),
        }),
      );
      expect(answer.status, JSON.stringify(answer.body)).to.be.oneOf([401, 403]);
      expect(answer.body['@type']).to.equal('CatalogError');
    } finally {
      await stranger.close();
    }
  });

  it('refuses one connector’s management key on another connector’s management API', async () => {
    const answer = await leavesNoTrace(world, () =>
      request(`${world.provider.managementUrl}/assets`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${world.consumer.managementApiKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ id: 'urn:dataset:planted' }),
      }),
    );
    expectProblem(answer, 401, 'management-key-required');
  });

  it('refuses a management key and a member’s request token on the authority’s admin API', async () => {
    const before = await world.space.admin('GET', '/members');
    for (const bearer of [
      world.provider.managementApiKey,
      await world.consumer.requestTokenFor(world.space.authority.did),
    ]) {
      const answer = await request(
        `${world.space.authority.admin.url}/authority/v1/admin/members/${encodeURIComponent(world.outsider.did)}/suspend`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'taking over' }),
        },
      );
      expectProblem(answer, 401, 'admin-key-required');
    }
    expect((await world.space.admin('GET', '/members')).body).to.deep.equal(before.body);
  });

  it('does not let the consumer act as the provider on its own negotiation (a provider-only message)', async () => {
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, `/negotiations/${pid(negotiation.providerPid)}/agreement`, {
        caller: world.consumer,
        body: dspMessage('ContractAgreementMessage', {
          providerPid: negotiation.providerPid,
          consumerPid: negotiation.consumerPid,
          agreement: { '@id': `urn:uuid:${randomUUID()}`, '@type': 'Agreement', target: DATASET },
        }),
      }),
    );
    expect(answer.status, JSON.stringify(answer.body)).to.be.oneOf([400, 404, 405]);
  });
});
