// End to end between two onboarded connectors over real HTTP and SQLite: a consumer negotiates with
// a provider to FINALIZED (automatic provider), both store the agreement, and a transfer runs
// STARTED → SUSPENDED → STARTED → COMPLETED; a denied request tells the consumer the policy's reason;
// manual approval waits for the provider's operator; a use no longer permitted ends the transfer.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
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
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitForState,
} from './helpers.js';

const VISITS = 'urn:dataset:outpatient-visits';
const MANUAL = 'urn:dataset:rare-disease-registry';
const SHORT = 'urn:dataset:short-lived';
const TEMPLATE = 'urn:dataset:template-terms';

describe('dsp: negotiation and transfer end to end', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let bank: ControlPlaneConnector;
  /** The provider's control-plane clock (policy decisions), moved forward by one test. */
  let providerNow: number | undefined;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(
      space,
      'provider',
      hospitalApplication({ organisationName: 'Provider Hospital' }),
      {
        controlPlane: { clock: () => new Date(providerNow ?? Date.now()) },
      },
    );
    hospital = await startMember(space, 'hospital', hospitalApplication());
    bank = await startMember(space, 'bank', bankApplication());
    await publish(
      provider,
      [
        assetInput(VISITS, provider.did),
        assetInput(MANUAL, provider.did),
        assetInput(SHORT, provider.did),
        { ...assetInput(TEMPLATE, provider.did), dataGrade: 'important' },
      ],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [VISITS] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
        {
          id: 'reviewed',
          assetSelector: { assetIds: [MANUAL] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
          approval: 'manual',
        },
        {
          id: 'until-2030',
          assetSelector: { assetIds: [SHORT] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract('2030-01-01T00:00:00Z'),
        },
        {
          // The sector template: purpose, place and elapsed time only exist at use time.
          id: 'template',
          assetSelector: { assetIds: [TEMPLATE] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: JSON.parse(readFileSync('policies/templates/medical.json', 'utf8')) as object,
        },
      ],
    );
  });
  after(async () => space?.close());

  let agreementId: string;

  it('negotiates to FINALIZED with an automatic provider; both sides store the agreement', async () => {
    const started = await startNegotiation(hospital, provider, VISITS, catalogOfferId('research', VISITS));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    expect(started.body).to.include({ role: 'consumer', state: 'REQUESTED' });
    const id = String(started.body.id);

    const done = await waitForState(hospital, `/negotiations/${pid(id)}`, 'FINALIZED');
    const agreement = done.agreement as Record<string, unknown>;
    expect(agreement).to.include({
      '@type': 'Agreement',
      target: VISITS,
      assigner: provider.did,
      assignee: hospital.did,
    });
    expect(Date.parse(String(agreement.timestamp))).to.be.closeTo(Date.now(), 60_000);
    expect(agreement.permission).to.be.an('array').with.length(1);
    agreementId = String(done.agreementId);

    const providerSide = await waitForState(
      provider,
      `/negotiations/${pid(String(done.providerPid))}`,
      'FINALIZED',
    );
    expect(providerSide).to.include({ role: 'provider', consumerPid: id, counterPartyId: hospital.did });
    expect(providerSide.agreement).to.deep.equal(agreement);

    for (const side of [hospital, provider]) {
      const listed = await management(side).get('/agreements');
      expect((listed.body.agreements as { id: string }[]).map((a) => a.id)).to.include(agreementId);
      const one = await management(side).get(`/agreements/${pid(agreementId)}`);
      expect(one.status).to.equal(200);
      expect(one.body.agreement).to.deep.equal(agreement);
    }
  });

  it('transfers: STARTED with a pull data address, SUSPENDED, STARTED again, COMPLETED', async () => {
    const api = management(hospital);
    const requested = await api.post('/transfers', { agreementId, format: 'HttpData-PULL' });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const id = String(requested.body.id);
    const path = `/transfers/${pid(id)}`;

    const started = await waitForState(hospital, path, 'STARTED');
    const access = started.access as { endpoint: string; authorization: string };
    const providerPid = String(started.providerPid);
    expect(access.endpoint).to.equal(`${provider.url}/data/${pid(providerPid)}`);
    // An endpoint data reference: a compact JWS the provider's data plane checks at every access.
    expect(access.authorization).to.match(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const providerPath = `/transfers/${pid(providerPid)}`;
    const providerSide = await waitForState(provider, providerPath, 'STARTED');
    expect((providerSide.access as { authorization: string }).authorization).to.equal(access.authorization);

    // The consumer suspends, the provider resumes (with a fresh token), the consumer completes.
    expect((await api.post(`${path}/suspend`, { reason: 'maintenance window' })).body.state).to.equal(
      'SUSPENDED',
    );
    const suspended = await waitForState(provider, providerPath, 'SUSPENDED');
    expect(String(suspended.reason)).to.match(/suspended by the consumer.*maintenance window/);

    expect((await management(provider).post(`${providerPath}/resume`)).body.state).to.equal('STARTED');
    const resumed = await waitForState(hospital, path, 'STARTED');
    expect((resumed.access as { authorization: string }).authorization).to.not.equal(access.authorization);

    expect((await api.post(`${path}/complete`)).body.state).to.equal('COMPLETED');
    await waitForState(provider, providerPath, 'COMPLETED');
  });

  it('agrees on the medical template: use-time facts (purpose, place, elapsed time) are left to each access', async () => {
    const started = await startNegotiation(
      hospital,
      provider,
      TEMPLATE,
      catalogOfferId('template', TEMPLATE),
    );
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(hospital, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    const text = JSON.stringify(done.agreement);
    expect(text).to.include('scientific-research').and.include('elapsedTime').and.include('remedy');
  });

  it('tells a consumer whose claims the contract policy refuses why, and stores no agreement', async () => {
    const started = await startNegotiation(bank, provider, VISITS, catalogOfferId('research', VISITS));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(bank, `/negotiations/${pid(String(started.body.id))}`, 'TERMINATED');
    const reason = String(done.reason);
    expect(reason).to.match(/terminated by the provider \(policy-denied\)/);
    expect(reason).to.match(/CONSTRAINT_NOT_SATISFIED/);
    expect(reason).to.match(/shuyu:sector isA medical: finance .* is not a kind of medical/);
    // Only the bank's own claims appear, never the provider's or another member's.
    expect(reason).to.not.include(hospital.did);
    expect(reason).to.not.include('Beijing Research Hospital');
    expect(done.agreement).to.equal(null);
  });

  it('terminates the consumer’s negotiation with the provider’s reason when the request is refused', async () => {
    // Terms that differ from the catalog's: the provider refuses the request outright (400), the
    // consumer's outbox gives up and the negotiation ends with the provider's words.
    const dataset = await management(hospital).post('/catalog/dataset', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      datasetId: VISITS,
    });
    const offer = (dataset.body.dataset as { hasPolicy: Record<string, unknown>[] }).hasPolicy[0] ?? {};
    const started = await management(hospital).post('/negotiations', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      datasetId: VISITS,
      offer: { ...offer, prohibition: [{ action: 'sell' }] },
    });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(hospital, `/negotiations/${pid(String(started.body.id))}`, 'TERMINATED');
    expect(String(done.reason)).to.match(
      /could not deliver the ContractRequestMessage .* answered 400: bad-message: .*differs from offer/,
    );
  });

  it('waits for the operator on a manually approved offer, then agrees when told', async () => {
    const started = await startNegotiation(hospital, provider, MANUAL, catalogOfferId('reviewed', MANUAL));
    const id = String(started.body.id);
    const providerPid = await waitForProviderRecord(id);
    const pending = await management(provider).get(`/negotiations/${pid(providerPid)}`);
    expect(pending.body).to.include({ state: 'REQUESTED', pendingAction: true });
    expect((await management(hospital).get(`/negotiations/${pid(id)}`)).body.state).to.equal('REQUESTED');

    const agreed = await management(provider).post(`/negotiations/${pid(providerPid)}/agree`);
    expect(agreed.status, JSON.stringify(agreed.body)).to.equal(200);
    expect(agreed.body.state).to.equal('AGREED');
    await waitForState(hospital, `/negotiations/${pid(id)}`, 'FINALIZED');
    await waitForState(provider, `/negotiations/${pid(providerPid)}`, 'FINALIZED');
  });

  it('lets the provider counter-offer; the consumer accepts and the provider agrees', async () => {
    const started = await startNegotiation(hospital, provider, MANUAL, catalogOfferId('reviewed', MANUAL));
    const id = String(started.body.id);
    const providerRecord = await waitForProviderRecord(id);
    const offered = await management(provider).post(`/negotiations/${pid(providerRecord)}/offer`, {
      offer: { ...medicalContract('2098-01-01T00:00:00Z'), uid: 'urn:test:counter-offer' },
    });
    expect(offered.status, JSON.stringify(offered.body)).to.equal(200);
    const onConsumer = await waitForState(hospital, `/negotiations/${pid(id)}`, 'OFFERED');
    expect(onConsumer.pendingAction).to.equal(true);
    expect((onConsumer.offer as { '@id': string })['@id']).to.equal('urn:test:counter-offer');

    expect((await management(hospital).post(`/negotiations/${pid(id)}/accept`)).body.state).to.equal(
      'ACCEPTED',
    );
    const done = await waitForState(hospital, `/negotiations/${pid(id)}`, 'FINALIZED');
    expect(JSON.stringify(done.agreement)).to.include('2098-01-01T00:00:00Z');
  });

  it('terminates a transfer whose agreement no longer permits use when it starts', async () => {
    const started = await startNegotiation(hospital, provider, SHORT, catalogOfferId('until-2030', SHORT));
    const done = await waitForState(hospital, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    providerNow = Date.parse('2030-06-01T00:00:00Z');
    try {
      const requested = await management(hospital).post('/transfers', {
        agreementId: done.agreementId,
        format: 'HttpData-PULL',
      });
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
      const ended = await waitForState(
        hospital,
        `/transfers/${pid(String(requested.body.id))}`,
        'TERMINATED',
      );
      expect(String(ended.reason)).to.match(/does not permit this use now .*dateTime/);
    } finally {
      providerNow = undefined;
    }
  });

  async function waitForProviderRecord(consumerPid: string): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const list = await management(provider).get('/negotiations?role=provider');
      const found = (list.body.negotiations as { consumerPid: string; id: string }[]).find(
        (n) => n.consumerPid === consumerPid,
      );
      if (found) return found.id;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the provider never saw the request');
  }
});
