// What Shuyu puts on the wire means the same to a JSON-LD processor (EDC, any RDF tool) as to Shuyu.
// Every message type Shuyu sends, the four sector templates as catalog offers, and the catalogs the
// seed connectors publish are expanded with the bundled contexts only (anything else is refused):
// jsonld raises no safe-mode event (no dropped term or value), every IRI in the expanded form is
// absolute (no relative IRI from a bare term such as "purpose" or "HttpData-PULL"), each node keeps
// as many properties as it was written with; and expand → compact → Shuyu's reader gives back the
// same message and, after the policy engine's normalisation, the same policies.
import { expect } from 'chai';
import jsonld from 'jsonld';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ASSET_MIGRATIONS,
  AssetStore,
  Catalog,
  type Caller,
  type PublisherProfile,
} from '../../connector/assets/index.js';
import { dspPolicyBody } from '../../connector/assets/dsp.js';
import { buildAgreement } from '../../connector/control-plane/negotiation/agreement.js';
import { placeholderPullAddress } from '../../connector/control-plane/transfer/data-address.js';
import { edrToDataAddress } from '../../connector/dataplane/index.js';
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
  DSP_CONTEXT_URL,
  DSP_DOCUMENT_LOADER,
  parseDspMessage,
  type Agreement,
  type DataAddress,
  type DspMessageType,
  type JsonObject,
  type MessageOffer,
} from '../../connector/dsp/messages/index.js';
import type { NegotiationRecord } from '../../connector/negotiation/index.js';
import { Database } from '../../connector/store/database.js';
import { loadPolicy } from '../../policies/jsonld/load.js';
import { OPERANDS } from '../../policies/operands/registry.js';
import { ACTIONS } from '../../policies/vocabulary/actions.js';
import { loadSeeds } from '../../seeds/load.js';
import { asset, template } from '../assets/helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECTORS = ['medical', 'finance', 'energy', 'education'] as const;
const PROVIDER = 'did:web:provider.example';
const CONSUMER = 'did:web:consumer.example';
const PIDS = {
  providerPid: 'urn:uuid:7d0b2c9e-1a4f-4b6e-9c3d-5e8f0a1b2c3d',
  consumerPid: 'urn:uuid:2f4e6a8c-0b1d-4e3f-8a5c-7b9d1e3f5a7c',
};

/** Sees every seed offer: all credentials, sectors and roles, and the federated catalog's role. */
const EVERYONE: Caller = {
  participantId: 'did:web:federation.example',
  claims: {
    participantId: 'did:web:federation.example',
    credentialTypes: ['MembershipCredential', 'SectorCredential'],
    memberRole: 'catalog',
    sectors: [...SECTORS],
    sectorRoles: [],
    dataGradeClearance: 'core',
  },
};

// ---- the checks ----------------------------------------------------------------------------------

interface Expanded {
  readonly node: JsonObject;
  readonly events: string[];
}

/** jsonld's expansion with the bundled loader, recording every event jsonld raises (safe mode's list). */
async function expand(doc: JsonObject): Promise<Expanded> {
  const events: string[] = [];
  const nodes = (await jsonld.expand(
    structuredClone(doc) as jsonld.JsonLdDocument,
    {
      documentLoader: DSP_DOCUMENT_LOADER,
      base: null,
      eventHandler: ({ event, next }: { event: { code: string; details?: unknown }; next: () => void }) => {
        events.push(`${event.code} ${JSON.stringify(event.details)}`);
        next();
      },
    } as unknown as jsonld.Options.Expand,
  )) as JsonObject[];
  expect(nodes, 'one node after expansion').to.have.length(1);
  return { node: nodes[0] as JsonObject, events };
}

const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Every @id and @type in the expanded form that is not an absolute IRI, with where it is. */
function relativeIris(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => relativeIris(v, `${path}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === '@value') continue;
    const here = `${path}/${key}`;
    if (key === '@id' || (key === '@type' && !Object.hasOwn(value, '@value'))) {
      for (const iri of [child].flat()) if (!ABSOLUTE_IRI.test(String(iri))) out.push(`${here}: ${iri}`);
    } else if (key === '@type') {
      if (!ABSOLUTE_IRI.test(String(child))) out.push(`${here}: ${child}`);
    } else out.push(...relativeIris(child, here));
  }
  return out;
}

/** A node with properties (not a value `{"@value"}` nor a bare reference `{"@id"}`). */
function isNode(value: unknown): value is JsonObject {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).some((k) => k !== '@id' && k !== '@value' && k !== '@type' && k !== '@language')
  );
}

/** Properties (and @id/@type) over all nodes, @context aside: the same before and after expansion. */
function propertyCount(value: unknown, root = true): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + propertyCount(v, false), 0);
  if (!isNode(value) && !(root && value !== null && typeof value === 'object')) return 0;
  let count = 0;
  for (const [key, child] of Object.entries(value)) {
    if (key === '@context') continue;
    count += 1 + propertyCount(child, false);
  }
  return count;
}

/** Nothing dropped, nothing relative: the message means to a JSON-LD processor what it says. */
async function expectSurvivesExpansion(label: string, doc: JsonObject): Promise<JsonObject> {
  const { node, events } = await expand(doc);
  expect(events, `${label}: jsonld events (safe mode)`).to.deep.equal([]);
  expect(relativeIris(node), `${label}: relative IRIs`).to.deep.equal([]);
  expect(propertyCount(node), `${label}: properties after expansion`).to.equal(propertyCount(doc));
  return node;
}

/** The expanded form compacted again with the DSP context, as a JSON-LD peer would send it back. */
async function compactAgain(node: JsonObject): Promise<JsonObject> {
  const compacted = (await (jsonld.compact as (d: unknown, c: unknown, o: unknown) => Promise<unknown>)(
    node,
    DSP_CONTEXT_URL,
    { documentLoader: DSP_DOCUMENT_LOADER },
  )) as JsonObject;
  return { ...compacted, '@context': [DSP_CONTEXT_URL] };
}

async function canonicalPolicy(policy: unknown): Promise<JsonObject> {
  const loaded = await loadPolicy(policy);
  if (!loaded.ok) expect.fail(JSON.stringify(loaded.problems));
  return loaded.value.doc;
}

/** Offers and agreements anywhere in a message (policies under hasPolicy, offer, agreement). */
function policiesIn(value: unknown, out: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(value)) value.forEach((v) => policiesIn(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'hasPolicy') [child].flat().forEach((p) => out.push(p as JsonObject));
      else if (key === 'offer' || key === 'agreement') out.push(child as JsonObject);
      if (key !== 'offer' && key !== 'agreement') policiesIn(child, out);
    }
  }
  return out;
}

/** expand → compact → parseDspMessage: the same message, and the same policies after normalisation. */
async function expectRoundTrip(type: DspMessageType, message: JsonObject): Promise<void> {
  const node = await expectSurvivesExpansion(type, message);
  const original = await parseDspMessage(type, structuredClone(message));
  if (!original.ok) expect.fail(`${type} as sent: ${JSON.stringify(original.errors)}`);
  const back = await parseDspMessage(type, await compactAgain(node));
  if (!back.ok) expect.fail(`${type} after expand → compact: ${JSON.stringify(back.errors)}`);
  const sent = policiesIn(original.message);
  const received = policiesIn(back.message);
  expect(received.length).to.equal(sent.length);
  for (let i = 0; i < sent.length; i++) {
    expect(await canonicalPolicy(received[i]), `${type}: policy ${i}`).to.deep.equal(
      await canonicalPolicy(sent[i]),
    );
  }
  // Everything else reads the same too; the policies may differ in form only (checked above).
  expect(withoutPolicies(back.message)).to.deep.equal(withoutPolicies(original.message));
}

function withoutPolicies(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPolicies);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'hasPolicy' && key !== 'offer' && key !== 'agreement')
      .map(([key, child]) => [key, withoutPolicies(child)]),
  );
}

// ---- what Shuyu sends ------------------------------------------------------------------------------

interface Provider {
  readonly store: AssetStore;
  readonly catalog: Catalog;
  readonly close: () => Promise<void>;
}

async function openProvider(
  participantId: string,
  endpointURL: string,
  publisher?: PublisherProfile,
): Promise<Provider> {
  const dir = mkdtempSync(join(tmpdir(), 'shuyu-roundtrip-'));
  const db = await Database.open(join(dir, 'connector.sqlite'), ASSET_MIGRATIONS);
  const store = new AssetStore(db, { clock: () => new Date('2026-06-01T00:00:00Z') });
  const catalog = new Catalog(store, {
    participantId,
    endpointURL,
    transferFormats: ['HttpData-PULL', 'HttpData-PUSH'],
    now: () => Date.parse('2026-06-01T00:00:00Z'),
    ...(publisher === undefined ? {} : { publisher }),
  });
  return { store, catalog, close: () => db.close() };
}

/** A provider publishing one dataset per sector template; its catalog as the federated catalog sees it. */
async function templateCatalog(): Promise<{ catalog: JsonObject; offers: Map<string, MessageOffer> }> {
  const provider = await openProvider(PROVIDER, 'https://provider.example/dsp');
  try {
    const store = provider.store;
    for (const sector of SECTORS) {
      const datasetId = `urn:shuyu:dataset:${sector}:roundtrip`;
      await store.createAsset(asset(datasetId, { sector }));
      await store.createOffer({
        id: sector,
        assetSelector: { assetIds: [datasetId] },
        accessPolicy: {
          '@context': 'http://www.w3.org/ns/odrl.jsonld',
          '@type': 'Set',
          uid: `urn:test:access:${sector}`,
          permission: [
            {
              action: 'read',
              constraint: [
                {
                  leftOperand: 'shuyu:credentialType',
                  operator: 'hasPart',
                  rightOperand: 'MembershipCredential',
                },
              ],
            },
          ],
        },
        contractPolicy: template(sector),
      });
    }
    const page = await provider.catalog.catalogFor(EVERYONE, {});
    expect(page.datasets).to.have.length(SECTORS.length);
    const offers = new Map<string, MessageOffer>();
    for (const dataset of page.datasets) {
      const offer = dataset.hasPolicy[0];
      if (offer === undefined) expect.fail(`no offer on ${dataset['@id']}`);
      const { 'https://w3id.org/shuyu/v1#accessPolicy': _access, ...rest } = offer as unknown as JsonObject;
      offers.set(String(dataset[`https://w3id.org/shuyu/v1#sector`]), {
        ...(rest as unknown as MessageOffer),
        target: dataset['@id'],
      });
    }
    const catalog = buildCatalog(
      provider.catalog.catalogDocument(page) as unknown as Parameters<typeof buildCatalog>[0],
    );
    return { catalog: catalog as unknown as JsonObject, offers };
  } finally {
    await provider.close();
  }
}

function dataAddresses(): Record<string, DataAddress> {
  return {
    edr: edrToDataAddress({
      transferId: 'urn:uuid:transfer-1',
      agreementId: 'urn:uuid:agreement-1',
      endpoint: 'https://provider.example/data/transfer-1',
      authType: 'bearer',
      authorization: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJjb25zdW1lciJ9.c2ln',
      expiresAt: '2026-06-01T08:05:00.000Z',
      expiresIn: 300,
      refreshEndpoint: 'https://provider.example/data/transfer-1/refresh',
    }) as DataAddress,
    placeholder: placeholderPullAddress('https://provider.example', 'transfer-1'),
  };
}

/** One message of every type Shuyu sends, with the medical template (the richest policy) as the offer. */
function messages(offer: MessageOffer, catalog: JsonObject): Array<[string, DspMessageType, JsonObject]> {
  const record = {
    datasetId: offer.target,
    counterPartyId: CONSUMER,
    offer: offer as unknown as Record<string, unknown>,
  } as unknown as NegotiationRecord;
  const agreement: Agreement = buildAgreement(record, PROVIDER, new Date('2026-06-01T08:00:00Z'));
  const { '@context': _c, '@type': _t, ...catalogFields } = catalog;
  const dataset = (catalog.dataset as JsonObject[])[0] as JsonObject;
  const { edr, placeholder } = dataAddresses();
  const push: DataAddress = {
    '@type': 'DataAddress',
    endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
    endpoint: 'https://consumer.example/inbox',
    endpointProperties: [{ '@type': 'EndpointProperty', name: 'authorization', value: 'consumer-secret' }],
  };
  const code = { code: 'policy-refused', reason: ['the purpose is not allowed'] };
  const all: Array<[string, DspMessageType, unknown]> = [
    ['CatalogRequestMessage', 'CatalogRequestMessage', buildCatalogRequestMessage({})],
    ['DatasetRequestMessage', 'DatasetRequestMessage', buildDatasetRequestMessage({ dataset: offer.target })],
    ['Catalog', 'Catalog', buildCatalog(catalogFields as unknown as Parameters<typeof buildCatalog>[0])],
    ['Dataset', 'Dataset', buildDataset(dataset as unknown as Parameters<typeof buildDataset>[0])],
    ['CatalogError', 'CatalogError', buildCatalogError(code)],
    [
      'ContractRequestMessage (initial)',
      'ContractRequestMessage',
      buildContractRequestMessage({
        consumerPid: PIDS.consumerPid,
        callbackAddress: 'https://consumer.example/dsp',
        offer,
      }),
    ],
    [
      'ContractRequestMessage (counter)',
      'ContractRequestMessage',
      buildContractRequestMessage({ ...PIDS, offer }),
    ],
    [
      'ContractOfferMessage (initial)',
      'ContractOfferMessage',
      buildContractOfferMessage({
        providerPid: PIDS.providerPid,
        callbackAddress: 'https://provider.example/dsp',
        offer,
      }),
    ],
    ['ContractOfferMessage (counter)', 'ContractOfferMessage', buildContractOfferMessage({ ...PIDS, offer })],
    [
      'ContractAgreementMessage',
      'ContractAgreementMessage',
      buildContractAgreementMessage({ ...PIDS, agreement }),
    ],
    [
      'ContractAgreementVerificationMessage',
      'ContractAgreementVerificationMessage',
      buildContractAgreementVerificationMessage(PIDS),
    ],
    [
      'ContractNegotiationEventMessage',
      'ContractNegotiationEventMessage',
      buildContractNegotiationEventMessage({ ...PIDS, eventType: 'ACCEPTED' }),
    ],
    [
      'ContractNegotiationTerminationMessage',
      'ContractNegotiationTerminationMessage',
      buildContractNegotiationTerminationMessage({ ...PIDS, ...code }),
    ],
    ['ContractNegotiation', 'ContractNegotiation', buildContractNegotiation({ ...PIDS, state: 'AGREED' })],
    [
      'ContractNegotiationError',
      'ContractNegotiationError',
      buildContractNegotiationError({ ...PIDS, ...code }),
    ],
    [
      'TransferRequestMessage (pull)',
      'TransferRequestMessage',
      buildTransferRequestMessage({
        consumerPid: PIDS.consumerPid,
        agreementId: agreement['@id'],
        format: 'HttpData-PULL',
        callbackAddress: 'https://consumer.example/dsp',
      }),
    ],
    [
      'TransferRequestMessage (push)',
      'TransferRequestMessage',
      buildTransferRequestMessage({
        consumerPid: PIDS.consumerPid,
        agreementId: agreement['@id'],
        format: 'HttpData-PUSH',
        callbackAddress: 'https://consumer.example/dsp',
        dataAddress: push,
      }),
    ],
    [
      'TransferStartMessage (endpoint data reference)',
      'TransferStartMessage',
      buildTransferStartMessage({ ...PIDS, dataAddress: edr }),
    ],
    [
      'TransferStartMessage (placeholder address)',
      'TransferStartMessage',
      buildTransferStartMessage({ ...PIDS, dataAddress: placeholder }),
    ],
    ['TransferCompletionMessage', 'TransferCompletionMessage', buildTransferCompletionMessage(PIDS)],
    [
      'TransferSuspensionMessage',
      'TransferSuspensionMessage',
      buildTransferSuspensionMessage({ ...PIDS, ...code }),
    ],
    [
      'TransferTerminationMessage',
      'TransferTerminationMessage',
      buildTransferTerminationMessage({ ...PIDS, ...code }),
    ],
    ['TransferProcess', 'TransferProcess', buildTransferProcess({ ...PIDS, state: 'STARTED' })],
    ['TransferError', 'TransferError', buildTransferError({ ...PIDS, ...code })],
  ];
  return all.map(([name, type, body]) => [name, type, JSON.parse(JSON.stringify(body)) as JsonObject]);
}

// ---- the tests -------------------------------------------------------------------------------------

describe('conformance: wire forms survive JSON-LD expansion (bundled contexts only)', function () {
  this.timeout(60_000);
  let catalog: JsonObject;
  let offers: Map<string, MessageOffer>;

  before(async () => {
    ({ catalog, offers } = await templateCatalog());
  });

  it('the checks catch what they are for: a bare ODRL term, a bare format, a term the context lacks', async () => {
    const offer = {
      '@id': 'urn:test:offer',
      '@type': 'Offer',
      target: 'urn:test:dataset',
      permission: [
        { action: 'use', constraint: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'x' }] },
      ],
    };
    const relative = await expand({
      '@context': [DSP_CONTEXT_URL],
      '@type': 'ContractRequestMessage',
      offer,
    });
    const found = relativeIris(relative.node);
    expect(found).to.have.length(1);
    expect(found[0]).to.match(/odrl\/2\/leftOperand\/0\/@id: purpose$/);
    const format = await expand({
      '@context': [DSP_CONTEXT_URL],
      '@type': 'TransferRequestMessage',
      format: 'HttpData-PULL',
    });
    expect(relativeIris(format.node)).to.deep.equal([
      '/http://purl.org/dc/terms/format/0/@id: HttpData-PULL',
    ]);
    const dropped = { '@context': [DSP_CONTEXT_URL], '@type': 'ContractRequestMessage', refinement: [] };
    const { node, events } = await expand(dropped);
    expect(events.some((e) => e.startsWith('invalid property'))).to.equal(true);
    expect(propertyCount(node)).to.be.below(propertyCount(dropped));
    try {
      await expand({ '@context': ['https://example.org/unbundled.jsonld'], '@type': 'Offer' });
      expect.fail('an unbundled context was loaded');
    } catch (e) {
      expect(String((e as Error).message)).to.not.match(/was loaded/);
    }
  });

  it('covers every DSP message type Shuyu sends (20)', () => {
    const medical = offers.get('medical');
    if (medical === undefined) expect.fail('no medical offer');
    expect(new Set(messages(medical, catalog).map(([, type]) => type)).size).to.equal(20);
  });

  for (const sector of SECTORS) {
    it(`${sector} template: the catalog offer and every message carrying it round-trip`, async () => {
      const offer = offers.get(sector);
      if (offer === undefined) expect.fail(`no ${sector} offer`);
      for (const [name, type, body] of messages(offer, catalog)) {
        if (
          sector !== 'medical' &&
          !['Dataset', 'ContractRequestMessage', 'ContractAgreementMessage'].includes(type)
        )
          continue;
        try {
          await expectRoundTrip(type, body);
        } catch (e) {
          (e as Error).message = `${name}: ${(e as Error).message}`;
          throw e;
        }
      }
      // The template itself and its wire form are the same policy to the policy engine.
      expect(await canonicalPolicy(offer)).to.deep.include(
        withoutUid(await canonicalPolicy(template(sector))),
      );
    });
  }

  it('every ODRL action and left operand Shuyu knows, and the other IRI-valued terms, survive', async () => {
    const operands = [...OPERANDS.values()].map((o) => ({
      leftOperand: o.name,
      operator: o.operators[0] ?? 'eq',
      rightOperand: 'x',
    }));
    const canonical: JsonObject = {
      conflict: 'prohibit',
      permission: Object.keys(ACTIONS).map((action) => ({ action: [action], constraint: operands })),
      // An action with a refinement only where the DSP schema allows an object (a rule's `action` must
      // be a string): in a remedy, as the medical template has it in a duty.
      prohibition: [
        {
          action: ['distribute'],
          remedy: [
            {
              action: [
                {
                  value: 'delete',
                  refinement: [{ leftOperand: 'count', operator: 'lteq', rightOperand: '3' }],
                },
              ],
            },
          ],
        },
      ],
      obligation: [{ action: ['compensate'], consequence: [{ action: ['inform'] }] }],
    };
    const offer = { '@id': 'urn:test:every-term', '@type': 'Offer', ...dspPolicyBody(canonical) };
    const dataset = { ...(catalog.dataset as JsonObject[])[0], hasPolicy: [offer] };
    await expectRoundTrip('Dataset', { '@context': [DSP_CONTEXT_URL], ...dataset } as JsonObject);
    expect(Object.keys(ACTIONS).length).to.be.greaterThan(40);
    expect(operands.length).to.be.greaterThan(10);
  });

  it('the catalog of the four templates, with the access policies the federated catalog gets', async () => {
    await expectRoundTrip('Catalog', catalog);
  });

  it('the catalogs every seed connector publishes', async () => {
    const members = loadSeeds(ROOT);
    expect(members.length).to.be.greaterThan(0);
    let datasets = 0;
    for (const member of members) {
      // With the member's registration: the DCAT-AP publisher, contact, themes and region.
      const provider = await openProvider(
        `did:web:${member.key}.example`,
        `https://${member.key}.example/dsp`,
        member.publisher,
      );
      try {
        const store = provider.store;
        for (const seeded of member.datasets) {
          await store.createAsset(seeded.asset);
          for (const offer of seeded.offers) await store.createOffer(offer);
        }
        const page = await provider.catalog.catalogFor(withSeedRoles(members), { limit: 1000 });
        expect(page.total, `${member.key}: every seed dataset is in its catalog`).to.equal(
          member.datasets.length,
        );
        datasets += page.total;
        const document = JSON.parse(JSON.stringify(provider.catalog.catalogDocument(page))) as JsonObject;
        await expectRoundTrip('Catalog', document);
      } catch (e) {
        (e as Error).message = `${member.key}: ${(e as Error).message}`;
        throw e;
      } finally {
        await provider.close();
      }
    }
    expect(datasets).to.equal(members.reduce((n, m) => n + m.datasets.length, 0));
  });
});

/** EVERYONE, also holding every sector role a seed offer's access policy asks for. */
function withSeedRoles(members: ReturnType<typeof loadSeeds>): Caller {
  const roles = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const node = value as JsonObject;
      if (node.leftOperand === 'shuyu:sectorRole')
        [node.rightOperand].flat().forEach((r) => roles.add(String(r)));
      Object.values(node).forEach(visit);
    }
  };
  members.forEach((m) => m.datasets.forEach((d) => d.offers.forEach((o) => visit(o.accessPolicy))));
  return { ...EVERYONE, claims: { ...EVERYONE.claims, sectorRoles: [...roles] } };
}

/** The template's canonical form without its uid (catalog offers carry the catalog offer id instead). */
function withoutUid(doc: JsonObject): JsonObject {
  const { uid: _uid, ...rest } = doc;
  return rest;
}
