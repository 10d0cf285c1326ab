// Every message Shuyu sends comes from a builder; each builder's output must pass the official
// 2025-1 schema, carry "@context" as an array, and read back unchanged through parseDspMessage.
import { expect } from 'chai';
import {
  buildCatalog,
  buildCatalogError,
  buildCatalogRequestMessage,
  buildContractAgreementMessage,
  buildContractAgreementVerificationMessage,
  buildContractNegotiation,
  buildContractNegotiationError,
  buildContractNegotiationEventMessage,
  buildContractNegotiationTerminationMessage,
  buildContractOfferMessage,
  buildContractRequestMessage,
  buildDataset,
  buildDatasetRequestMessage,
  buildTransferCompletionMessage,
  buildTransferError,
  buildTransferProcess,
  buildTransferRequestMessage,
  buildTransferStartMessage,
  buildTransferSuspensionMessage,
  buildTransferTerminationMessage,
  buildVersionResponse,
  DspError,
  parseDspMessage,
  validateDspMessage,
  type CatalogOffer,
  type Dataset,
  type DspMessageType,
  type DspSchemaName,
  type MessageOffer,
  readFormat,
} from '../../../connector/dsp/messages/index.js';
import { DSP } from './helpers.js';

const provider = 'urn:uuid:provider-pid-1';
const consumer = 'urn:uuid:consumer-pid-1';
const dataset = 'urn:shuyu:dataset:bj-load-hourly';

const catalogOffer: CatalogOffer = {
  '@id': 'urn:shuyu:offer:energy',
  '@type': 'Offer',
  permission: [
    {
      action: 'use',
      constraint: [
        { leftOperand: 'purpose', operator: 'isA', rightOperand: 'load-forecasting' },
        {
          leftOperand: 'dateTime',
          operator: 'lt',
          rightOperand: { '@value': '2027-07-01T00:00:00+08:00', '@type': 'xsd:dateTime' },
        },
      ],
    },
  ],
  prohibition: [{ action: 'distribute' }],
};

const offer: MessageOffer = { ...catalogOffer, target: dataset };

const datasetEntry: Dataset = {
  '@id': dataset,
  '@type': 'Dataset',
  'dct:title': 'Hourly grid load, Beijing',
  hasPolicy: [catalogOffer],
  distribution: [
    { '@type': 'Distribution', format: 'HttpData-PULL', accessService: 'urn:shuyu:service:dsp' },
  ],
};

const dataAddress = {
  '@type': 'DataAddress' as const,
  endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
  endpoint: 'https://provider.example/data/bj-load',
  endpointProperties: [{ '@type': 'EndpointProperty' as const, name: 'authorization', value: 'eyJ.token' }],
};

/** One built message per case; `type` is the schema it must pass. */
const cases: Array<{ name: string; type: DspSchemaName; build: () => object }> = [
  { name: 'CatalogRequestMessage', type: 'CatalogRequestMessage', build: () => buildCatalogRequestMessage() },
  {
    name: 'CatalogRequestMessage with filter',
    type: 'CatalogRequestMessage',
    build: () => buildCatalogRequestMessage({ filter: [{ 'dct:subject': 'energy' }] }),
  },
  {
    name: 'DatasetRequestMessage',
    type: 'DatasetRequestMessage',
    build: () => buildDatasetRequestMessage({ dataset }),
  },
  {
    name: 'Catalog',
    type: 'Catalog',
    build: () =>
      buildCatalog({
        '@id': 'urn:shuyu:catalog:grid-co',
        participantId: 'did:web:grid.example',
        dataset: [datasetEntry],
        service: [
          { '@id': 'urn:shuyu:service:dsp', '@type': 'DataService', endpointURL: 'https://grid.example/dsp' },
        ],
      }),
  },
  {
    name: 'Dataset',
    type: 'Dataset',
    build: () => {
      const { '@type': _type, ...fields } = datasetEntry;
      return buildDataset(fields);
    },
  },
  {
    name: 'CatalogError',
    type: 'CatalogError',
    build: () => buildCatalogError({ code: 'not-found', reason: ['no such dataset'] }),
  },
  {
    name: 'ContractRequestMessage (initial)',
    type: 'ContractRequestMessage',
    build: () =>
      buildContractRequestMessage({
        consumerPid: consumer,
        offer,
        callbackAddress: 'https://consumer.example/dsp',
      }),
  },
  {
    name: 'ContractRequestMessage (later)',
    type: 'ContractRequestMessage',
    build: () => buildContractRequestMessage({ providerPid: provider, consumerPid: consumer, offer }),
  },
  {
    name: 'ContractOfferMessage (initial)',
    type: 'ContractOfferMessage',
    build: () =>
      buildContractOfferMessage({
        providerPid: provider,
        offer,
        callbackAddress: 'https://provider.example/dsp',
      }),
  },
  {
    name: 'ContractOfferMessage (later)',
    type: 'ContractOfferMessage',
    build: () => buildContractOfferMessage({ providerPid: provider, consumerPid: consumer, offer }),
  },
  {
    name: 'ContractAgreementMessage',
    type: 'ContractAgreementMessage',
    build: () =>
      buildContractAgreementMessage({
        providerPid: provider,
        consumerPid: consumer,
        agreement: {
          '@id': 'urn:shuyu:agreement:1',
          '@type': 'Agreement',
          target: dataset,
          assigner: 'did:web:grid.example',
          assignee: 'did:web:forecast.example',
          timestamp: '2026-06-01T08:00:00Z',
          permission: catalogOffer.permission ?? [],
        },
      }),
  },
  {
    name: 'ContractAgreementVerificationMessage',
    type: 'ContractAgreementVerificationMessage',
    build: () => buildContractAgreementVerificationMessage({ providerPid: provider, consumerPid: consumer }),
  },
  {
    name: 'ContractNegotiationEventMessage (ACCEPTED)',
    type: 'ContractNegotiationEventMessage',
    build: () =>
      buildContractNegotiationEventMessage({
        providerPid: provider,
        consumerPid: consumer,
        eventType: 'ACCEPTED',
      }),
  },
  {
    name: 'ContractNegotiationEventMessage (FINALIZED)',
    type: 'ContractNegotiationEventMessage',
    build: () =>
      buildContractNegotiationEventMessage({
        providerPid: provider,
        consumerPid: consumer,
        eventType: 'FINALIZED',
      }),
  },
  {
    name: 'ContractNegotiationTerminationMessage',
    type: 'ContractNegotiationTerminationMessage',
    build: () =>
      buildContractNegotiationTerminationMessage({
        providerPid: provider,
        consumerPid: consumer,
        code: 'policy-refused',
        reason: ['the purpose is not permitted'],
      }),
  },
  {
    name: 'ContractNegotiation',
    type: 'ContractNegotiation',
    build: () =>
      buildContractNegotiation({ providerPid: provider, consumerPid: consumer, state: 'REQUESTED' }),
  },
  {
    name: 'ContractNegotiationError',
    type: 'ContractNegotiationError',
    build: () =>
      buildContractNegotiationError({
        providerPid: provider,
        consumerPid: consumer,
        code: 'x',
        reason: ['y'],
      }),
  },
  {
    name: 'TransferRequestMessage (pull)',
    type: 'TransferRequestMessage',
    build: () =>
      buildTransferRequestMessage({
        consumerPid: consumer,
        agreementId: 'urn:shuyu:agreement:1',
        format: 'HttpData-PULL',
        callbackAddress: 'https://consumer.example/dsp',
      }),
  },
  {
    name: 'TransferRequestMessage (push, with dataAddress)',
    type: 'TransferRequestMessage',
    build: () =>
      buildTransferRequestMessage({
        consumerPid: consumer,
        agreementId: 'urn:shuyu:agreement:1',
        format: 'HttpData-PUSH',
        callbackAddress: 'https://consumer.example/dsp',
        dataAddress,
      }),
  },
  {
    name: 'TransferStartMessage',
    type: 'TransferStartMessage',
    build: () => buildTransferStartMessage({ providerPid: provider, consumerPid: consumer, dataAddress }),
  },
  {
    name: 'TransferCompletionMessage',
    type: 'TransferCompletionMessage',
    build: () => buildTransferCompletionMessage({ providerPid: provider, consumerPid: consumer }),
  },
  {
    name: 'TransferSuspensionMessage',
    type: 'TransferSuspensionMessage',
    build: () =>
      buildTransferSuspensionMessage({
        providerPid: provider,
        consumerPid: consumer,
        reason: ['maintenance'],
      }),
  },
  {
    name: 'TransferTerminationMessage',
    type: 'TransferTerminationMessage',
    build: () =>
      buildTransferTerminationMessage({ providerPid: provider, consumerPid: consumer, code: 'revoked' }),
  },
  {
    name: 'TransferProcess',
    type: 'TransferProcess',
    build: () => buildTransferProcess({ providerPid: provider, consumerPid: consumer, state: 'STARTED' }),
  },
  {
    name: 'TransferError',
    type: 'TransferError',
    build: () =>
      buildTransferError({ providerPid: provider, consumerPid: consumer, code: 'x', reason: ['y'] }),
  },
  {
    name: 'the /.well-known/dspace-version body',
    type: 'VersionResponse',
    build: () => buildVersionResponse('/dsp/2025-1', { identifierType: 'did:web' }),
  },
];

describe('DSP message builders', () => {
  for (const { name, type, build } of cases) {
    it(`${name} passes the ${type} schema`, () => {
      expect(validateDspMessage(type, build())).to.deep.equal([]);
    });
  }

  const jsonLdTypes = new Set(cases.filter((c) => c.type !== 'VersionResponse').map((c) => c.type));
  it('cover every JSON-LD message type (20)', () => {
    expect(jsonLdTypes.size).to.equal(20);
  });

  for (const { name, type, build } of cases.filter((c) => c.type !== 'VersionResponse')) {
    it(`${name}: "@context" is an array and parseDspMessage reads it back unchanged`, async () => {
      const built = build() as Record<string, unknown>;
      expect(built['@context']).to.deep.equal([DSP]);
      const parsed = await parseDspMessage(type as DspMessageType, JSON.parse(JSON.stringify(built)));
      if (!parsed.ok) expect.fail(JSON.stringify(parsed.errors));
      expect(parsed.path).to.equal('fast');
      // The one field read back in another form: a transfer format goes out as an IRI that expands
      // ("dspace:HttpData-PULL") and is read back by name.
      const format = built.format;
      if (typeof format === 'string') {
        expect(format).to.match(/^dspace:HttpData-(PULL|PUSH)$/);
        expect(parsed.message).to.deep.equal({ ...built, format: readFormat(format) });
      } else expect(parsed.message).to.deep.equal(built);
    });
  }

  it('the version body has no @context and names 2025-1 over HTTPS (trap 8)', () => {
    const body = buildVersionResponse('/dsp/2025-1');
    expect(body).to.deep.equal({
      protocolVersions: [{ version: '2025-1', path: '/dsp/2025-1', binding: 'HTTPS' }],
    });
  });

  it('drops fields left undefined instead of sending them', () => {
    const body = buildTransferTerminationMessage({
      providerPid: provider,
      consumerPid: consumer,
      code: undefined,
    });
    expect(body).to.not.have.property('code');
  });

  it('refuses to build a catalog whose offer names a target (trap 6)', () => {
    const bad = { ...datasetEntry, hasPolicy: [offer] };
    let thrown: unknown;
    try {
      buildCatalog({ '@id': 'urn:c', participantId: 'did:web:grid.example', dataset: [bad] });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(DspError);
    const err = thrown as DspError;
    expect(err.code).to.equal('invalid-outgoing-message');
    expect(err.status).to.equal(500);
    expect(err.errors[0]?.pointer).to.equal('/dataset/0/hasPolicy/0/target');
  });

  it('refuses to build an offer without rules', () => {
    const empty = { '@id': 'urn:o', '@type': 'Offer', target: dataset } as unknown as MessageOffer;
    expect(() =>
      buildContractRequestMessage({ providerPid: provider, consumerPid: consumer, offer: empty }),
    ).to.throw(DspError, /breaks the DSP 2025-1 schema/);
  });

  it('error bodies leave out pids that are not known rather than inventing them', () => {
    const body = buildContractNegotiationError({
      consumerPid: consumer,
      code: 'not-found',
      reason: ['gone'],
    });
    expect(body).to.deep.equal({
      '@context': [DSP],
      '@type': 'ContractNegotiationError',
      consumerPid: consumer,
      code: 'not-found',
      reason: ['gone'],
    });
  });
});
