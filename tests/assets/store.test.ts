import { expect } from 'chai';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  type FieldError,
} from '../../connector/assets/index.js';
import { openTestStore } from '../support/store.js';
import { ASSET_MIGRATIONS, AssetStore, EVERYTHING } from '../../connector/assets/index.js';
import {
  asset,
  MEDICAL_MEMBERS,
  NOW,
  offer,
  openRegistry,
  rejection,
  template,
  type Registry,
} from './helpers.js';

const pointers = (fields: readonly FieldError[]): string[] => fields.map((f) => f.pointer);

describe('assets: store', () => {
  let r: Registry;
  beforeEach(async () => {
    r = await openRegistry();
  });
  afterEach(() => r.close());

  describe('assets', () => {
    it('creates, reads, lists, replaces and deletes an asset', async () => {
      const created = await r.store.createAsset(asset('urn:ds:b'));
      await r.store.createAsset(asset('urn:ds:a', { keywords: [] }));
      expect(created.issued).to.equal(new Date(NOW).toISOString());
      expect(created.modified).to.equal(created.issued);
      expect(await r.store.getAsset('urn:ds:b')).to.deep.equal(created);
      expect((await r.store.listAssets()).map((a) => a.id)).to.deep.equal(['urn:ds:a', 'urn:ds:b']);

      const replaced = await r.store.replaceAsset(
        'urn:ds:b',
        asset('urn:ds:b', { title: 'Renamed', modified: '2026-07-01T00:00:00Z' }),
      );
      expect(replaced.title).to.equal('Renamed');
      expect(replaced.issued).to.equal(created.issued); // kept when the input gives none
      expect((await r.store.getAsset('urn:ds:b'))?.modified).to.equal('2026-07-01T00:00:00Z');

      await r.store.deleteAsset('urn:ds:b');
      expect(await r.store.getAsset('urn:ds:b')).to.equal(undefined);
      expect((await r.store.listAssets()).map((a) => a.id)).to.deep.equal(['urn:ds:a']);
    });

    it('keeps the data address as given (the data plane reads it later)', async () => {
      const address = { kind: 'http', url: 'https://internal.example/api/v1/visits', authKey: 'X-Api-Key' };
      await r.store.createAsset(asset('urn:ds:h', { dataAddress: address }));
      expect((await r.store.getAsset('urn:ds:h'))?.dataAddress).to.deep.equal(address);
    });

    it('reports every field problem at once, each with a JSON pointer', async () => {
      const e = await rejection(
        () =>
          r.store.createAsset(
            asset('not an iri', {
              title: '',
              keywords: ['a', 'a', 7],
              sector: 'retail',
              dataGrade: 'secret',
              format: 'csv',
              licence: 'ftp://x.example/l',
              issued: '2026-01-01',
              dataAddress: { kind: 'http', url: 'file:///etc/passwd' },
              colour: 'blue',
            }),
          ),
        ValidationError,
      );
      expect(e.code).to.equal('ERR_ASSET_INVALID');
      expect(pointers(e.fields)).to.have.members([
        '/colour',
        '/id',
        '/title',
        '/keywords/1',
        '/keywords/2',
        '/sector',
        '/dataGrade',
        '/format',
        '/licence',
        '/issued',
        '/dataAddress/url',
      ]);
      expect(e.fields.find((f) => f.pointer === '/sector')?.reason).to.include(
        'education, energy, finance, medical',
      );
      expect(e.message).to.match(/11 problems/);
    });

    it('takes plain dataset ids as EDC writes them (UUIDs) besides IRIs, but no keyword or blank node', async () => {
      for (const id of ['4f9b1c2e-7d3a-4e5f-9a1b-2c3d4e5f6a7b', 'ACN0102']) {
        await r.store.createAsset(asset(id));
        expect((await r.store.getAsset(id))?.id).to.equal(id);
      }
      for (const id of ['@id', '_:b0', 'a b', '<x>']) {
        const e = await rejection(() => r.store.createAsset(asset(id)), ValidationError);
        expect(pointers(e.fields), id).to.deep.equal(['/id']);
      }
    });

    it('checks the DCAT-AP fields: themes, spatial coverage, the covered period and the contact', async () => {
      const e = await rejection(
        () =>
          r.store.createAsset(
            asset('urn:ds:dcat', {
              themes: ['HEAL', 'health'],
              spatial: ['Beijing', 'CN-BJ'],
              temporal: { start: '2025-12-31', end: '2025-01-01', until: 'x' },
              contact: 'call us',
            }),
          ),
        ValidationError,
      );
      expect(pointers(e.fields)).to.have.members([
        '/themes/1',
        '/spatial/0',
        '/temporal/until',
        '/temporal/end',
        '/contact',
      ]);
      const stored = await r.store.createAsset(
        asset('urn:ds:dcat', {
          themes: ['HEAL', 'http://example.org/theme/x'],
          spatial: ['CN-BJ'],
          temporal: { start: '2025-01-01' },
          contact: 'data@hospital.example',
        }),
      );
      expect(stored).to.deep.include({
        themes: ['HEAL', 'http://example.org/theme/x'],
        spatial: ['CN-BJ'],
        temporal: { start: '2025-01-01' },
        contact: 'data@hospital.example',
      });
    });

    it('checks each data address kind for what it needs', async () => {
      const cases: [object, string][] = [
        [{ kind: 'file', path: 'relative/x.csv' }, '/dataAddress/path'],
        [{ kind: 'inline' }, '/dataAddress/data'],
        [{ kind: 's3', bucket: 'b' }, '/dataAddress/kind'],
        [{}, '/dataAddress/kind'],
      ];
      for (const [dataAddress, pointer] of cases) {
        const e = await rejection(
          () => r.store.createAsset(asset('urn:ds:x', { dataAddress })),
          ValidationError,
        );
        expect(pointers(e.fields), JSON.stringify(dataAddress)).to.deep.equal([pointer]);
      }
      const missing = await rejection(() => r.store.createAsset({ id: 'urn:ds:x' }), ValidationError);
      expect(pointers(missing.fields)).to.include.members([
        '/title',
        '/sector',
        '/dataGrade',
        '/format',
        '/licence',
        '/publisher',
        '/dataAddress',
      ]);
      expect(await rejection(() => r.store.createAsset([]), ValidationError))
        .to.have.property('fields')
        .that.deep.equals([{ pointer: '', reason: 'expected a JSON object, found an array' }]);
    });

    it('refuses a duplicate id, an unknown id and an id change', async () => {
      await r.store.createAsset(asset('urn:ds:a'));
      expect((await rejection(() => r.store.createAsset(asset('urn:ds:a')), ConflictError)).code).to.equal(
        'ERR_ASSET_EXISTS',
      );
      expect(
        (await rejection(() => r.store.replaceAsset('urn:ds:zz', asset('urn:ds:zz')), NotFoundError)).code,
      ).to.equal('ERR_ASSET_NOT_FOUND');
      const moved = await rejection(
        () => r.store.replaceAsset('urn:ds:a', asset('urn:ds:b')),
        ValidationError,
      );
      expect(pointers(moved.fields)).to.deep.equal(['/id']);
      expect((await rejection(() => r.store.deleteAsset('urn:ds:zz'), NotFoundError)).code).to.equal(
        'ERR_ASSET_NOT_FOUND',
      );
    });

    it('refuses to delete an asset an offer lists explicitly, and says which offer', async () => {
      await r.store.createAsset(asset('urn:ds:a'));
      await r.store.createAsset(asset('urn:ds:b'));
      await r.store.createOffer(offer('by-sector')); // selects urn:ds:a implicitly: no obstacle
      await r.store.createOffer(offer('listed', { assetSelector: { assetIds: ['urn:ds:a'] } }));
      const e = await rejection(() => r.store.deleteAsset('urn:ds:a'), ConflictError);
      expect(e.code).to.equal('ERR_ASSET_IN_USE');
      expect(e.message).to.include('listed').and.not.include('by-sector');
      expect(await r.store.getAsset('urn:ds:a')).to.not.equal(undefined);

      await r.store.deleteAsset('urn:ds:b'); // only the sector offer selects it
      await r.store.deleteOffer('listed');
      await r.store.deleteAsset('urn:ds:a');
      expect(await r.store.listAssets()).to.deep.equal([]);
    });
  });

  describe('offers', () => {
    beforeEach(async () => {
      await r.store.createAsset(asset('urn:ds:a'));
    });

    it('creates, reads, replaces and deletes an offer, defaulting approval to automatic', async () => {
      const { offer: created, warnings } = await r.store.createOffer(offer('o1'));
      expect(created.approval).to.equal('automatic');
      expect(warnings).to.deep.equal([]);
      expect(await r.store.getOffer('o1')).to.deep.equal(created);
      expect(created.contractPolicy).to.deep.equal(template('medical')); // kept as written

      await r.store.replaceOffer('o1', offer('o1', { approval: 'manual' }));
      expect((await r.store.getOffer('o1'))?.approval).to.equal('manual');
      expect((await r.store.listOffers()).map((o) => o.id)).to.deep.equal(['o1']);
      await r.store.deleteOffer('o1');
      expect(await r.store.listOffers()).to.deep.equal([]);
      expect((await rejection(() => r.store.deleteOffer('o1'), NotFoundError)).code).to.equal(
        'ERR_OFFER_NOT_FOUND',
      );
    });

    it('refuses policies that do not compile, with pointers into the offer', async () => {
      const access = structuredClone(MEDICAL_MEMBERS);
      (access.permission[0]!.constraint[1] as { leftOperand: string }).leftOperand = 'shuyu:sectr';
      const contract = template('medical');
      (contract as { conflict?: string }).conflict = 'maybe';
      const e = await rejection(
        () => r.store.createOffer(offer('o1', { accessPolicy: access, contractPolicy: contract })),
        ValidationError,
      );
      expect(e.code).to.equal('ERR_OFFER_INVALID');
      const found = e.fields.map((f) => [f.pointer, f.code]);
      expect(found).to.deep.include([
        '/accessPolicy/permission/0/constraint/1/leftOperand',
        'ERR_UNKNOWN_LEFT_OPERAND',
      ]);
      expect(found).to.deep.include(['/contractPolicy/conflict', 'ERR_UNKNOWN_CONFLICT_STRATEGY']);
      expect(e.fields.every((f) => f.reason.length > 0)).to.equal(true);
      expect(await r.store.getOffer('o1')).to.equal(undefined);
    });

    it('refuses targets, an assigner, a non-Offer contract and an empty one', async () => {
      const targeted = { ...MEDICAL_MEMBERS, target: 'urn:ds:a' };
      const contract = { ...template('medical'), '@type': 'Set', assigner: 'did:web:someone.example' };
      const e = await rejection(
        () => r.store.createOffer(offer('o1', { accessPolicy: targeted, contractPolicy: contract })),
        ValidationError,
      );
      expect(e.fields.map((f) => [f.pointer, f.code])).to.deep.equal([
        ['/accessPolicy/target', 'ERR_TARGET_NOT_ALLOWED'],
        ['/contractPolicy/@type', 'ERR_NOT_AN_OFFER'],
        ['/contractPolicy/assigner', 'ERR_ASSIGNER_NOT_ALLOWED'],
      ]);
      const ruleTarget = template('medical');
      (ruleTarget.permission as { target?: string }[])[0]!.target = 'urn:ds:a';
      const e2 = await rejection(
        () => r.store.createOffer(offer('o1', { contractPolicy: ruleTarget })),
        ValidationError,
      );
      expect(e2.fields.map((f) => f.pointer)).to.deep.equal(['/contractPolicy/permission/0']);
      const empty = await rejection(
        () =>
          r.store.createOffer(
            offer('o1', { contractPolicy: { '@type': 'Offer', obligation: [{ action: 'compensate' }] } }),
          ),
        ValidationError,
      );
      expect(empty.fields.map((f) => f.code)).to.deep.equal(['ERR_OFFER_EMPTY']);
    });

    it('checks the id, the selector and approval', async () => {
      const e = await rejection(
        () =>
          r.store.createOffer({
            ...offer('has:colon'),
            assetSelector: { assetIds: ['urn:ds:a'], sector: 'medical' },
            approval: 'sometimes',
          }),
        ValidationError,
      );
      expect(pointers(e.fields)).to.deep.equal(['/id', '/assetSelector', '/approval']);
      const missing = await rejection(
        () => r.store.createOffer(offer('o1', { assetSelector: { assetIds: ['urn:ds:a', 'urn:ds:nope'] } })),
        ValidationError,
      );
      expect(missing.fields).to.deep.equal([
        { pointer: '/assetSelector/assetIds/1', reason: 'no asset urn:ds:nope is registered' },
      ]);
      const noPolicies = await rejection(() => r.store.createOffer({ id: 'o1' }), ValidationError);
      expect(pointers(noPolicies.fields)).to.deep.equal(['/accessPolicy', '/contractPolicy']);
      expect(await r.store.listOffers()).to.deep.equal([]);
    });

    it('returns lint warnings with pointers and stores the offer', async () => {
      const { warnings } = await r.store.createOffer(
        offer('open', { accessPolicy: { permission: [{ action: 'read' }] } }),
      );
      expect(warnings.map((w) => [w.pointer.slice(0, '/accessPolicy'.length), w.code])).to.deep.include([
        '/accessPolicy',
        'LINT_UNCONSTRAINED',
      ]);
      expect(warnings.map((w) => w.code)).to.not.include('LINT_NO_UID'); // the registry names offers itself
      expect(await r.store.getOffer('open')).to.not.equal(undefined);
    });

    it('refuses a duplicate offer id and a changed id on replace', async () => {
      await r.store.createOffer(offer('o1'));
      expect((await rejection(() => r.store.createOffer(offer('o1')), ConflictError)).code).to.equal(
        'ERR_OFFER_EXISTS',
      );
      const moved = await rejection(() => r.store.replaceOffer('o1', offer('o2')), ValidationError);
      expect(pointers(moved.fields)).to.deep.equal(['/id']);
      expect((await rejection(() => r.store.replaceOffer('o9', offer('o9')), NotFoundError)).code).to.equal(
        'ERR_OFFER_NOT_FOUND',
      );
    });
  });

  it('keeps everything across a restart (a new process opening the same file)', async () => {
    await r.store.createAsset(asset('urn:ds:a'));
    await r.store.createOffer(offer('o1', { assetSelector: { assetIds: ['urn:ds:a'] } }));
    await r.db.close();
    const db = await openTestStore(r.file, ASSET_MIGRATIONS);
    try {
      const store = new AssetStore(db);
      const all = await store.changesSince(EVERYTHING);
      expect([...all.assets.keys()]).to.deep.equal(['urn:ds:a']);
      expect([...all.offers.keys()]).to.deep.equal(['o1']);
      expect(all.seq).to.equal(2); // two writes so far
      const none = await store.changesSince(all.seq);
      expect(none.assets.size + none.offers.size).to.equal(0);
      expect(none.assetStamps.map((s) => s.id)).to.deep.equal(['urn:ds:a']); // deletions show here
      expect((await rejection(() => store.deleteAsset('urn:ds:a'), ConflictError)).code).to.equal(
        'ERR_ASSET_IN_USE',
      );
    } finally {
      await db.close();
    }
  });
});
