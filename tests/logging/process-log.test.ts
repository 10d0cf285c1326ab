// What the connectors log while they negotiate: one info line per state change on each side (process id,
// role, from -> to, counterparty DID, dataset), a warning with the reason when the provider refuses,
// every line with the connector's DID, and lines logged while a request is served with its request id;
// DSP messages carry the id of the request that queued them, so the peer's lines show the consumer's id.
import { expect } from 'chai';
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
} from '../dsp/helpers.js';
import { captureLogger } from './capture.js';

const VISITS = 'urn:dataset:outpatient-visits';

describe('logging: negotiation state changes and refusals', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let bank: ControlPlaneConnector;
  const providerLog = captureLogger();
  const hospitalLog = captureLogger();
  const bankLog = captureLogger();

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'P' }), {
      logger: providerLog.logger,
    });
    hospital = await startMember(space, 'hospital', hospitalApplication(), { logger: hospitalLog.logger });
    bank = await startMember(space, 'bank', bankApplication(), { logger: bankLog.logger });
    await publish(
      provider,
      [assetInput(VISITS, provider.did)],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [VISITS] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
  });
  after(async () => space?.close());

  let agreementId: string;
  const changes = (lines: Record<string, unknown>[], id: string) =>
    lines.filter((l) => l.negotiation === id).map((l) => `${String(l.from)} -> ${String(l.to)}`);

  it('logs each state change on both sides, the consumer’s first with the request id that caused it', async () => {
    const response = await fetch(`${hospital.managementUrl}/negotiations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${hospital.managementApiKey}`,
        'content-type': 'application/json',
        'x-request-id': 'start-negotiation-1',
      },
      body: JSON.stringify({
        counterPartyAddress: `${provider.url}/dsp`,
        counterPartyId: provider.did,
        datasetId: VISITS,
        offerId: catalogOfferId('research', VISITS),
      }),
    });
    expect(response.status).to.equal(201);
    expect(response.headers.get('x-request-id')).to.equal('start-negotiation-1');
    const id = String(((await response.json()) as { id: string }).id);
    const done = await waitForState(hospital, `/negotiations/${pid(id)}`, 'FINALIZED');
    const providerPid = String(done.providerPid);
    await waitForState(provider, `/negotiations/${pid(providerPid)}`, 'FINALIZED');

    expect(changes(hospitalLog.lines, id)).to.deep.equal([
      'null -> REQUESTED',
      'REQUESTED -> AGREED',
      'AGREED -> VERIFIED',
      'VERIFIED -> FINALIZED',
    ]);
    expect(changes(providerLog.lines, providerPid)).to.deep.equal([
      'null -> REQUESTED',
      'REQUESTED -> AGREED',
      'AGREED -> VERIFIED',
      'VERIFIED -> FINALIZED',
    ]);
    const first = hospitalLog.lines.find((l) => l.negotiation === id);
    expect(first).to.deep.include({
      level: 'info',
      process: 'connector',
      did: hospital.did,
      role: 'consumer',
      counterParty: provider.did,
      dataset: VISITS,
      requestId: 'start-negotiation-1',
    });
    expect(first?.time).to.be.a('string');
    // The provider's lines name the consumer; the request the outbox delivered carried the id of the
    // management request that queued it (X-Request-Id), so the provider logs it under the consumer's id.
    const received = providerLog.lines.find((l) => l.negotiation === providerPid);
    expect(received).to.deep.include({
      role: 'provider',
      counterParty: hospital.did,
      did: provider.did,
      requestId: 'start-negotiation-1',
    });
    // Every message after it was caused by the one before, so both sides log the whole negotiation under
    // the id of the request that started it.
    const ids = (lines: Record<string, unknown>[], negotiation: string) =>
      lines.filter((l) => l.negotiation === negotiation).map((l) => l.requestId);
    expect(ids(providerLog.lines, providerPid)).to.deep.equal(Array(4).fill('start-negotiation-1'));
    expect(ids(hospitalLog.lines, id)).to.deep.equal(Array(4).fill('start-negotiation-1'));
    agreementId = String(done.agreementId);
  });

  it('logs each transfer state change on both sides, with the agreement', async () => {
    const requested = await management(hospital).post('/transfers', { agreementId, format: 'HttpData-PULL' });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const id = String(requested.body.id);
    const started = await waitForState(hospital, `/transfers/${pid(id)}`, 'STARTED');
    const providerPid = String(started.providerPid);
    await waitForState(provider, `/transfers/${pid(providerPid)}`, 'STARTED');
    const transfers = (lines: Record<string, unknown>[], transfer: string) =>
      lines.filter((l) => l.transfer === transfer).map((l) => `${String(l.from)} -> ${String(l.to)}`);
    expect(transfers(hospitalLog.lines, id)).to.deep.equal(['null -> REQUESTED', 'REQUESTED -> STARTED']);
    expect(transfers(providerLog.lines, providerPid)).to.deep.equal([
      'null -> REQUESTED',
      'REQUESTED -> STARTED',
    ]);
    expect(hospitalLog.lines.find((l) => l.transfer === id)).to.deep.include({
      role: 'consumer',
      counterParty: provider.did,
      agreement: agreementId,
    });
  });

  it('logs a refused negotiation as a warning with the reason, on both sides', async () => {
    const started = await startNegotiation(bank, provider, VISITS, catalogOfferId('research', VISITS));
    const id = String(started.body.id);
    const done = await waitForState(bank, `/negotiations/${pid(id)}`, 'TERMINATED');
    const ended = bankLog.lines.find((l) => l.negotiation === id && l.to === 'TERMINATED');
    expect(ended).to.deep.include({ level: 'warn', role: 'consumer', counterParty: provider.did });
    expect(String(ended?.reason))
      .to.equal(String(done.reason))
      .and.match(/policy-denied/);
    const providerPid = String(done.providerPid);
    const refused = providerLog.lines.find((l) => l.negotiation === providerPid && l.to === 'TERMINATED');
    expect(refused).to.deep.include({ level: 'warn', role: 'provider', counterParty: bank.did });
    expect(refused?.code).to.be.a('string');
    expect(String(refused?.reason)).to.include(String(refused?.code));
  });

  it('logs client errors without a stack: a 404 at info, a refused (unauthenticated) DSP request as a warning', async () => {
    const answer = await management(hospital).get('/negotiations/urn:uuid:nope');
    expect(answer.status).to.equal(404);
    const line = hospitalLog.lines.find((l) => l.status === 404);
    expect(line).to.deep.include({ level: 'info', did: hospital.did, code: 'negotiation-not-found' });
    expect(line).to.not.have.property('err');

    const refused = await fetch(`${provider.url}/dsp/catalog/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'anonymous-catalog' },
      body: '{}',
    });
    expect(refused.status).to.equal(401);
    const warning = providerLog.lines.find((l) => l.requestId === 'anonymous-catalog');
    expect(warning).to.deep.include({ level: 'warn', status: 401, did: provider.did });
    expect(warning?.code).to.be.a('string');
    expect(warning).to.not.have.property('err');
  });
});
