// What the DSP endpoints answer to what they must refuse: every kind of endpoint answers an invalid
// state transition with 400 and the spec's error body; a pid that is unknown or someone else's is
// 404; malformed, oversized or mistyped bodies are 4xx with reasons and never 5xx; a callbackAddress
// outside the host policy is refused; a message delivered twice changes nothing the second time.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  startLocalDataSpace,
  type HttpResult,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  dsp,
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

const DSP = ['https://w3id.org/dspace/2025/1/context.jsonld'];
const AUTO = 'urn:dataset:auto';
const MANUAL = 'urn:dataset:manual';

type Party = ControlPlaneConnector;

describe('dsp: refusals and duplicates', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: Party;
  let hospital: Party;
  let bank: Party;
  /** A FINALIZED negotiation (both sides), a REQUESTED one waiting for the operator, a TERMINATED transfer. */
  const finalized = { consumerPid: '', providerPid: '' };
  const waiting = { consumerPid: '', providerPid: '' };
  const ended = { consumerPid: '', providerPid: '' };
  let catalogOffer: Record<string, unknown>;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    hospital = await startMember(space, 'hospital', hospitalApplication());
    bank = await startMember(space, 'bank', bankApplication());
    await publish(
      provider,
      [assetInput(AUTO, provider.did), assetInput(MANUAL, provider.did)],
      [
        {
          id: 'auto',
          assetSelector: { assetIds: [AUTO] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
        {
          id: 'manual',
          assetSelector: { assetIds: [MANUAL] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
          approval: 'manual',
        },
      ],
    );
    const dataset = await dsp(provider, `/catalog/datasets/${pid(MANUAL)}`, { caller: hospital });
    catalogOffer = (dataset.body.hasPolicy as Record<string, unknown>[])[0] ?? {};

    const auto = await startNegotiation(hospital, provider, AUTO, catalogOfferId('auto', AUTO));
    const done = await waitForState(hospital, `/negotiations/${pid(String(auto.body.id))}`, 'FINALIZED');
    Object.assign(finalized, { consumerPid: done.consumerPid, providerPid: done.providerPid });
    await waitForState(provider, `/negotiations/${pid(finalized.providerPid)}`, 'FINALIZED');

    const manual = await startNegotiation(hospital, provider, MANUAL, catalogOfferId('manual', MANUAL));
    const requested = await waitFor('the provider’s pid', async () => {
      const r = await management(hospital).get(`/negotiations/${pid(String(manual.body.id))}`);
      return r.body.providerPid ? r.body : undefined;
    });
    Object.assign(waiting, { consumerPid: requested.consumerPid, providerPid: requested.providerPid });

    const transfer = await management(hospital).post('/transfers', {
      agreementId: done.agreementId,
      format: 'HttpData-PULL',
    });
    const started = await waitForState(hospital, `/transfers/${pid(String(transfer.body.id))}`, 'STARTED');
    Object.assign(ended, { consumerPid: started.consumerPid, providerPid: started.providerPid });
    await management(provider).post(`/transfers/${pid(ended.providerPid)}/terminate`, {
      reason: 'end of the test',
    });
    await waitForState(hospital, `/transfers/${pid(ended.consumerPid)}`, 'TERMINATED');
  });
  after(async () => space?.close());

  function message(type: string, fields: Record<string, unknown>): Record<string, unknown> {
    return { '@context': DSP, '@type': type, ...fields };
  }

  it('answers an invalid transition with 400 and the spec’s error body on every endpoint kind', async () => {
    const offer = { ...catalogOffer, target: MANUAL };
    const agreement = {
      '@id': 'urn:uuid:forged',
      '@type': 'Agreement',
      target: AUTO,
      assigner: provider.did,
      assignee: hospital.did,
      permission: [{ action: 'use' }],
    };
    // [who calls, whom, path, message]: provider endpoints called by the consumer, callbacks by the provider.
    const cases: [Party, Party, string, Record<string, unknown>][] = [
      [
        hospital,
        provider,
        `/negotiations/${pid(waiting.providerPid)}/request`,
        message('ContractRequestMessage', { ...waiting, offer }),
      ],
      [
        hospital,
        provider,
        `/negotiations/${pid(waiting.providerPid)}/events`,
        message('ContractNegotiationEventMessage', { ...waiting, eventType: 'ACCEPTED' }),
      ],
      [
        hospital,
        provider,
        `/negotiations/${pid(waiting.providerPid)}/agreement/verification`,
        message('ContractAgreementVerificationMessage', waiting),
      ],
      [
        hospital,
        provider,
        `/negotiations/${pid(finalized.providerPid)}/termination`,
        message('ContractNegotiationTerminationMessage', { ...finalized, code: 'late' }),
      ],
      [
        provider,
        hospital,
        `/negotiations/${pid(finalized.consumerPid)}/offers`,
        message('ContractOfferMessage', { ...finalized, offer: { ...offer, target: AUTO } }),
      ],
      [
        provider,
        hospital,
        `/negotiations/${pid(finalized.consumerPid)}/agreement`,
        message('ContractAgreementMessage', { ...finalized, agreement }),
      ],
      [
        provider,
        hospital,
        `/negotiations/${pid(waiting.consumerPid)}/events`,
        message('ContractNegotiationEventMessage', { ...waiting, eventType: 'FINALIZED' }),
      ],
      [
        provider,
        hospital,
        `/negotiations/${pid(finalized.consumerPid)}/termination`,
        message('ContractNegotiationTerminationMessage', finalized),
      ],
      [
        hospital,
        provider,
        `/transfers/${pid(ended.providerPid)}/start`,
        message('TransferStartMessage', ended),
      ],
      [
        hospital,
        provider,
        `/transfers/${pid(ended.providerPid)}/completion`,
        message('TransferCompletionMessage', ended),
      ],
      [
        hospital,
        provider,
        `/transfers/${pid(ended.providerPid)}/suspension`,
        message('TransferSuspensionMessage', ended),
      ],
      [
        hospital,
        provider,
        `/transfers/${pid(ended.providerPid)}/termination`,
        message('TransferTerminationMessage', ended),
      ],
      [
        provider,
        hospital,
        `/transfers/${pid(ended.consumerPid)}/start`,
        message('TransferStartMessage', ended),
      ],
      [
        provider,
        hospital,
        `/transfers/${pid(ended.consumerPid)}/completion`,
        message('TransferCompletionMessage', ended),
      ],
      [
        provider,
        hospital,
        `/transfers/${pid(ended.consumerPid)}/suspension`,
        message('TransferSuspensionMessage', { ...ended, code: 'x' }),
      ],
      [
        provider,
        hospital,
        `/transfers/${pid(ended.consumerPid)}/termination`,
        message('TransferTerminationMessage', { ...ended, code: 'again' }),
      ],
    ];
    for (const [caller, target, path, body] of cases) {
      const answer = await dsp(target, path, { body, caller });
      const errorType = path.startsWith('/negotiations') ? 'ContractNegotiationError' : 'TransferError';
      expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).to.equal(400);
      expect(answer.body, path).to.include({ '@type': errorType, code: 'invalid-transition' });
      expect((answer.body.reason as string[])[0], path).to.match(/cannot be accepted in state/);
      expect(answer.body.providerPid, path).to.equal(body.providerPid);
    }
  });

  it('answers 404 for an unknown pid and for another participant’s, alike', async () => {
    const unknown = 'urn:uuid:00000000-0000-0000-0000-000000000000';
    const answers: HttpResult[] = [
      await dsp(provider, `/negotiations/${pid(finalized.providerPid)}`, { caller: bank }),
      await dsp(provider, `/negotiations/${pid(unknown)}`, { caller: bank }),
      await dsp(provider, `/negotiations/${pid(finalized.providerPid)}/termination`, {
        body: message('ContractNegotiationTerminationMessage', finalized),
        caller: bank,
      }),
      await dsp(provider, `/transfers/${pid(ended.providerPid)}`, { caller: bank }),
      await dsp(hospital, `/transfers/${pid(ended.consumerPid)}/suspension`, {
        body: message('TransferSuspensionMessage', ended),
        caller: bank,
      }),
    ];
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).to.equal(404);
      expect(answer.body.code).to.equal('not-found');
      expect(JSON.stringify(answer.body)).to.not.include('FINALIZED');
    }
    // Its own parties see it.
    const own = await dsp(provider, `/negotiations/${pid(finalized.providerPid)}`, { caller: hospital });
    expect(own.status).to.equal(200);
    expect(own.body).to.include({ '@type': 'ContractNegotiation', state: 'FINALIZED', ...finalized });
  });

  it('answers malformed, oversized and mistyped bodies with 4xx and reasons, never 5xx', async () => {
    const cases: {
      path: string;
      raw?: string;
      body?: unknown;
      status: number;
      code: string;
      reason: RegExp;
    }[] = [
      {
        path: '/negotiations/request',
        raw: '{"@type": "ContractRequestMessage",',
        status: 400,
        code: 'malformed-json',
        reason: /not valid JSON/,
      },
      {
        path: '/transfers/request',
        raw: JSON.stringify({ pad: 'x'.repeat(300_000) }),
        status: 413,
        code: 'body-too-large',
        reason: /larger than/,
      },
      {
        path: '/negotiations/request',
        body: message('TransferRequestMessage', { consumerPid: 'urn:uuid:1' }),
        status: 400,
        code: 'bad-message',
        reason: /\/@type: must be "ContractRequestMessage"/,
      },
      {
        path: '/negotiations/request',
        body: message('ContractRequestMessage', {
          consumerPid: 'urn:uuid:1',
          callbackAddress: `${hospital.url}/dsp`,
        }),
        status: 400,
        code: 'bad-message',
        reason: /offer/,
      },
      {
        path: '/catalog/request',
        body: { '@context': DSP, '@type': 'CatalogRequestMessage', filter: [nested(80)] },
        status: 400,
        code: 'bad-message',
        reason: /nested deeper/,
      },
      { path: '/transfers/request', body: [1, 2, 3], status: 400, code: 'bad-message', reason: /object/ },
    ];
    for (const c of cases) {
      const answer = await dsp(provider, c.path, {
        caller: hospital,
        ...(c.raw !== undefined ? { raw: c.raw } : { body: c.body }),
      });
      expect(answer.status, `${c.path}: ${JSON.stringify(answer.body)}`).to.equal(c.status);
      expect(answer.body.code, c.path).to.equal(c.code);
      expect((answer.body.reason as string[]).join(' '), c.path).to.match(c.reason);
    }
  });

  it('refuses a callbackAddress outside the host policy and creates nothing', async () => {
    const before = (await management(provider).get('/negotiations?role=provider')).body
      .negotiations as unknown[];
    for (const callbackAddress of [
      'http://169.254.169.254/latest/meta-data',
      'https://internal.example/dsp',
      'file:///etc/passwd',
      'http://user:secret@127.0.0.1:1/dsp',
    ]) {
      const answer = await dsp(provider, '/negotiations/request', {
        body: message('ContractRequestMessage', {
          consumerPid: `urn:uuid:${randomUUID()}`,
          callbackAddress,
          offer: { ...catalogOffer, target: MANUAL },
        }),
        caller: hospital,
      });
      expect(answer.status, callbackAddress).to.equal(400);
      expect((answer.body.reason as string[]).join(' '), callbackAddress).to.match(/callbackAddress/);
    }
    const after = (await management(provider).get('/negotiations?role=provider')).body
      .negotiations as unknown[];
    expect(after).to.have.length(before.length);
  });

  it('applies a message delivered twice only once, and answers the duplicate like the first', async () => {
    const consumerPid = `urn:uuid:${randomUUID()}`;
    const request = message('ContractRequestMessage', {
      consumerPid,
      callbackAddress: `${hospital.url}/dsp`,
      offer: { ...catalogOffer, target: MANUAL },
    });
    const first = await dsp(provider, '/negotiations/request', { body: request, caller: hospital });
    const second = await dsp(provider, '/negotiations/request', { body: request, caller: hospital });
    expect([first.status, second.status]).to.deep.equal([201, 201]);
    expect(second.body).to.deep.equal(first.body);
    const list = (await management(provider).get('/negotiations?role=provider')).body.negotiations as {
      consumerPid: string;
    }[];
    expect(list.filter((n) => n.consumerPid === consumerPid)).to.have.length(1);

    const providerPid = String(first.body.providerPid);
    const termination = message('ContractNegotiationTerminationMessage', {
      providerPid,
      consumerPid,
      code: 'changed-mind',
    });
    const path = `/negotiations/${pid(providerPid)}/termination`;
    const once = await dsp(provider, path, { body: termination, caller: hospital });
    const twice = await dsp(provider, path, { body: termination, caller: hospital });
    expect([once.status, twice.status]).to.deep.equal([200, 200]);
    const record = await management(provider).get(`/negotiations/${pid(providerPid)}`);
    expect(record.body).to.include({ state: 'TERMINATED', version: 2 });
    // A different message in the terminal state is refused, not taken for a duplicate.
    const other = await dsp(provider, path, { body: { ...termination, code: 'other' }, caller: hospital });
    expect(other.status).to.equal(400);
  });
});

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { 'dcat:keyword': 'x' };
  for (let i = 0; i < depth; i++) value = { 'dcat:keyword': value };
  return value;
}
