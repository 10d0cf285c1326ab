// DspError statuses and error bodies; reading DataAddresses in the spec's shape and in EDC's (trap 9).
import { expect } from 'chai';
import {
  asDspError,
  catalogErrorBody,
  DspError,
  negotiationErrorBody,
  parseDspMessage,
  readDataAddress,
  transferErrorBody,
  validateDspMessage,
  type DataAddress,
} from '../../../connector/dsp/messages/index.js';
import { HttpProblem } from '../../../connector/http/problem.js';
import { DSP } from './helpers.js';

describe('DspError', () => {
  it('maps each code to the status the DSP bindings ask for', () => {
    expect(DspError.notFound('contract negotiation', 'urn:x').status).to.equal(404);
    expect(
      DspError.invalidTransition('transfer process', 'COMPLETED', 'TransferStartMessage').status,
    ).to.equal(400);
    expect(DspError.badMessage('ContractRequestMessage', []).status).to.equal(400);
    expect(DspError.unauthenticated('no Authorization header').status).to.equal(401);
    expect(new DspError('unsupported-filter', 'filters are not supported').status).to.equal(400);
  });

  it('is an HttpProblem, so the shared middleware answers with its status', () => {
    expect(DspError.notFound('dataset', 'urn:d')).to.be.instanceOf(HttpProblem);
  });

  it('hides unexpected errors behind a neutral internal error', () => {
    const err = asDspError(new Error('SQLITE_BUSY at /var/lib/shuyu/db'));
    expect(err.status).to.equal(500);
    expect(err.reason).to.not.include('SQLITE');
  });

  it('says what was wrong with a refused message, first problem included', async () => {
    const parsed = await parseDspMessage('TransferProcess', {
      '@context': [DSP],
      '@type': 'TransferProcess',
      providerPid: 'urn:p',
      consumerPid: 'urn:c',
    });
    if (parsed.ok) expect.fail('accepted');
    const err = DspError.badMessage('TransferProcess', parsed.errors);
    expect(err.reason).to.equal(
      'the body is not a valid DSP 2025-1 TransferProcess (/state: is required but missing)',
    );
    expect(err.errors).to.deep.equal(parsed.errors);
  });

  it('renders the three DSP error bodies, each valid against its schema when the pids are known', () => {
    const err = DspError.invalidTransition('contract negotiation', 'FINALIZED', 'ContractRequestMessage');
    const ids = { providerPid: 'urn:p', consumerPid: 'urn:c' };
    const cat = catalogErrorBody(DspError.notFound('dataset', 'urn:d'));
    expect(validateDspMessage('CatalogError', cat)).to.deep.equal([]);
    expect(cat.code).to.equal('not-found');
    const neg = negotiationErrorBody(err, ids);
    expect(validateDspMessage('ContractNegotiationError', neg)).to.deep.equal([]);
    expect(neg.reason).to.deep.equal([
      'a ContractRequestMessage cannot be applied to a contract negotiation in state FINALIZED',
    ]);
    expect(validateDspMessage('TransferError', transferErrorBody(err, ids))).to.deep.equal([]);
  });

  it('lists every field problem in the reason array', () => {
    const err = DspError.badMessage('TransferProcess', [
      { pointer: '/state', reason: 'is required but missing' },
      { pointer: '', reason: 'needs exactly one of "a", "b"' },
    ]);
    expect(transferErrorBody(err).reason).to.deep.equal([
      err.reason,
      '/state: is required but missing',
      '(message): needs exactly one of "a", "b"',
    ]);
  });
});

describe('readDataAddress (trap 9)', () => {
  it('reads the spec shape: endpoint on the address, authorization among the properties', () => {
    const address: DataAddress = {
      '@type': 'DataAddress',
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
      endpoint: 'https://provider.example/data',
      endpointProperties: [
        { '@type': 'EndpointProperty', name: 'authorization', value: 'TOKEN-ABCDEFG' },
        { '@type': 'EndpointProperty', name: 'authType', value: 'bearer' },
      ],
    };
    expect(readDataAddress(address)).to.deep.equal({
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
      endpoint: 'https://provider.example/data',
      authorization: 'TOKEN-ABCDEFG',
      properties: { authType: 'bearer' },
    });
  });

  it('reads the EDC shape: endpoint and authorization as full-IRI endpoint properties', () => {
    const edc = 'https://w3id.org/edc/v0.0.1/ns/';
    const address: DataAddress = {
      '@type': 'DataAddress',
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
      endpointProperties: [
        { '@type': 'EndpointProperty', name: `${edc}endpoint`, value: 'https://edc.example/public' },
        { '@type': 'EndpointProperty', name: `${edc}authorization`, value: 'eyJ.edr' },
        { '@type': 'EndpointProperty', name: `${edc}authType`, value: 'bearer' },
        { '@type': 'EndpointProperty', name: 'edc:expiresIn', value: '600' },
      ],
    };
    expect(readDataAddress(address)).to.deep.equal({
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
      endpoint: 'https://edc.example/public',
      authorization: 'eyJ.edr',
      properties: { authType: 'bearer', expiresIn: '600' },
    });
  });

  it('prefers the endpoint on the address when both places have one', () => {
    const view = readDataAddress({
      '@type': 'DataAddress',
      endpointType: 'HttpData',
      endpoint: 'https://a.example',
      endpointProperties: [{ '@type': 'EndpointProperty', name: 'endpoint', value: 'https://b.example' }],
    });
    expect(view.endpoint).to.equal('https://a.example');
  });

  it('works on what parseDspMessage hands back from an EDC TransferStartMessage', async () => {
    const parsed = await parseDspMessage('TransferStartMessage', {
      '@context': [DSP, 'https://w3id.org/edc/dspace/v0.0.1'],
      '@type': 'TransferStartMessage',
      providerPid: 'urn:p',
      consumerPid: 'urn:c',
      dataAddress: {
        '@type': 'DataAddress',
        endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
        endpointProperties: [
          {
            '@type': 'EndpointProperty',
            name: 'https://w3id.org/edc/v0.0.1/ns/endpoint',
            value: 'https://e.example',
          },
          { '@type': 'EndpointProperty', name: 'https://w3id.org/edc/v0.0.1/ns/authorization', value: 'tok' },
        ],
      },
    });
    if (!parsed.ok) expect.fail(JSON.stringify(parsed.errors));
    const address = parsed.message.dataAddress;
    if (!address) expect.fail('no dataAddress');
    const view = readDataAddress(address);
    expect(view.endpoint).to.equal('https://e.example');
    expect(view.authorization).to.equal('tok');
  });

  it('keeps a property named "__proto__" as a plain key', () => {
    const view = readDataAddress({
      '@type': 'DataAddress',
      endpointType: 'HttpData',
      endpointProperties: [{ '@type': 'EndpointProperty', name: '__proto__', value: 'x' }],
    });
    expect(Object.getPrototypeOf(view.properties)).to.equal(Object.prototype);
    expect(Object.hasOwn(view.properties, '__proto__')).to.equal(true);
  });
});
