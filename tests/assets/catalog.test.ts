import { expect } from 'chai';
import {
  ACCESS_POLICY_KEY,
  Catalog,
  CatalogQueryError,
  DATASET_KEYS,
  DSP_CONTEXT,
  dspOfferId,
  parseDspOfferId,
  type DspDataset,
} from '../../connector/assets/index.js';
import { validateDspMessage } from '../../connector/dsp/messages/validate.js';
import {
  asset,
  ENDPOINT,
  GENERAL_DATA_FOR_MEMBERS,
  GRID_OPERATOR,
  HOSPITAL,
  MEMBERS,
  offer,
  openRegistry,
  PROVIDER,
  rejection,
  STRANGER,
  template,
  type Registry,
} from './helpers.js';

const ids = (datasets: readonly DspDataset[]): string[] => datasets.map((d) => d['@id']);
const offerIds = (d: DspDataset | undefined): string[] => (d?.hasPolicy ?? []).map((o) => o['@id']);

describe('assets: catalog', () => {
  let r: Registry;
  beforeEach(async () => {
    r = await openRegistry();
  });
  afterEach(() => r.close());

  describe('visibility', () => {
    beforeEach(async () => {
      await r.store.createAsset(asset('urn:ds:visits'));
      await r.store.createOffer(offer('research'));
    });

    it('shows a dataset to a caller holding the credentials its access policy needs', async () => {
      const page = await r.catalog.catalogFor(HOSPITAL, {});
      expect(page.total).to.equal(1);
      expect(ids(page.datasets)).to.deep.equal(['urn:ds:visits']);
      expect(offerIds(page.datasets[0])).to.deep.equal(['urn:shuyu:offer:research:urn:ds:visits']);
      expect(await r.catalog.datasetFor(HOSPITAL, 'urn:ds:visits')).to.not.equal(undefined);
    });

    it('gives the federated catalog (member role "catalog") each offer\'s access policy, nobody else', async () => {
      const crawler = { ...HOSPITAL, claims: { ...HOSPITAL.claims, memberRole: 'catalog' } };
      const [forCatalog] = (await r.catalog.catalogFor(crawler, {})).datasets;
      const published = forCatalog?.hasPolicy[0]?.[ACCESS_POLICY_KEY] as
        { permission: unknown[] } | undefined;
      expect(published?.permission).to.have.length(1);
      expect(JSON.stringify(published)).to.include('medical').and.include('MembershipCredential');
      expect(validateDspMessage('Dataset', { '@context': [DSP_CONTEXT], ...forCatalog })).to.deep.equal([]);
      const [forMember] = (await r.catalog.catalogFor(HOSPITAL, {})).datasets;
      expect(JSON.stringify(forMember)).to.not.include('accessPolicy');
    });

    it('hides it from callers without them, exactly as if it did not exist', async () => {
      for (const caller of [GRID_OPERATOR, STRANGER]) {
        const page = await r.catalog.catalogFor(caller, {});
        expect(page).to.deep.equal({ datasets: [], total: 0, limit: 100 });
        expect(await r.catalog.datasetFor(caller, 'urn:ds:visits')).to.equal(undefined);
        expect(await r.catalog.datasetFor(caller, 'urn:ds:nothing-here')).to.equal(undefined);
        const text = JSON.stringify(r.catalog.catalogDocument(page));
        expect(text).to.not.include('urn:ds:visits').and.not.include('research');
        expect(r.catalog.catalogDocument(page)).to.not.have.property('dataset'); // the schema wants none or 1+
      }
    });

    it('lists only the offers the caller may see; a denied offer never appears', async () => {
      await r.store.createAsset(asset('urn:ds:grid', { sector: 'energy', dataGrade: 'general' }));
      await r.store.createOffer(offer('members', { assetSelector: {}, accessPolicy: MEMBERS }));
      const hospital = await r.catalog.catalogFor(HOSPITAL, {});
      expect(ids(hospital.datasets)).to.deep.equal(['urn:ds:grid', 'urn:ds:visits']);
      expect(offerIds(hospital.datasets[1])).to.deep.equal([
        dspOfferId('members', 'urn:ds:visits'),
        dspOfferId('research', 'urn:ds:visits'),
      ]);
      const grid = await r.catalog.catalogFor(GRID_OPERATOR, {});
      expect(ids(grid.datasets)).to.deep.equal(['urn:ds:grid', 'urn:ds:visits']);
      expect(offerIds(grid.datasets[1])).to.deep.equal([dspOfferId('members', 'urn:ds:visits')]);
      expect(JSON.stringify(grid)).to.not.include('urn:shuyu:offer:research');
      const one = await r.catalog.datasetFor(GRID_OPERATOR, 'urn:ds:visits');
      expect(offerIds(one)).to.deep.equal([dspOfferId('members', 'urn:ds:visits')]);
    });

    it("reads the dataset's grade: the same offer shows on general data and not on important data", async () => {
      await r.store.createAsset(asset('urn:ds:general', { dataGrade: 'general' }));
      await r.store.createOffer(
        offer('open-general', { assetSelector: {}, accessPolicy: GENERAL_DATA_FOR_MEMBERS }),
      );
      const grid = await r.catalog.catalogFor(GRID_OPERATOR, {});
      expect(ids(grid.datasets)).to.deep.equal(['urn:ds:general']);
      expect(await r.catalog.datasetFor(GRID_OPERATOR, 'urn:ds:visits')).to.equal(undefined);
    });

    it('never shows where the data is', async () => {
      const text = JSON.stringify(await r.catalog.catalogFor(HOSPITAL, {}));
      expect(text).to.not.include('secret-location').and.not.include('dataAddress');
    });
  });

  describe('DSP form', () => {
    beforeEach(async () => {
      await r.store.createAsset(asset('urn:ds:visits'));
      await r.store.createOffer(offer('research'));
    });

    it('renders a Dataset with metadata, offers without target and a distribution', async () => {
      const d = await r.catalog.datasetFor(HOSPITAL, 'urn:ds:visits');
      expect(d).to.include({
        '@id': 'urn:ds:visits',
        '@type': 'Dataset',
        'dct:title': 'Dataset urn:ds:visits',
        'dct:description': 'Outpatient visits, anonymised',
        [DATASET_KEYS.sector]: 'medical',
        [DATASET_KEYS.dataGrade]: 'important',
      });
      // DCAT-AP: without the member's registration the publisher is the DID, as an agent.
      expect(d?.['dct:publisher']).to.deep.equal({
        '@id': PROVIDER,
        '@type': 'http://xmlns.com/foaf/0.1/Agent',
        'http://xmlns.com/foaf/0.1/name': PROVIDER,
      });
      const licence = { '@id': 'https://provider.example/licences/research', '@type': 'dct:LicenseDocument' };
      expect(d?.['dct:license']).to.deep.equal(licence);
      expect(d?.['dct:issued']).to.have.property('@type', 'xsd:dateTime');
      expect([d?.['dcat:theme'] ?? []].flat().map((t) => t['@id'])).to.deep.equal([
        'http://publications.europa.eu/resource/authority/data-theme/HEAL',
        'https://w3id.org/shuyu/v1/sector/medical',
      ]);
      expect(d?.['@context']).to.deep.equal([DSP_CONTEXT]);
      expect(d?.['dcat:keyword']).to.deep.equal(['outpatient', 'Hospital']);
      expect(d?.distribution).to.deep.equal([
        {
          '@type': 'Distribution',
          format: 'dspace:HttpData-PULL',
          accessService: {
            '@id': `${PROVIDER}#dsp`,
            '@type': 'DataService',
            endpointURL: ENDPOINT,
            'dct:title': `${PROVIDER}: Dataspace Protocol endpoint`,
            'dct:format': { '@id': 'dspace:HttpData-PULL', '@type': 'dct:MediaTypeOrExtent' },
          },
          'dcat:accessURL': { '@id': ENDPOINT, '@type': 'http://www.w3.org/2000/01/rdf-schema#Resource' },
          'dcat:mediaType': {
            '@id': 'https://www.iana.org/assignments/media-types/text/csv',
            '@type': 'dct:MediaType',
          },
          'dct:license': licence,
        },
      ]);
      const [policy] = d?.hasPolicy ?? [];
      expect(policy).to.include({
        '@id': 'urn:shuyu:offer:research:urn:ds:visits',
        '@type': 'Offer',
        assigner: PROVIDER,
      });
      expect(policy).to.not.have.property('target');
      expect(policy?.permission).to.be.an('array').with.length(1);
      const first = (policy?.permission as { action: unknown; constraint: { leftOperand: string }[] }[])[0];
      expect(first?.action).to.equal('use'); // a string, as the DSP schema wants
      expect(first?.constraint[0]?.leftOperand).to.equal('https://w3id.org/shuyu/v1#credentialType');
    });

    it("DCAT-AP: the member's registration is the default, the asset's own fields win", async () => {
      const publisher = {
        name: 'Beijing Research Hospital',
        identifier: '121100004000000128',
        contact: 'data-office@hospital.example',
        sector: 'medical' as const,
        regions: ['CN-BJ'],
        languages: ['ENG', 'ZHO'],
      };
      const catalog = new Catalog(r.store, { participantId: PROVIDER, endpointURL: ENDPOINT, publisher });
      await r.store.createAsset(
        asset('urn:ds:own', {
          publisher: 'Beijing Research Hospital',
          description: '',
          themes: ['TECH'],
          spatial: ['CN'],
          temporal: { start: '2025-01-01', end: '2025-12-31T23:59:59Z' },
          contact: '+86 10 6000 1001',
        }),
      );
      const d = await catalog.datasetFor(HOSPITAL, 'urn:ds:own');
      expect(d?.['dct:publisher']).to.deep.equal({
        '@id': PROVIDER,
        '@type': 'http://xmlns.com/foaf/0.1/Agent',
        'http://xmlns.com/foaf/0.1/name': 'Beijing Research Hospital',
        'dct:identifier': '121100004000000128',
      });
      expect(d?.['dct:description'], 'DCAT-AP requires one: the title').to.equal('Dataset urn:ds:own');
      expect(d?.['dcat:theme']).to.deep.equal({
        '@id': 'http://publications.europa.eu/resource/authority/data-theme/TECH',
        '@type': 'http://www.w3.org/2004/02/skos/core#Concept',
        'http://www.w3.org/2004/02/skos/core#prefLabel': {
          '@value': 'Science and technology',
          '@language': 'en',
        },
      });
      expect(d?.['dct:spatial']).to.deep.equal({
        '@id': 'http://publications.europa.eu/resource/authority/country/CHN',
        '@type': 'dct:Location',
      });
      expect(d?.['dct:temporal']).to.deep.equal({
        '@type': 'dct:PeriodOfTime',
        'dcat:startDate': { '@value': '2025-01-01', '@type': 'xsd:date' },
        'dcat:endDate': { '@value': '2025-12-31T23:59:59Z', '@type': 'xsd:dateTime' },
      });
      expect(d?.['dcat:contactPoint']).to.deep.equal({
        '@type': 'http://www.w3.org/2006/vcard/ns#Kind',
        'http://www.w3.org/2006/vcard/ns#fn': 'Beijing Research Hospital',
        'http://www.w3.org/2006/vcard/ns#hasTelephone': { '@id': 'tel:+861060001001' },
      });
      // The defaults: the member's contact (mailto: IRI) and region; another organisation is no member.
      await r.store.createAsset(asset('urn:ds:theirs', { publisher: 'Another Hospital' }));
      const other = await catalog.datasetFor(HOSPITAL, 'urn:ds:theirs');
      expect(other?.['dct:publisher']).to.deep.equal({
        '@type': 'http://xmlns.com/foaf/0.1/Agent',
        'http://xmlns.com/foaf/0.1/name': 'Another Hospital',
      });
      expect(other?.['dcat:contactPoint']).to.deep.include({
        'http://www.w3.org/2006/vcard/ns#hasEmail': { '@id': 'mailto:data-office@hospital.example' },
      });
      expect(other?.['dct:spatial']).to.deep.equal({
        '@id': 'https://w3id.org/shuyu/v1/region/CN-BJ',
        '@type': 'dct:Location',
      });
      const document = catalog.catalogDocument(await catalog.catalogFor(HOSPITAL, {}));
      expect(document).to.deep.include({
        'dct:title': 'Beijing Research Hospital: data catalog',
        'http://xmlns.com/foaf/0.1/homepage': {
          '@id': `${new URL(ENDPOINT).origin}/`,
          '@type': 'http://xmlns.com/foaf/0.1/Document',
        },
      });
      expect((document['dct:language'] as { '@id': string }[]).map((l) => l['@id'])).to.deep.equal([
        'http://publications.europa.eu/resource/authority/language/ENG',
        'http://publications.europa.eu/resource/authority/language/ZHO',
      ]);
      expect(validateDspMessage('Catalog', JSON.parse(JSON.stringify(document)))).to.deep.equal([]);
    });

    it('validates against the official DSP 2025-1 schemas (Dataset and Catalog)', async () => {
      await r.store.createAsset(asset('urn:ds:loans', { sector: 'finance', keywords: [] }));
      await r.store.createOffer(
        offer('risk', {
          assetSelector: { sector: 'finance' },
          accessPolicy: MEMBERS,
          contractPolicy: template('finance'),
        }),
      );
      const dataset = await r.catalog.datasetFor(HOSPITAL, 'urn:ds:visits');
      expect(validateDspMessage('Dataset', dataset)).to.deep.equal([]);
      const page = await r.catalog.catalogFor(HOSPITAL, {});
      expect(page.total).to.equal(2);
      const catalog = r.catalog.catalogDocument(page);
      expect(validateDspMessage('Catalog', catalog)).to.deep.equal([]);
      expect(validateDspMessage('Catalog', r.catalog.catalogDocument({ datasets: [] }))).to.deep.equal([]);
      expect(catalog).to.include({
        '@type': 'Catalog',
        participantId: PROVIDER,
        '@id': `${PROVIDER}#catalog`,
      });
      expect(catalog['@context']).to.deep.equal(['https://w3id.org/dspace/2025/1/context.jsonld']);
      // The finance template has a typed count: no bare number reaches the wire.
      expect(JSON.stringify(catalog)).to.include('{"@value":"1000","@type":"xsd:integer"}');
    });

    it('gives offers ids that name the offer and the dataset', () => {
      expect(parseDspOfferId('urn:shuyu:offer:research:urn:ds:visits')).to.deep.equal({
        offerId: 'research',
        datasetId: 'urn:ds:visits',
      });
      expect(parseDspOfferId('urn:shuyu:offer:research')).to.equal(undefined);
      expect(parseDspOfferId('urn:uuid:1234')).to.equal(undefined);
    });

    it('hands out fresh top-level objects and frozen shared ones', async () => {
      const a = await r.catalog.catalogFor(HOSPITAL, {});
      (a.datasets[0] as { 'dct:title': string })['dct:title'] = 'changed by a caller';
      expect(() => (a.datasets[0]?.distribution as object[]).push({})).to.throw(TypeError);
      const b = await r.catalog.catalogFor(HOSPITAL, {});
      expect(b.datasets[0]?.['dct:title']).to.equal('Dataset urn:ds:visits');
    });
  });

  describe('paging and filters', () => {
    const shuffled = Array.from({ length: 25 }, (_, i) => `urn:ds:${String((i * 7) % 25).padStart(2, '0')}`);

    beforeEach(async () => {
      for (const id of shuffled) {
        const n = Number(id.slice(-2));
        await r.store.createAsset(
          asset(id, {
            sector: n % 2 === 0 ? 'medical' : 'energy',
            dataGrade: n % 5 === 0 ? 'general' : 'important',
            keywords: n % 3 === 0 ? ['Load'] : [],
          }),
        );
      }
      await r.store.createOffer(offer('members', { assetSelector: {}, accessPolicy: MEMBERS }));
    });

    it('pages through the datasets in id order, whatever the insertion order', async () => {
      const all = [...shuffled].sort();
      const seen: string[] = [];
      for (let offset = 0; offset < 30; offset += 10) {
        const page = await r.catalog.catalogFor(HOSPITAL, { offset, limit: 10 });
        expect(page.total).to.equal(25);
        seen.push(...ids(page.datasets));
      }
      expect(seen).to.deep.equal(all);
      expect(await r.catalog.catalogFor(HOSPITAL, { offset: 100, limit: 10 })).to.deep.equal({
        datasets: [],
        total: 25,
        limit: 10,
      });
      expect(ids((await r.catalog.catalogFor(HOSPITAL, { offset: 3, limit: 2 })).datasets)).to.deep.equal(
        all.slice(3, 5),
      );
    });

    it('counts and pages only what the caller may see', async () => {
      await r.store.createOffer(offer('research')); // medical sector, medical members only
      await r.store.deleteOffer('members');
      const hospital = await r.catalog.catalogFor(HOSPITAL, { limit: 5 });
      expect(hospital.total).to.equal(13);
      expect(ids(hospital.datasets)).to.deep.equal([
        'urn:ds:00',
        'urn:ds:02',
        'urn:ds:04',
        'urn:ds:06',
        'urn:ds:08',
      ]);
      expect((await r.catalog.catalogFor(GRID_OPERATOR, {})).total).to.equal(0);
    });

    it('filters by sector, keyword (any case) and data grade, all of them holding', async () => {
      const count = async (filter: unknown): Promise<number> =>
        (await r.catalog.catalogFor(HOSPITAL, { filter })).total;
      expect(await count([])).to.equal(25);
      expect(await count([{ sector: 'medical' }])).to.equal(13);
      expect(await count([{ keyword: 'load' }])).to.equal(9);
      expect(await count([{ dataGrade: 'general' }])).to.equal(5);
      expect(await count([{ sector: 'medical' }, { keyword: 'LOAD' }])).to.equal(5);
      expect(await count([{ sector: 'retail' }])).to.equal(0);
    });

    it('refuses a filter it does not support instead of ignoring it', async () => {
      const cases: [unknown, string][] = [
        [[{ publisher: 'x' }], '/filter/0/publisher'],
        [[{ sector: 'medical' }, { sector: 'energy', keyword: 'x' }], '/filter/1'],
        [[{ sector: 3 }], '/filter/0/sector'],
        [['medical'], '/filter/0'],
        [{ sector: 'medical' }, '/filter'],
      ];
      for (const [filter, pointer] of cases) {
        const e = await rejection(() => r.catalog.catalogFor(HOSPITAL, { filter }), CatalogQueryError);
        expect(e.code, JSON.stringify(filter)).to.equal('ERR_CATALOG_FILTER_UNSUPPORTED');
        expect(e.fields.map((f) => f.pointer)).to.deep.equal([pointer]);
      }
      for (const query of [{ limit: 0 }, { limit: 5000 }, { offset: -1 }, { offset: 1.5 }]) {
        const e = await rejection(() => r.catalog.catalogFor(HOSPITAL, query), CatalogQueryError);
        expect(e.code).to.equal('ERR_CATALOG_QUERY_INVALID');
      }
    });
  });

  describe('snapshot', () => {
    it('follows adds, updates and deletes without a restart', async () => {
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(0);
      await r.store.createAsset(asset('urn:ds:a'));
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(0); // no offer yet
      await r.store.createOffer(offer('research'));
      expect(ids((await r.catalog.catalogFor(HOSPITAL, {})).datasets)).to.deep.equal(['urn:ds:a']);

      await r.store.createAsset(asset('urn:ds:b'));
      expect(ids((await r.catalog.catalogFor(HOSPITAL, {})).datasets)).to.deep.equal([
        'urn:ds:a',
        'urn:ds:b',
      ]);

      await r.store.replaceAsset('urn:ds:b', asset('urn:ds:b', { sector: 'energy' })); // leaves the sector offer
      expect(ids((await r.catalog.catalogFor(HOSPITAL, {})).datasets)).to.deep.equal(['urn:ds:a']);

      await r.store.replaceAsset('urn:ds:a', asset('urn:ds:a', { title: 'New title' }));
      expect((await r.catalog.datasetFor(HOSPITAL, 'urn:ds:a'))?.['dct:title']).to.equal('New title');

      // The access policy now wants a credential nobody holds.
      const stricter = structuredClone(MEMBERS);
      stricter.permission[0]!.constraint[0]!.rightOperand = 'AuditorCredential';
      await r.store.replaceOffer('research', offer('research', { accessPolicy: stricter }));
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(0);

      await r.store.replaceOffer('research', offer('research'));
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(1);
      await r.store.deleteOffer('research');
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(0);
    });

    it('rebuilds only when the store changed, and reuses compiled policies that did not', async () => {
      await r.store.createAsset(asset('urn:ds:a'));
      await r.store.createOffer(offer('research'));
      await r.store.createOffer(offer('members', { accessPolicy: MEMBERS }));
      const first = await r.catalog.snapshot();
      expect(await r.catalog.snapshot()).to.equal(first); // no write, no rebuild
      const changed = { accessPolicy: MEMBERS, approval: 'manual', contractPolicy: template('education') };
      await r.store.replaceOffer('members', offer('members', changed));
      const second = await r.catalog.snapshot();
      expect(second).to.not.equal(first);
      expect(second.offersById.get('research')?.access.compiled).to.equal(
        first.offersById.get('research')?.access.compiled,
      );
      expect(second.offersById.get('research')?.contract).to.equal(
        first.offersById.get('research')?.contract,
      );
      expect(second.offersById.get('members')?.contract).to.not.equal(
        first.offersById.get('members')?.contract,
      );
      expect(second.offersById.get('members')?.offer.approval).to.equal('manual');
      expect(second.assetsById.get('urn:ds:a')?.header).to.equal(first.assetsById.get('urn:ds:a')?.header);
    });

    it('compiles a policy shared by many offers once', async () => {
      await r.store.createAsset(asset('urn:ds:a'));
      for (const id of ['o1', 'o2', 'o3']) await r.store.createOffer(offer(id));
      await r.store.createOffer(offer('o4', { accessPolicy: MEMBERS }));
      const snapshot = await r.catalog.snapshot();
      expect(snapshot.accessPolicies.size).to.equal(2);
      expect(snapshot.offersById.get('o1')?.access).to.equal(snapshot.offersById.get('o3')?.access);
      expect(snapshot.contractPolicies.size).to.equal(1);
      expect(snapshot.offersById.get('o1')?.contract).to.equal(snapshot.offersById.get('o4')?.contract);
      expect(offerIds(await r.catalog.datasetFor(GRID_OPERATOR, 'urn:ds:a'))).to.deep.equal([
        dspOfferId('o4', 'urn:ds:a'),
      ]);
    });

    it('starts over when the database no longer extends its snapshot', async () => {
      await r.store.createAsset(asset('urn:ds:a'));
      await r.store.createOffer(offer('research'));
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(1);
      // As after restoring an older copy: a row's sequence number went back, its content changed.
      await r.db.run("UPDATE assets_offer SET seq = 1, access_canonical = ? WHERE id = 'research'", [
        JSON.stringify({
          permission: [
            {
              action: 'read',
              constraint: [{ leftOperand: 'shuyu:memberRole', operator: 'eq', rightOperand: 'admin' }],
            },
          ],
        }),
      ]);
      await r.store.createAsset(asset('urn:ds:b')); // any write makes the catalog refresh
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(0);
    });

    it('answers concurrent requests during a write consistently', async () => {
      await r.store.createAsset(asset('urn:ds:a'));
      await r.store.createOffer(offer('research'));
      const write = r.store.createAsset(asset('urn:ds:b'));
      const during = Promise.all([1, 2, 3].map(() => r.catalog.catalogFor(HOSPITAL, {})));
      await write;
      for (const page of await during) expect(page.total).to.be.oneOf([1, 2]);
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(2);
    });
  });
});
