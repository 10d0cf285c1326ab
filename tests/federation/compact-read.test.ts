// Reading catalog pages without JSON-LD processing (crawl/compact-read.ts): a Shuyu connector's page,
// built by connector/assets from the four sector templates, is taken as sent and gives the index
// exactly the facts the JSON-LD path gives (metadata, access policies, summaries, features); pages
// JSON-LD could rewrite still go through parseDspMessage.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isForeignIriKey, readCompactCatalog } from '../../catalog/federation/crawl/compact-read.js';
import { datasetsOf } from '../../catalog/federation/crawl/normalise.js';
import { OfferPreparer, type PreparedDataset } from '../../catalog/federation/crawl/prepare.js';
import { ASSET_MIGRATIONS, AssetStore, Catalog, type Caller } from '../../connector/assets/index.js';
import { parseDspMessage, type JsonObject } from '../../connector/dsp/messages/index.js';
import { Database } from '../../connector/store/database.js';
import { template } from './helpers.js';

const PROVIDER = 'did:web:127.0.0.1%3A9999';
const SECTORS = ['medical', 'finance', 'energy', 'education'] as const;
const CATALOG_CALLER: Caller = {
  participantId: 'did:web:authority.example',
  claims: {
    participantId: 'did:web:authority.example',
    credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'],
    memberRole: 'catalog',
    sectors: [...SECTORS],
    sectorRoles: [],
    dataGradeClearance: 'core',
  },
};

/** What the index keeps of a dataset, apart from the stored JSON forms. */
function facts(prepared: PreparedDataset): unknown {
  const { offers: _o, body: _b, hash: _h, ...metadata } = prepared.dataset;
  return {
    metadata,
    offers: prepared.offers.map((o) => ({
      id: o.offerId,
      access: o.access && { text: o.access.text, compiles: o.access.compiles, names: o.access.namesAssigner },
      summary: o.terms.summary,
      features: o.terms.features,
    })),
  };
}

describe('federation: reading compact catalog pages without JSON-LD', () => {
  let dir: string;
  let db: Database;
  let page: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuyu-federation-compact-'));
    db = await Database.open(join(dir, 'assets.sqlite'), ASSET_MIGRATIONS);
    const store = new AssetStore(db);
    const catalog = new Catalog(store, {
      participantId: PROVIDER,
      endpointURL: 'http://127.0.0.1:9999/dsp',
      transferFormats: ['HttpData-PULL', 'HttpData-PUSH'],
    });
    for (const sector of SECTORS) {
      for (let i = 0; i < 3; i++) {
        await store.createAsset({
          id: `urn:ds:${sector}:${i}`,
          title: `${sector} 门诊 records ${i}`,
          description: 'Weekly, anonymised',
          keywords: ['weekly', sector],
          sector,
          dataGrade: sector === 'finance' ? 'JR-L2' : i % 2 ? 'important' : 'general',
          format: 'text/csv',
          licence: 'https://licences.example/open',
          publisher: PROVIDER,
          dataAddress: { kind: 'inline', data: 'a\n1\n' },
        });
      }
      const { '@context': _c, uid: _u, ...contract } = template(sector);
      await store.createOffer({
        id: `terms-${sector}`,
        assetSelector: { sector },
        accessPolicy: {
          permission: [
            {
              action: 'read',
              constraint: [
                {
                  leftOperand: 'shuyu:credentialType',
                  operator: 'hasPart',
                  rightOperand: 'MembershipCredential',
                },
                { leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: sector },
              ],
            },
          ],
        },
        contractPolicy: contract,
      });
    }
    await store.createOffer({
      id: 'open',
      assetSelector: { assetIds: ['urn:ds:medical:0', 'urn:ds:energy:1'] },
      accessPolicy: { permission: [{ action: 'read' }] },
      contractPolicy: {
        '@type': 'Offer',
        permission: [
          {
            action: 'use',
            constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'public-health' }],
          },
        ],
      },
    });
    page = JSON.stringify(catalog.catalogDocument(await catalog.catalogFor(CATALOG_CALLER, { limit: 100 })));
  });
  after(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("takes a Shuyu connector's page as sent, with the same index facts as JSON-LD processing", async () => {
    const compact = readCompactCatalog(JSON.parse(page));
    expect(compact, 'the page reads without JSON-LD').to.not.equal(undefined);
    const parsed = await parseDspMessage('Catalog', page);
    if (!parsed.ok) expect.fail(JSON.stringify(parsed.errors));
    // Without the fast read, these keys send the page through jsonld expand + compact.
    expect(parsed.path).to.equal('expanded');

    const fast = datasetsOf(compact as JsonObject);
    const slow = datasetsOf(parsed.message as unknown as JsonObject);
    expect(fast.map((d) => d.datasetId)).to.deep.equal(slow.map((d) => d.datasetId));
    expect(fast).to.have.length(12);
    const [a, b] = [new OfferPreparer(), new OfferPreparer()];
    for (let i = 0; i < fast.length; i++) {
      expect(facts(await a.prepare(fast[i]!))).to.deep.equal(facts(await b.prepare(slow[i]!)));
    }
    // The offers carry the provider's access policies and the templates' duties with refinements.
    const finance = fast.find((d) => d.sector === 'finance');
    expect(finance?.offers[0]?.accessPolicy).to.not.equal(undefined);
    expect(JSON.stringify(finance?.offers[0]?.body)).to.include('odrl:refinement');
  });

  it('leaves to JSON-LD any page it could rewrite: other contexts, nested contexts, keys the context covers', () => {
    const base = JSON.parse(page) as JsonObject;
    const first = (base.dataset as JsonObject[])[0] as JsonObject;
    const withDataset = (dataset: JsonObject, top: JsonObject = {}): JsonObject => ({
      ...base,
      ...top,
      dataset: [dataset],
    });
    expect(readCompactCatalog(withDataset(first))).to.not.equal(undefined);
    // A full IRI the context compacts (dct:title) or a term in disguise (dspace:).
    expect(readCompactCatalog(withDataset({ ...first, 'http://purl.org/dc/terms/title': 'x' }))).to.equal(
      undefined,
    );
    expect(
      readCompactCatalog(withDataset({ ...first, 'https://w3id.org/dspace/2025/1/participantId': 'x' })),
    ).to.equal(undefined);
    // ODRL terms the DSP context lacks, unprefixed: JSON-LD would drop them.
    expect(readCompactCatalog(withDataset({ ...first, conflict: 'perm' }))).to.equal(undefined);
    // Another context beside the DSP one, or one inside the page.
    expect(
      readCompactCatalog(
        withDataset(first, {
          '@context': ['https://w3id.org/dspace/2025/1/context.jsonld', 'http://www.w3.org/ns/odrl.jsonld'],
        }),
      ),
    ).to.equal(undefined);
    expect(readCompactCatalog(withDataset({ ...first, '@context': { x: 'urn:x:' } }))).to.equal(undefined);
    // A page the DSP schema refuses.
    expect(readCompactCatalog(withDataset({ ...first, hasPolicy: [] }))).to.equal(undefined);
    expect(readCompactCatalog({ ...base, '@type': 'Dataset' })).to.equal(undefined);
    expect(readCompactCatalog('not an object')).to.equal(undefined);
  });

  it('knows which absolute IRIs the DSP context cannot compact', () => {
    expect(isForeignIriKey('https://w3id.org/shuyu/v1#sector')).to.equal(true);
    expect(isForeignIriKey('http://www.w3.org/1999/02/22-rdf-syntax-ns#value')).to.equal(true);
    expect(isForeignIriKey('http://purl.org/dc/terms/title')).to.equal(false);
    expect(isForeignIriKey('http://www.w3.org/ns/odrl/2/action')).to.equal(false);
    expect(isForeignIriKey('https://w3id.org/dspace/2025/1/dataset')).to.equal(false);
    expect(isForeignIriKey('dct:title')).to.equal(false);
    expect(isForeignIriKey('sector')).to.equal(false);
  });
});
