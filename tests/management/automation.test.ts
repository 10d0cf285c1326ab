// Per-step automation and provider-initiated offers between two real connectors over HTTP: the
// `automation` setting (validated with errors naming the bad key), steps held for the operator while
// the others run by themselves, and a negotiation the provider opens with an offer, carried to
// FINALIZED and a transfer (accepted, or counter-requested by the consumer).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AUTOMATION_STEPS,
  parseAutomationFlag,
  resolveAutomation,
} from '../../connector/control-plane/index.js';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  MEMBERS_ACCESS,
  medicalContract,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitFor,
  waitForState,
} from '../dsp/helpers.js';
import { RecordingPeer } from '../dsp/recording-peer.js';

const VISITS = 'urn:dataset:automation-visits';
const SHORT = 'urn:dataset:automation-until-2030';

describe('automation settings', () => {
  it('resolves auto, none and per-step objects; unlisted steps are automatic', () => {
    const auto = resolveAutomation(undefined);
    expect(Object.keys(auto)).to.deep.equal([...AUTOMATION_STEPS]);
    expect(Object.values(auto)).to.satisfy((modes: string[]) => modes.every((m) => m === 'auto'));
    expect(resolveAutomation('auto')).to.deep.equal(auto);
    expect(Object.values(resolveAutomation('none'))).to.satisfy((modes: string[]) =>
      modes.every((m) => m === 'manual'),
    );
    expect(resolveAutomation({ finalize: 'manual', verify: 'auto' })).to.deep.equal({
      ...auto,
      finalize: 'manual',
    });
  });

  it('refuses a bad setting with an error naming the key', () => {
    expect(() => resolveAutomation({ startTransfr: 'manual' }, 'connector.json "automation"')).to.throw(
      /connector\.json "automation"\.startTransfr is not an automation step; the steps are agree, refuse/,
    );
    expect(() => resolveAutomation({ finalize: 'later' })).to.throw(
      /automation\.finalize must be "auto" or "manual", not "later"/,
    );
    for (const bad of ['manual', 7, null, ['agree']]) {
      expect(() => resolveAutomation(bad), JSON.stringify(bad)).to.throw(
        /must be "auto", "none" or an object/,
      );
    }
  });

  it('reads --automation as auto, none or step=mode pairs', () => {
    expect(parseAutomationFlag('none')).to.equal('none');
    expect(parseAutomationFlag(' auto ')).to.equal('auto');
    expect(parseAutomationFlag('finalize=manual, startTransfer=manual')).to.deep.equal({
      finalize: 'manual',
      startTransfer: 'manual',
    });
    expect(() => parseAutomationFlag('finalize')).to.throw(/--automation takes auto, none or step=mode/);
    expect(() => parseAutomationFlag('finalise=manual')).to.throw(
      /--automation\.finalise is not an automation step/,
    );
    expect(() => parseAutomationFlag('verify=sometimes')).to.throw(
      /--automation\.verify must be "auto" or "manual"/,
    );
  });
});

describe('automation per step, and provider-initiated offers, between two connectors', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let pushEndpoint: RecordingPeer;
  /** The provider's clock for policy decisions, moved forward by one test. */
  let providerNow: number | undefined;

  before(async () => {
    space = await startLocalDataSpace();
    pushEndpoint = await RecordingPeer.start('unused');
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }), {
      automation: {
        finalize: 'manual',
        startTransfer: 'manual',
        completePush: 'manual',
        refuseTransfer: 'manual',
      },
      controlPlane: { clock: () => new Date(providerNow ?? Date.now()) },
      // The push endpoint is a separate server, not the consumer's own DSP host:port.
      dataplane: { pushHosts: [new URL(pushEndpoint.url).host] },
    });
    consumer = await startMember(
      space,
      'consumer',
      bankApplication({ sectors: [{ sector: 'medical', roles: ['hospital'] }] }),
      { automation: { verify: 'manual' } },
    );
    await publish(
      provider,
      [assetInput(VISITS, provider.did), assetInput(SHORT, provider.did)],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [VISITS] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
        {
          id: 'until-2030',
          assetSelector: { assetIds: [SHORT] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract('2030-01-01T00:00:00Z'),
        },
      ],
    );
  });
  after(async () => {
    await pushEndpoint?.close();
    await space?.close();
  });

  it('refuses to start with a bad automation setting in connector.json, naming the key', async () => {
    const dir = join(space.dir, 'misconfigured');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'connector.json'), JSON.stringify({ automation: { finalise: 'manual' } }));
    const failure = await startControlPlaneConnector({
      dataDir: dir,
      port: 0,
      authorityUrl: space.authority.url,
    }).then(
      async (c) => {
        await c.close();
        return undefined;
      },
      (e: Error & { code?: string }) => e,
    );
    expect(failure?.code).to.equal('ERR_CONFIG');
    expect(failure?.message).to.match(/connector\.json "automation"\.finalise is not an automation step/);
  });

  it('refuses a bad --automation on run-connector.ts before starting', async () => {
    const args = [
      '--import',
      'tsx',
      'connector/process/run-connector.ts',
      '--dir',
      join(space.dir, 'flagged'),
      '--authority',
      space.authority.url,
      '--automation',
      'finalize=manual,startTransfr=manual',
    ];
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, args, { timeout: 20_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.include('--automation.startTransfr is not an automation step');
    expect(run.stdout).to.not.include('"ready":true');
  });

  it('holds only the manual steps: the consumer’s verify, the provider’s finalize and start', async () => {
    const started = await startNegotiation(consumer, provider, VISITS, catalogOfferId('research', VISITS));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const consumerId = String(started.body.id);
    // The provider agrees by itself; the consumer's verification waits for its operator.
    const agreed = await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'AGREED');
    expect(agreed).to.include({ pendingAction: true, heldStep: 'verify' });
    const providerId = String(agreed.providerPid);
    expect((await management(consumer).post(`/negotiations/${pid(consumerId)}/verify`)).status).to.equal(200);
    const verified = await waitForState(provider, `/negotiations/${pid(providerId)}`, 'VERIFIED');
    expect(verified).to.include({ pendingAction: true, heldStep: 'finalize' });
    const finalize = await management(provider).post(`/negotiations/${pid(providerId)}/finalize`);
    expect(finalize.status, JSON.stringify(finalize.body)).to.equal(200);
    const done = await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'FINALIZED');
    const agreementId = String(done.agreementId);

    const requested = await management(consumer).post('/transfers', { agreementId, format: 'HttpData-PULL' });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const transferId = String(requested.body.id);
    const providerTransfer = await waitFor('the provider to hold the start', async () => {
      const list = await management(provider).get('/transfers?role=provider&state=REQUESTED');
      return (list.body.transfers as Record<string, unknown>[]).find((t) => t.consumerPid === transferId);
    });
    expect(providerTransfer).to.include({ heldStep: 'startTransfer' });
    const start = await management(provider).post(`/transfers/${pid(String(providerTransfer.id))}/start`);
    expect(start.status, JSON.stringify(start.body)).to.equal(200);
    const running = await waitForState(consumer, `/transfers/${pid(transferId)}`, 'STARTED');
    expect((running.access as { endpoint?: string }).endpoint).to.equal(
      `${provider.url}/data/${pid(String(providerTransfer.id))}`,
    );
  });

  it('pushes the data but leaves completing it to the operator when completePush is manual', async () => {
    const agreementId = await negotiated();
    const requested = await management(consumer).post('/transfers', {
      agreementId,
      format: 'HttpData-PUSH',
      dataAddress: {
        '@type': 'DataAddress',
        endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
        endpoint: `${pushEndpoint.url}/incoming/visits.csv`,
      },
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const transferId = String(requested.body.id);
    const providerTransfer = await waitFor('the provider transfer', async () => {
      const list = await management(provider).get('/transfers?role=provider&state=REQUESTED');
      return (list.body.transfers as Record<string, unknown>[]).find((t) => t.consumerPid === transferId);
    });
    const providerPath = `/transfers/${pid(String(providerTransfer.id))}`;
    expect((await management(provider).post(`${providerPath}/start`)).status).to.equal(200);
    await pushEndpoint.next('/incoming/visits.csv');
    // Pushed, and still STARTED: the completion is the operator's.
    const pushed = await management(provider).get(providerPath);
    expect(pushed.body).to.include({ state: 'STARTED', heldStep: 'completePush' });
    expect((await management(provider).post(`${providerPath}/complete`)).status).to.equal(200);
    await waitForState(consumer, `/transfers/${pid(transferId)}`, 'COMPLETED');
  });

  it('holds the refusal of a transfer the agreement no longer permits, requested or resumed', async () => {
    const agreementId = await negotiated(SHORT, 'until-2030');
    const transfer = async (): Promise<{ consumerPath: string; providerPath: string }> => {
      const requested = await management(consumer).post('/transfers', {
        agreementId,
        format: 'HttpData-PULL',
      });
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
      const transferId = String(requested.body.id);
      const found = await waitFor('the provider transfer', async () => {
        const list = await management(provider).get('/transfers?role=provider&state=REQUESTED');
        return (list.body.transfers as Record<string, unknown>[]).find((t) => t.consumerPid === transferId);
      });
      return {
        consumerPath: `/transfers/${pid(transferId)}`,
        providerPath: `/transfers/${pid(String(found.id))}`,
      };
    };
    try {
      // Resumed by the consumer after the agreement expired: STARTED, with the policy's reason, held.
      const resumed = await transfer();
      await management(provider).post(`${resumed.providerPath}/start`);
      await waitForState(consumer, resumed.consumerPath, 'STARTED');
      await management(consumer).post(`${resumed.consumerPath}/suspend`);
      await waitForState(provider, resumed.providerPath, 'SUSPENDED');
      providerNow = Date.parse('2031-01-01T00:00:00Z');
      expect((await management(consumer).post(`${resumed.consumerPath}/resume`)).status).to.equal(200);
      const held = await waitForState(provider, resumed.providerPath, 'STARTED');
      expect(held).to.include({ heldStep: 'refuseTransfer' });
      expect(String(held.reason)).to.match(/dateTime|2030/);
      const ended = await management(provider).post(`${resumed.providerPath}/terminate`, {
        reason: String(held.reason),
      });
      expect(ended.status, JSON.stringify(ended.body)).to.equal(200);
      await waitForState(consumer, resumed.consumerPath, 'TERMINATED');

      // Requested after it expired: REQUESTED, with the reason, held.
      const requested = await transfer();
      const waiting = await management(provider).get(requested.providerPath);
      expect(waiting.body).to.include({ state: 'REQUESTED', heldStep: 'refuseTransfer' });
      expect(String(waiting.body.reason)).to.match(/dateTime|2030/);
    } finally {
      providerNow = undefined;
    }
  });

  it('opens a negotiation with an offer to the consumer, which accepts: FINALIZED, then a transfer', async () => {
    const offered = await management(provider).post('/negotiations', {
      role: 'provider',
      counterPartyAddress: `${consumer.url}/dsp`,
      counterPartyId: consumer.did,
      datasetId: VISITS,
      offerId: 'research',
    });
    expect(offered.status, JSON.stringify(offered.body)).to.equal(201);
    expect(offered.body).to.include({ role: 'provider', state: 'OFFERED', datasetId: VISITS });
    const providerId = String(offered.body.id);
    // The consumer holds the offer for its operator; the provider learns the consumer's pid from the ACK.
    const providerSide = await waitFor('the consumer pid', async () => {
      const r = await management(provider).get(`/negotiations/${pid(providerId)}`);
      return r.body.consumerPid === null ? undefined : r.body;
    });
    const consumerId = String(providerSide.consumerPid);
    const held = await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'OFFERED');
    expect(held).to.include({
      role: 'consumer',
      providerPid: providerId,
      pendingAction: true,
      datasetId: VISITS,
    });
    expect(held.offer).to.include({ '@id': catalogOfferId('research', VISITS), assigner: provider.did });

    const accepted = await management(consumer).post(`/negotiations/${pid(consumerId)}/accept`);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    // The provider agrees after ACCEPTED by itself; the consumer's verify and the finalize are manual here.
    await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'AGREED');
    await management(consumer).post(`/negotiations/${pid(consumerId)}/verify`);
    await waitForState(provider, `/negotiations/${pid(providerId)}`, 'VERIFIED');
    await management(provider).post(`/negotiations/${pid(providerId)}/finalize`);
    const done = await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'FINALIZED');
    expect(done.agreement).to.include({ target: VISITS, assigner: provider.did, assignee: consumer.did });
    await waitForState(provider, `/negotiations/${pid(providerId)}`, 'FINALIZED');

    const requested = await management(consumer).post('/transfers', {
      agreementId: String(done.agreementId),
      format: 'HttpData-PULL',
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const transferId = String(requested.body.id);
    const providerTransfer = await waitFor('the provider transfer', async () => {
      const list = await management(provider).get('/transfers?role=provider&state=REQUESTED');
      return (list.body.transfers as Record<string, unknown>[]).find((t) => t.consumerPid === transferId);
    });
    await management(provider).post(`/transfers/${pid(String(providerTransfer.id))}/start`);
    await waitForState(consumer, `/transfers/${pid(transferId)}`, 'STARTED');
  });

  it('opens a negotiation with inline terms; the consumer counter-requests the published ones', async () => {
    const offered = await management(provider).post('/negotiations', {
      role: 'provider',
      counterPartyAddress: `${consumer.url}/dsp`,
      counterPartyId: consumer.did,
      datasetId: VISITS,
      offer: medicalContract('2098-01-01T00:00:00Z'),
    });
    expect(offered.status, JSON.stringify(offered.body)).to.equal(201);
    const providerId = String(offered.body.id);
    const consumerId = await waitFor('the consumer pid', async () => {
      const r = await management(provider).get(`/negotiations/${pid(providerId)}`);
      return r.body.consumerPid === null ? undefined : String(r.body.consumerPid);
    });
    await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'OFFERED');
    // The consumer asks for the terms the provider publishes instead: an automatically approved offer
    // whose policy permits the consumer, so the provider agrees to the counter-request by itself.
    const catalog = await management(consumer).post('/catalog/dataset', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      datasetId: VISITS,
    });
    expect(catalog.status, JSON.stringify(catalog.body)).to.equal(200);
    const published = ([(catalog.body.dataset as Record<string, unknown>).hasPolicy].flat() as object[])[0];
    const counter = await management(consumer).post(`/negotiations/${pid(consumerId)}/request`, {
      offer: published,
    });
    expect(counter.status, JSON.stringify(counter.body)).to.equal(200);
    expect(counter.body).to.include({ state: 'REQUESTED' });
    await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'AGREED');
    await management(consumer).post(`/negotiations/${pid(consumerId)}/verify`);
    await waitForState(provider, `/negotiations/${pid(providerId)}`, 'VERIFIED');
    await management(provider).post(`/negotiations/${pid(providerId)}/finalize`);
    await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'FINALIZED');
  });

  it('refuses a provider offer naming an offer or dataset that is not ours', async () => {
    const base = {
      role: 'provider',
      counterPartyAddress: `${consumer.url}/dsp`,
      counterPartyId: consumer.did,
    };
    const unknownOffer = await management(provider).post('/negotiations', {
      ...base,
      datasetId: VISITS,
      offerId: 'no-such-offer',
    });
    expect(unknownOffer.status).to.equal(404);
    expect(unknownOffer.body.errors).to.deep.include({
      pointer: '/offerId',
      reason: 'must be one of our offers that selects the dataset',
    });
    const unknownDataset = await management(provider).post('/negotiations', {
      ...base,
      datasetId: 'urn:dataset:not-ours',
      offer: medicalContract(),
    });
    expect(unknownDataset.status).to.equal(404);
    const badRole = await management(provider).post('/negotiations', {
      ...base,
      role: 'broker',
      datasetId: VISITS,
      offerId: 'research',
    });
    expect(badRole.status).to.equal(400);
    const listed = await management(provider).get('/negotiations?role=provider&state=OFFERED');
    expect(
      (listed.body.negotiations as { datasetId: string }[]).filter(
        (n) => n.datasetId === 'urn:dataset:not-ours',
      ),
    ).to.deep.equal([]);
  });

  /** A FINALIZED agreement between the two (the manual steps taken by hand). */
  async function negotiated(dataset = VISITS, offer = 'research'): Promise<string> {
    const started = await startNegotiation(consumer, provider, dataset, catalogOfferId(offer, dataset));
    const consumerId = String(started.body.id);
    const agreed = await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'AGREED');
    await management(consumer).post(`/negotiations/${pid(consumerId)}/verify`);
    const providerId = String(agreed.providerPid);
    await waitForState(provider, `/negotiations/${pid(providerId)}`, 'VERIFIED');
    await management(provider).post(`/negotiations/${pid(providerId)}/finalize`);
    return String(
      (await waitForState(consumer, `/negotiations/${pid(consumerId)}`, 'FINALIZED')).agreementId,
    );
  }
});
