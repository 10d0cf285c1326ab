// Eclipse EDC as it really writes and reads DSP 2025-1 (fixtures/edc, written from EDC's transformers):
// Shuyu's parser accepts every EDC message and reads the fields EDC meant, also in the other forms a
// JSON-LD peer may use (dspace:/odrl:-prefixed keys, fully expanded, plain `id`/`type`); and a pull
// DataAddress Shuyu sends yields its endpoint and token when read EDC's way (endpointProperties only).
import { expect } from 'chai';
import jsonld from 'jsonld';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { edrToDataAddress } from '../../connector/dataplane/index.js';
import { placeholderPullAddress } from '../../connector/control-plane/transfer/data-address.js';
import {
  buildTransferRequestMessage,
  buildTransferStartMessage,
  DSP_CONTEXT_URL,
  DSP_DOCUMENT_LOADER,
  EDC_AUTHORIZATION_PROPERTY,
  EDC_AUTH_TYPE_PROPERTY,
  EDC_DSPACE_CONTEXT_URL,
  EDC_ENDPOINT_PROPERTY,
  parseDspMessage,
  readDataAddress,
  type DataAddress,
  type DspMessageType,
  type Json,
  type JsonObject,
} from '../../connector/dsp/messages/index.js';
import { loadPolicy } from '../../policies/jsonld/load.js';

const DIR = fileURLToPath(new URL('./fixtures/edc/', import.meta.url));
const DSPACE = 'https://w3id.org/dspace/2025/1/';
const ODRL = 'http://www.w3.org/ns/odrl/2/';

interface Fixture {
  readonly file: string;
  readonly type: DspMessageType;
  readonly body: JsonObject;
}

const FIXTURES: readonly Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => {
    const body = JSON.parse(readFileSync(DIR + file, 'utf8')) as JsonObject;
    return { file, type: body['@type'] as DspMessageType, body };
  });

/** The messages the task names: every negotiation and transfer message, both ACKs, the catalog request. */
const EXPECTED_TYPES: readonly DspMessageType[] = [
  'CatalogRequestMessage',
  'ContractRequestMessage',
  'ContractOfferMessage',
  'ContractAgreementMessage',
  'ContractAgreementVerificationMessage',
  'ContractNegotiationEventMessage',
  'ContractNegotiationTerminationMessage',
  'ContractNegotiation',
  'TransferRequestMessage',
  'TransferStartMessage',
  'TransferSuspensionMessage',
  'TransferCompletionMessage',
  'TransferTerminationMessage',
  'TransferProcess',
];

/** What Shuyu should read from an EDC message: its fields, without @context and EDC's message @id. */
function fields(message: JsonObject): JsonObject {
  const { '@context': _context, '@id': _id, ...rest } = message;
  return rest;
}

async function parsed(type: DspMessageType, body: unknown): Promise<JsonObject> {
  const result = await parseDspMessage(type, body);
  if (!result.ok) expect.fail(`${type}: ${JSON.stringify(result.errors)}`);
  return result.message as unknown as JsonObject;
}

/** Every key of the message and its nodes written as a prefixed name: dspace:providerPid, odrl:permission. */
function prefixedKeys(value: unknown, odrlScope = false): unknown {
  if (Array.isArray(value)) return value.map((v) => prefixedKeys(v, odrlScope));
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value as JsonObject)) {
    if (key.startsWith('@') || key.includes(':')) {
      out[key] = key === '@context' ? child : (prefixedKeys(child, odrlScope) as Json);
      continue;
    }
    const inPolicy = odrlScope || key === 'offer' || key === 'agreement';
    const prefix = key === 'format' ? 'dct' : ODRL_KEYS.has(key) ? 'odrl' : 'dspace';
    const prefixed = `${prefix}:${key}`;
    // Prefixed keys lose the context's type coercion: IRI values must then say they are IRIs. EDC's
    // QuerySpec inside `filter` keeps EDC's own terms.
    out[prefixed] = IRI_KEYS.has(key)
      ? (asReference(child, key) as Json)
      : key === 'filter'
        ? child
        : (prefixedKeys(child, inPolicy) as Json);
  }
  return out;
}

const ODRL_KEYS = new Set([
  'permission',
  'prohibition',
  'obligation',
  'duty',
  'action',
  'constraint',
  'leftOperand',
  'operator',
  'rightOperand',
  'target',
  'assigner',
  'assignee',
]);
const IRI_KEYS = new Set([
  'providerPid',
  'consumerPid',
  'agreementId',
  'action',
  'leftOperand',
  'operator',
  'target',
  'assigner',
  'assignee',
  'eventType',
  'state',
  'endpointType',
  'format',
]);

/** A string in an IRI position, as a prefixed key needs it: `{"@id": <IRI>}` with terms expanded. */
function asReference(value: Json, key: string): Json {
  if (typeof value !== 'string') return value;
  if (value.includes(':')) return { '@id': value };
  const namespace = ['action', 'leftOperand', 'operator'].includes(key)
    ? ODRL
    : ['eventType', 'state'].includes(key)
      ? DSPACE
      : '';
  return { '@id': namespace + value };
}

describe('conformance: Eclipse EDC interop (fixtures written from EDC 2025-1 sources)', () => {
  it('has a fixture for every negotiation and transfer message, both ACKs and the catalog request', () => {
    expect(FIXTURES.map((f) => f.type).sort()).to.deep.equal([...EXPECTED_TYPES].sort());
    for (const { body } of FIXTURES) {
      expect(body['@context']).to.deep.equal([DSP_CONTEXT_URL, EDC_DSPACE_CONTEXT_URL]);
    }
  });

  for (const { file, type, body } of FIXTURES) {
    it(`${file}: accepted, with the fields EDC wrote`, async () => {
      const message = await parsed(type, structuredClone(body));
      const expected = fields(body);
      // The transfer format is read by name; EDC writes the bare name, so nothing changes.
      expect(fields(message)).to.deep.equal(expected);
    });

    it(`${file}: the same fields with dspace:/odrl:-prefixed keys`, async () => {
      const reference = fields(await parsed(type, structuredClone(body)));
      const message = await parsed(type, prefixedKeys(structuredClone(body)));
      expect(fields(message)).to.deep.equal(reference);
    });

    it(`${file}: the same fields fully expanded (no @context at all)`, async () => {
      const reference = fields(await parsed(type, structuredClone(body)));
      const expanded = await jsonld.expand(
        structuredClone(body) as jsonld.JsonLdDocument,
        {
          documentLoader: DSP_DOCUMENT_LOADER,
        } as unknown as jsonld.Options.Expand,
      );
      const message = await parsed(type, expanded);
      expect(fields(message)).to.deep.equal(reference);
    });
  }

  it('reads plain-JSON `type` and `id` as @type and @id when the contexts give them no other meaning', async () => {
    const fixture = FIXTURES.find((f) => f.type === 'ContractRequestMessage');
    const reference = fields(await parsed('ContractRequestMessage', structuredClone(fixture?.body)));
    const { '@type': type, '@id': _id, ...rest } = structuredClone(fixture?.body) as JsonObject;
    const offer = rest.offer as JsonObject;
    const { '@id': offerId, '@type': offerType, ...offerRest } = offer;
    const plain = {
      ...rest,
      '@context': [DSP_CONTEXT_URL],
      type,
      offer: { id: offerId, type: offerType, ...offerRest },
    };
    expect(fields(await parsed('ContractRequestMessage', plain))).to.deep.equal(reference);
    // Under EDC's context `id` is the property edc:id, not @id: it is not renamed (and not a DSP term).
    const withEdc = { ...plain, '@context': [DSP_CONTEXT_URL, EDC_DSPACE_CONTEXT_URL] };
    const refused = await parseDspMessage('ContractRequestMessage', withEdc);
    expect(refused.ok).to.equal(false);
  });

  it("reads EDC's offer as the policy it states (ODRL left operands and actions as odrl: IRIs)", async () => {
    const fixture = FIXTURES.find((f) => f.type === 'ContractRequestMessage');
    const message = await parsed('ContractRequestMessage', structuredClone(fixture?.body));
    const policy = await loadPolicy(message.offer);
    if (!policy.ok) expect.fail(JSON.stringify(policy.problems));
    const doc = policy.value.doc as {
      permission: { action: string[]; constraint: { leftOperand: string }[] }[];
      prohibition: { action: string[] }[];
    };
    expect(doc.permission[0]?.action).to.deep.equal(['use']);
    expect(doc.permission[0]?.constraint.map((c) => c.leftOperand)).to.deep.equal(['purpose', 'spatial']);
    expect(doc.prohibition[0]?.action).to.deep.equal(['distribute']);
  });

  it("reads the QuerySpec filter of EDC's catalog request as EDC wrote it", async () => {
    const fixture = FIXTURES.find((f) => f.type === 'CatalogRequestMessage');
    const result = await parseDspMessage('CatalogRequestMessage', structuredClone(fixture?.body));
    if (!result.ok) expect.fail(JSON.stringify(result.errors));
    expect(result.message['@context']).to.deep.equal([DSP_CONTEXT_URL, EDC_DSPACE_CONTEXT_URL]);
    expect(result.message.filter).to.deep.equal([
      { '@type': 'QuerySpec', limit: 50, offset: 0, sortOrder: 'ASC', filterExpression: [] },
    ]);
  });

  describe("EDC's endpoint form of a pull DataAddress", () => {
    const startFixture = (): JsonObject =>
      structuredClone(FIXTURES.find((f) => f.type === 'TransferStartMessage')?.body) as JsonObject;

    it("Shuyu reads the endpoint and token of EDC's TransferStartMessage, with or without `endpoint`", async () => {
      const message = await parsed('TransferStartMessage', startFixture());
      const view = readDataAddress(message.dataAddress as unknown as DataAddress);
      expect(view.endpoint).to.equal('https://edc-provider.example/public');
      expect(view.authorization).to.match(/^eyJ/);
      expect(view.properties.authType).to.equal('bearer');
      const withoutField = startFixture();
      delete (withoutField.dataAddress as JsonObject).endpoint;
      const onlyProperties = await parsed('TransferStartMessage', withoutField);
      expect(readDataAddress(onlyProperties.dataAddress as unknown as DataAddress)).to.deep.equal(view);
    });

    it("a push DataAddress Shuyu sends in a TransferRequestMessage also names its endpoint EDC's way", async () => {
      const message = buildTransferRequestMessage({
        consumerPid: 'urn:uuid:consumer-pid',
        agreementId: 'urn:uuid:agreement',
        format: 'HttpData-PUSH',
        callbackAddress: 'https://consumer.example/dsp',
        dataAddress: {
          '@type': 'DataAddress',
          endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
          endpoint: 'https://consumer.example/inbox',
          endpointProperties: [{ '@type': 'EndpointProperty', name: 'authorization', value: 'secret' }],
        },
      });
      const properties = await readLikeEdc(message as unknown as JsonObject);
      expect(properties.get(EDC_ENDPOINT_PROPERTY)).to.equal('https://consumer.example/inbox');
      expect(properties.get('authorization')).to.equal('secret');
    });

    for (const [name, address] of [
      [
        'an endpoint data reference',
        () =>
          edrToDataAddress({
            transferId: 't-1',
            agreementId: 'a-1',
            endpoint: 'https://provider.example/data/t-1',
            authType: 'bearer',
            authorization: 'eyJ.shuyu.token',
            expiresAt: '2026-06-01T08:05:00.000Z',
            expiresIn: 300,
            refreshEndpoint: 'https://provider.example/data/t-1/refresh',
          }),
      ],
      ['the placeholder pull address', () => placeholderPullAddress('https://provider.example', 't-1')],
    ] as const) {
      it(`a TransferStartMessage Shuyu builds with ${name} yields the endpoint read EDC's way`, async () => {
        const dataAddress = address() as DataAddress;
        const message = buildTransferStartMessage({
          providerPid: 'urn:uuid:provider-pid',
          consumerPid: 'urn:uuid:consumer-pid',
          dataAddress,
        });
        const properties = await readLikeEdc(message as unknown as JsonObject);
        expect(properties.get(EDC_ENDPOINT_PROPERTY)).to.equal(dataAddress.endpoint);
        expect(properties.get(EDC_AUTHORIZATION_PROPERTY)).to.equal(
          readDataAddress(dataAddress).authorization,
        );
        expect(properties.get(EDC_AUTH_TYPE_PROPERTY)).to.equal('bearer');
      });
    }
  });
});

/**
 * EDC's reading of a TransferStartMessage's DataAddress (JsonObjectToDataAddressDspaceTransformer): expand
 * the message, then take `endpointProperties` name → value; the DSP `endpoint` field is not looked at.
 */
async function readLikeEdc(message: JsonObject): Promise<Map<string, string>> {
  const [node] = (await jsonld.expand(
    message as jsonld.JsonLdDocument,
    {
      documentLoader: DSP_DOCUMENT_LOADER,
    } as unknown as jsonld.Options.Expand,
  )) as JsonObject[];
  const first = (value: unknown): JsonObject => (value as JsonObject[])[0] as JsonObject;
  const text = (value: unknown): string => String(first(value)['@value']);
  const address = first(node?.[`${DSPACE}dataAddress`]);
  const properties = (address[`${DSPACE}endpointProperties`] ?? []) as JsonObject[];
  return new Map(properties.map((p) => [text(p[`${DSPACE}name`]), text(p[`${DSPACE}value`])]));
}
