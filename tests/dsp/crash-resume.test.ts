// kill -9 in the middle of a negotiation and of a transfer, with connectors as real child processes:
// state is persisted before any message leaves, so after a restart on the same data directory and
// port the outbox delivers what was pending and both processes complete. A relay in front of the
// consumer refuses the provider's callback, so the kill lands exactly between "decided" and "told".
import { expect } from 'chai';
import { join } from 'node:path';
import { NegotiationStore } from '../../connector/negotiation/index.js';
import { startControlPlaneConnector } from '../../connector/process/run-connector.js';
import { Database } from '../../connector/store/database.js';
import {
  hospitalApplication,
  onboard,
  startLocalDataSpace,
  USCC_B,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  waitFor,
  waitForState,
} from './helpers.js';
import { Relay, startChild, type ChildConnector, type ChildOptions } from './processes.js';

const DATASET = 'urn:dataset:crash-test';
const REVIEWED = 'urn:dataset:crash-reviewed';

describe('dsp: kill -9 and resume', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let relay: Relay;
  let providerOptions: ChildOptions;
  let consumerOptions: ChildOptions;
  let provider: ChildConnector;
  let consumer: ChildConnector;

  /** Onboards a connector in this process once (wallet and keys land in `dir`), then frees its port. */
  async function prepare(
    name: string,
    application: Record<string, unknown>,
    viaRelay = false,
  ): Promise<ChildOptions> {
    const dir = join(space.dir, name);
    const connector = await startControlPlaneConnector({
      dataDir: dir,
      port: 0,
      authorityUrl: space.authority.url,
      ...(viaRelay ? { publicUrl: relay.url } : {}),
    });
    if (viaRelay) relay.target = connector.server.port;
    try {
      await onboard(space, connector, application);
    } finally {
      await connector.close();
    }
    return {
      dir,
      port: connector.server.port,
      authorityUrl: space.authority.url,
      ...(viaRelay ? { publicUrl: relay.url } : {}),
    };
  }

  before(async () => {
    space = await startLocalDataSpace();
    relay = await Relay.start();
    providerOptions = await prepare('provider', hospitalApplication({ organisationName: 'Provider' }));
    consumerOptions = await prepare(
      'consumer',
      hospitalApplication({ organisationName: 'Consumer Clinic', registrationNumber: USCC_B }),
      true,
    );
    [provider, consumer] = await Promise.all([startChild(providerOptions), startChild(consumerOptions)]);
    const api = management(provider);
    expect((await api.post('/assets', assetInput(DATASET, provider.did))).status).to.equal(201);
    expect((await api.post('/assets', assetInput(REVIEWED, provider.did))).status).to.equal(201);
    const offer = {
      id: 'crash',
      assetSelector: { assetIds: [DATASET] },
      accessPolicy: MEMBERS_ACCESS,
      contractPolicy: medicalContract(),
    };
    expect((await api.post('/offers', offer)).status).to.equal(201);
    const manual = { ...offer, id: 'reviewed', assetSelector: { assetIds: [REVIEWED] }, approval: 'manual' };
    expect((await api.post('/offers', manual)).status).to.equal(201);
  });
  after(async () => {
    await Promise.all([provider?.stop(), consumer?.stop()]);
    await relay?.close();
    await space?.close();
  });

  let agreementId: string;

  it('finishes a negotiation whose agreement was not delivered when the provider was killed', async () => {
    relay.block(/\/negotiations\/[^/]+\/agreement$/);
    const started = await management(consumer).post('/negotiations', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      datasetId: DATASET,
      offerId: catalogOfferId('crash', DATASET),
    });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const consumerPid = String(started.body.id);

    // The provider agreed (persisted) and is retrying the agreement the relay refuses.
    const providerPid = await waitFor('the provider to agree', async () => {
      const list = await management(provider).get('/negotiations?role=provider&state=AGREED');
      return (list.body.negotiations as { id: string; consumerPid: string }[]).find(
        (n) => n.consumerPid === consumerPid,
      )?.id;
    });
    await waitFor('a refused delivery', async () => (relay.refused > 0 ? true : undefined));
    await provider.kill9();

    provider = await startChild(providerOptions);
    expect((await management(provider).get(`/negotiations/${pid(providerPid)}`)).body.state).to.equal(
      'AGREED',
    );
    relay.block(undefined);

    const done = await waitForState(consumer, `/negotiations/${pid(consumerPid)}`, 'FINALIZED', 15_000);
    await waitForState(provider, `/negotiations/${pid(providerPid)}`, 'FINALIZED', 15_000);
    agreementId = String(done.agreementId);
    const all = await management(provider).get('/negotiations?role=provider');
    expect(
      (all.body.negotiations as { consumerPid: string }[]).filter((n) => n.consumerPid === consumerPid),
    ).to.have.length(1);
  });

  it('finishes a transfer after both connectors were killed with its start message undelivered', async () => {
    relay.block(/\/transfers\/[^/]+\/start$/);
    const requested = await management(consumer).post('/transfers', { agreementId, format: 'HttpData-PULL' });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const consumerPid = String(requested.body.id);
    const providerPid = await waitFor('the provider to start', async () => {
      const list = await management(provider).get('/transfers?role=provider&state=STARTED');
      return (list.body.transfers as { id: string; consumerPid: string }[]).find(
        (t) => t.consumerPid === consumerPid,
      )?.id;
    });
    await waitFor('a refused delivery', async () => (relay.refused > 0 ? true : undefined));
    await Promise.all([provider.kill9(), consumer.kill9()]);

    [provider, consumer] = await Promise.all([startChild(providerOptions), startChild(consumerOptions)]);
    relay.block(undefined);
    const started = await waitForState(consumer, `/transfers/${pid(consumerPid)}`, 'STARTED', 15_000);
    expect((started.access as { endpoint: string }).endpoint).to.equal(
      `${provider.url}/data/${pid(providerPid)}`,
    );

    // The restarted pair carries on: suspend, resume, complete.
    await management(consumer).post(`/transfers/${pid(consumerPid)}/suspend`);
    await waitForState(provider, `/transfers/${pid(providerPid)}`, 'SUSPENDED');
    await management(provider).post(`/transfers/${pid(providerPid)}/resume`);
    await waitForState(consumer, `/transfers/${pid(consumerPid)}`, 'STARTED');
    await management(consumer).post(`/transfers/${pid(consumerPid)}/complete`);
    await waitForState(provider, `/transfers/${pid(providerPid)}`, 'COMPLETED');
  });

  it('takes the automatic step a killed provider had decided but not yet taken', async () => {
    const started = await management(consumer).post('/negotiations', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      datasetId: REVIEWED,
      offerId: catalogOfferId('reviewed', REVIEWED),
    });
    const consumerPid = String(started.body.id);
    const providerPid = await waitFor('the request to wait for the operator', async () => {
      const list = await management(provider).get('/negotiations?role=provider&state=REQUESTED');
      return (list.body.negotiations as { id: string; consumerPid: string }[]).find(
        (n) => n.consumerPid === consumerPid,
      )?.id;
    });
    await provider.kill9();
    // As if the provider had stored an automatic "agree" and died before acting on it.
    const db = await Database.open(join(providerOptions.dir, 'connector.sqlite'));
    await new NegotiationStore(db).update(providerPid, { pendingAction: false });
    await db.close();

    provider = await startChild(providerOptions);
    await waitForState(provider, `/negotiations/${pid(providerPid)}`, 'FINALIZED', 15_000);
    await waitForState(consumer, `/negotiations/${pid(consumerPid)}`, 'FINALIZED', 15_000);
  });
});
