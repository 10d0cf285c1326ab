// Request text that cannot be percent-encoded (a lone UTF-16 surrogate in JSON, a malformed %-sequence in
// a path) is refused with a reason on the management API and on DSP routes taking ids; never a 500.
import { expect } from 'chai';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  hospitalApplication,
  request,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { dsp, management, startMember } from '../dsp/helpers.js';
import { datasetOffer, dspMessage, publishDataset } from '../dsp/scenario.js';

describe('hardening: text that cannot be percent-encoded', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    consumer = await startMember(space, 'consumer', hospitalApplication());
  });
  after(async () => {
    await space?.close();
  });

  it('refuses a lone surrogate in datasetId with a pointer, for negotiations and dataset look-ups', async () => {
    const api = management(consumer);
    for (const path of ['/negotiations', '/catalog/dataset']) {
      const answer = await api.post(path, {
        counterPartyAddress: `${provider.url}/dsp`,
        counterPartyId: provider.did,
        datasetId: 'urn:dataset:\ud800x',
      });
      expect(answer.status, path).to.equal(400);
      expect(answer.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(answer.body.errors).to.deep.include({
        pointer: '/datasetId',
        reason: 'has a lone UTF-16 surrogate at index 12; send well-formed Unicode text',
      });
    }
    expect((await api.get('/negotiations')).body.negotiations).to.deep.equal([]);
  });

  it('answers DSP routes with a malformed percent-encoded id with a 4xx DSP error, not a 500', async () => {
    for (const [method, path] of [
      ['GET', '/negotiations/%ED%A0%80'],
      ['GET', '/transfers/%E0%A4%A'],
      ['POST', '/transfers/%ED%A0%80/start'],
      ['POST', '/negotiations/%ED%A0%80/termination'],
      ['GET', '/catalog/datasets/%ED%A0%80'],
    ] as const) {
      const answer = await dsp(provider, path, {
        method,
        caller: consumer,
        ...(method === 'POST' ? { body: {} } : {}),
      });
      expect(answer.status, `${method} ${path}`).to.be.within(400, 499);
      expect(answer.headers.get('content-type'), path).to.match(/json/);
    }
  });

  it('answers a DSP message whose pid has a lone surrogate without a 5xx', async () => {
    await publishDataset(provider, 'urn:dataset:surrogate');
    const offer = await datasetOffer(provider, consumer, 'urn:dataset:surrogate');
    for (const consumerPid of ['urn:uuid:\ud800', '\udfff']) {
      const answer = await dsp(provider, '/negotiations/request', {
        caller: consumer,
        body: dspMessage('ContractRequestMessage', {
          consumerPid,
          callbackAddress: `${consumer.url}/dsp`,
          offer,
        }),
      });
      expect(answer.status, JSON.stringify(answer.body)).to.be.within(200, 499);
    }
    const answer = await dsp(provider, '/negotiations/%ED%A0%80/termination', {
      caller: consumer,
      body: dspMessage('ContractNegotiationTerminationMessage', {
        providerPid: '\ud800',
        consumerPid: 'urn:uuid:\ud800',
        code: 'x',
      }),
    });
    expect(answer.status, JSON.stringify(answer.body)).to.be.within(400, 499);
  });

  it('refuses a malformed percent-encoded management path id with problem+json', async () => {
    const answer = await request(`${provider.managementUrl}/assets/%ED%A0%80`, {
      headers: { authorization: `Bearer ${provider.managementApiKey}` },
    });
    expect(answer.status).to.equal(400);
    expect(answer.headers.get('content-type')).to.match(/application\/problem\+json/);
  });
});
