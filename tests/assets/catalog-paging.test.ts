// Catalog pages by keyset cursor while the registry changes, per-caller views kept between requests
// (and dropped when the registry, the caller's claims or the time says so), and EDC's QuerySpec.
import { expect } from 'chai';
import { Catalog, CatalogQueryError, type Caller, type DspDataset } from '../../connector/assets/index.js';
import {
  asset,
  ENDPOINT,
  GRID_OPERATOR,
  HOSPITAL,
  MEDICAL_MEMBERS,
  MEMBERS,
  NOW,
  offer,
  openRegistry,
  PROVIDER,
  rejection,
  type Registry,
} from './helpers.js';

const ids = (datasets: readonly DspDataset[]): string[] => datasets.map((d) => d['@id']);
const id = (n: number): string => `urn:ds:${String(n).padStart(3, '0')}`;

/** Every page from the first, following `next`; `between` runs before each further page. */
async function walk(
  catalog: Catalog,
  caller: Caller,
  limit: number,
  between: (page: number) => Promise<void> = async () => {},
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await catalog.catalogFor(caller, cursor === undefined ? { limit } : { cursor, limit });
    pages.push(ids(page.datasets));
    if (page.next === undefined) return pages;
    cursor = page.next;
    await between(pages.length);
  }
}

describe('assets: catalog paging, caller views and QuerySpec', () => {
  let r: Registry;
  beforeEach(async () => {
    r = await openRegistry();
  });
  afterEach(() => r.close());

  describe('keyset cursors', () => {
    beforeEach(async () => {
      // Even datasets are medical (hospital only), odd ones energy; one offer per sector.
      for (let n = 0; n < 40; n += 1)
        await r.store.createAsset(asset(id(n), { sector: n % 2 === 0 ? 'medical' : 'energy' }));
      await r.store.createOffer(offer('medical'));
      await r.store.createOffer(
        offer('energy', { assetSelector: { sector: 'energy' }, accessPolicy: MEMBERS }),
      );
    });

    it('covers every visible dataset exactly once, in id order', async () => {
      const pages = await walk(r.catalog, HOSPITAL, 7);
      expect(pages.map((p) => p.length)).to.deep.equal([7, 7, 7, 7, 7, 5]);
      expect(pages.flat()).to.deep.equal(Array.from({ length: 40 }, (_, n) => id(n)));
    });

    it('goes back with the previous cursor to exactly the page before', async () => {
      const first = await r.catalog.catalogFor(HOSPITAL, { limit: 7 });
      const second = await r.catalog.catalogFor(HOSPITAL, { cursor: first.next, limit: 7 });
      expect(first.previous).to.equal(undefined);
      const back = await r.catalog.catalogFor(HOSPITAL, { cursor: second.previous, limit: 7 });
      expect(ids(back.datasets)).to.deep.equal(ids(first.datasets));
      expect(back.previous).to.equal(undefined);
      expect(back.next).to.equal(first.next);
    });

    it('while datasets and offers come and go between pages, never repeats one and never skips one that stayed', async () => {
      // Snapshot semantics chosen: each page reads the catalog as it is now, positioned after the
      // last dataset returned. A dataset visible for the whole walk appears exactly once; one added
      // behind the cursor is not seen, one added ahead is; one removed ahead is not seen.
      const added: string[] = [];
      const removed: string[] = [];
      const pages = await walk(r.catalog, HOSPITAL, 6, async (page) => {
        const behind = `urn:ds:00${page}a`; // sorts among the first pages
        const ahead = `urn:ds:9${page}`; // sorts after everything
        await r.store.createAsset(asset(behind));
        await r.store.createAsset(asset(ahead));
        added.push(behind, ahead);
        if (page === 2) {
          // The energy offer goes (its datasets disappear ahead and behind), a medical dataset
          // ahead of the cursor is deleted.
          await r.store.deleteOffer('energy');
          await r.store.deleteAsset(id(30));
          removed.push(id(30));
        }
        if (page === 4) {
          // The energy offer comes back, now for medical members only.
          await r.store.createOffer(offer('energy', { assetSelector: { sector: 'energy' } }));
        }
      });
      const seen = pages.flat();
      expect(new Set(seen).size, 'no dataset twice').to.equal(seen.length);
      // Medical datasets were visible throughout (except the deleted one): each exactly once.
      const stayed = Array.from({ length: 40 }, (_, n) => n)
        .filter((n) => n % 2 === 0)
        .map(id)
        .filter((x) => !removed.includes(x));
      for (const x of stayed)
        expect(
          seen.filter((s) => s === x),
          x,
        ).to.have.length(1);
      expect(seen).to.not.include(id(30));
      // Added ahead of the cursor: seen; added behind it: not seen.
      for (const x of added.filter((a) => a.startsWith('urn:ds:9'))) expect(seen).to.include(x);
      for (const x of added.filter((a) => a.startsWith('urn:ds:00'))) expect(seen).to.not.include(x);
      expect([...seen].sort()).to.deep.equal(seen); // one order throughout
    });

    it('refuses a cursor it did not issue, a cursor with an offset, and a cursor of another order', async () => {
      const first = await r.catalog.catalogFor(HOSPITAL, { limit: 5 });
      for (const query of [
        { cursor: 'bm90LWEtY3Vyc29y' },
        { cursor: 'not base64!' },
        { cursor: first.next, offset: 3 },
        { cursor: first.next, filter: [{ '@type': 'QuerySpec', sortOrder: 'DESC', filterExpression: [] }] },
      ]) {
        const e = await rejection(() => r.catalog.catalogFor(HOSPITAL, query), CatalogQueryError);
        expect(e.code, JSON.stringify(query)).to.equal('ERR_CATALOG_QUERY_INVALID');
        expect(e.fields[0]?.pointer).to.equal('/cursor');
      }
    });
  });

  describe('caller views', () => {
    beforeEach(async () => {
      for (const n of [1, 2, 3]) await r.store.createAsset(asset(id(n)));
      await r.store.createOffer(offer('restricted')); // medical members only
    });

    it('never shows a restricted offer to a caller without the credentials, also after policy changes', async () => {
      const seenBy = async (caller: Caller): Promise<string[]> => [
        ...ids((await r.catalog.catalogFor(caller, {})).datasets),
        ...((await r.catalog.datasetFor(caller, id(1))) ? ['dataset'] : []),
        ...((await r.catalog.visibleOfferById(caller, `urn:shuyu:offer:restricted:${id(1)}`))
          ? ['offer']
          : []),
      ];
      const all = [id(1), id(2), id(3), 'dataset', 'offer'];
      expect(await seenBy(HOSPITAL)).to.deep.equal(all);
      expect(await seenBy(GRID_OPERATOR)).to.deep.equal([]);
      // Opened to every member: the grid operator sees it at once (the write dropped the views).
      await r.store.replaceOffer('restricted', offer('restricted', { accessPolicy: MEMBERS }));
      expect(await seenBy(GRID_OPERATOR)).to.deep.equal(all);
      // Restricted again: gone for the grid operator, on every path, with its view warm before.
      await r.store.replaceOffer('restricted', offer('restricted', { accessPolicy: MEDICAL_MEMBERS }));
      expect(await seenBy(GRID_OPERATOR)).to.deep.equal([]);
      expect(await seenBy(HOSPITAL)).to.deep.equal(all);
    });

    it('keys a view by the caller’s claims, not only its DID', async () => {
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(3);
      // Same DID, its sector credential gone (revoked, expired): a different caller.
      const lapsed: Caller = {
        participantId: HOSPITAL.participantId,
        claims: { ...HOSPITAL.claims, credentialTypes: ['MembershipCredential'], sectors: [] },
      };
      expect((await r.catalog.catalogFor(lapsed, {})).total).to.equal(0);
      expect(await r.catalog.datasetFor(lapsed, id(1))).to.equal(undefined);
      expect((await r.catalog.catalogFor(HOSPITAL, {})).total).to.equal(3);
    });

    it('reuses a caller’s view until a write, and stays right with more callers than it keeps', async () => {
      const catalog = new Catalog(r.store, {
        participantId: PROVIDER,
        endpointURL: ENDPOINT,
        now: () => NOW,
        callerViews: 2,
      });
      const first = await catalog.catalogFor(HOSPITAL, {});
      const snapshot = await catalog.snapshot();
      const evaluate = snapshot.offersById.get('restricted')!.access.compiled;
      let evaluations = 0;
      const original = evaluate.evaluate.bind(evaluate);
      evaluate.evaluate = (request) => {
        evaluations++;
        return original(request);
      };
      try {
        for (let k = 0; k < 5; k++) await catalog.catalogFor(HOSPITAL, { limit: 1, offset: k % 3 });
        expect(evaluations, 'decided once, when the view was built').to.equal(0);
        const others: Caller[] = [1, 2, 3].map((n) => ({
          participantId: `did:web:other-${n}.example`,
          claims: n === 2 ? HOSPITAL.claims : GRID_OPERATOR.claims,
        }));
        for (const caller of others) await catalog.catalogFor(caller, {});
        expect(evaluations).to.equal(3); // one per new caller (one policy, one grade)
        // The hospital's view was evicted (capacity 2): rebuilt, same answer.
        expect(ids((await catalog.catalogFor(HOSPITAL, {})).datasets)).to.deep.equal(ids(first.datasets));
        expect(evaluations).to.equal(4);
        expect((await catalog.catalogFor(others[2]!, {})).total).to.equal(0);
      } finally {
        evaluate.evaluate = original;
      }
    });

    it('decides again when the time crosses an access policy’s time bound, with no write', async () => {
      let now = Date.parse('2026-06-01T00:00:00Z');
      const catalog = new Catalog(r.store, {
        participantId: PROVIDER,
        endpointURL: ENDPOINT,
        now: () => now,
      });
      const until = {
        permission: [
          {
            action: 'read',
            constraint: [
              {
                leftOperand: 'shuyu:credentialType',
                operator: 'hasPart',
                rightOperand: 'MembershipCredential',
              },
              { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2026-06-01T00:00:10Z' },
            ],
          },
        ],
      };
      await r.store.replaceOffer('restricted', offer('restricted', { accessPolicy: until }));
      expect((await catalog.catalogFor(HOSPITAL, {})).total).to.equal(3);
      now += 9_999;
      expect((await catalog.catalogFor(HOSPITAL, {})).total).to.equal(3);
      now += 1; // 00:00:10: the window has closed
      expect((await catalog.catalogFor(HOSPITAL, {})).total).to.equal(0);
      expect(await catalog.datasetFor(HOSPITAL, id(1))).to.equal(undefined);
      now -= 1; // a clock set back is decided again too
      expect((await catalog.catalogFor(HOSPITAL, {})).total).to.equal(3);
    });
  });

  describe('EDC QuerySpec', () => {
    const titles = ['Zeta', 'alpha', 'Beta', 'Alpha', 'gamma'];
    beforeEach(async () => {
      for (const [n, title] of titles.entries())
        await r.store.createAsset(
          asset(id(n), { title, keywords: n % 2 === 0 ? ['Load', 'grid'] : ['grid'] }),
        );
      await r.store.createOffer(offer('members', { assetSelector: {}, accessPolicy: MEMBERS }));
    });

    const spec = (extra: Record<string, unknown> = {}): unknown[] => [
      { '@type': 'QuerySpec', limit: 50, offset: 0, sortOrder: 'ASC', filterExpression: [], ...extra },
    ];
    const page = async (filter: unknown, extra: object = {}): Promise<{ ids: string[]; total: number }> => {
      const p = await r.catalog.catalogFor(HOSPITAL, { filter, ...extra });
      return { ids: ids(p.datasets), total: p.total };
    };

    it('applies limit and offset, and an empty filterExpression filters nothing', async () => {
      expect(await page(spec())).to.deep.equal({ ids: [0, 1, 2, 3, 4].map(id), total: 5 });
      expect(await page(spec({ limit: 2, offset: 1 }))).to.deep.equal({ ids: [id(1), id(2)], total: 5 });
      expect(await page(spec({ offset: 9 }))).to.deep.equal({ ids: [], total: 5 });
      // EDC's QuerySpec.max() asks for Integer.MAX_VALUE: served a page of MAX_PAGE_SIZE at most.
      expect((await r.catalog.catalogFor(HOSPITAL, { filter: spec({ limit: 2147483647 }) })).limit).to.equal(
        1000,
      );
      // The URL's paging wins over the QuerySpec's (a client following a Link re-sends the message).
      expect(await page(spec({ limit: 2, offset: 1 }), { offset: 3, limit: 1 })).to.deep.equal({
        ids: [id(3)],
        total: 5,
      });
    });

    it('sorts by a dataset field in either order, ties by id, and pages by cursor in that order', async () => {
      const byTitle = await page(spec({ sortField: 'dct:title' }));
      expect(byTitle.ids).to.deep.equal([id(3), id(2), id(0), id(1), id(4)]); // Alpha Beta Zeta alpha gamma
      const desc = spec({ sortField: 'http://purl.org/dc/terms/title', sortOrder: 'DESC', limit: 2 });
      const first = await r.catalog.catalogFor(HOSPITAL, { filter: desc });
      expect(ids(first.datasets)).to.deep.equal([id(4), id(1)]);
      const second = await r.catalog.catalogFor(HOSPITAL, { filter: desc, cursor: first.next });
      expect(ids(second.datasets)).to.deep.equal([id(0), id(2)]);
      const byId = await page(spec({ sortField: 'https://w3id.org/edc/v0.0.1/ns/id', sortOrder: 'desc' }));
      expect(byId.ids).to.deep.equal([4, 3, 2, 1, 0].map(id));
    });

    it('applies criteria with =, !=, in, like and ilike on dataset fields, in any key form', async () => {
      const criterion = (operandLeft: string, operator: string, operandRight: unknown): unknown[] =>
        spec({ filterExpression: [{ '@type': 'Criterion', operandLeft, operator, operandRight }] });
      expect((await page(criterion('https://w3id.org/edc/v0.0.1/ns/id', '=', id(2)))).ids).to.deep.equal([
        id(2),
      ]);
      expect((await page(criterion('@id', 'in', [id(1), id(3), 'urn:ds:nope']))).ids).to.deep.equal([
        id(1),
        id(3),
      ]);
      expect((await page(criterion('id', 'in', id(4)))).ids).to.deep.equal([id(4)]); // a one-element list, compacted
      expect((await page(criterion('dct:title', 'like', 'Al%'))).ids).to.deep.equal([id(3)]);
      expect((await page(criterion('dct:title', 'ILIKE', 'al_ha'))).ids).to.deep.equal([id(1), id(3)]);
      expect((await page(criterion('dcat:keyword', '=', 'Load'))).ids).to.deep.equal([id(0), id(2), id(4)]);
      expect((await page(criterion('dcat:keyword', '!=', 'Load'))).ids).to.deep.equal([id(1), id(3)]);
      expect((await page(criterion('https://w3id.org/shuyu/v1#sector', '=', 'energy'))).total).to.equal(0);
      // Expanded keys and a value object, as the DSP layer leaves EDC's message without EDC's context.
      const expanded = [
        {
          '@type': 'https://w3id.org/edc/v0.0.1/ns/QuerySpec',
          'https://w3id.org/edc/v0.0.1/ns/limit': { '@value': 1 },
          'https://w3id.org/edc/v0.0.1/ns/offset': 0,
          'https://w3id.org/edc/v0.0.1/ns/filterExpression': {
            '@type': 'https://w3id.org/edc/v0.0.1/ns/Criterion',
            'https://w3id.org/edc/v0.0.1/ns/operandLeft': 'dct:title',
            'https://w3id.org/edc/v0.0.1/ns/operator': 'like',
            'https://w3id.org/edc/v0.0.1/ns/operandRight': '%eta',
          },
        },
      ];
      expect(await page(expanded)).to.deep.equal({ ids: [id(0)], total: 2 });
      // Combined with Shuyu's own filter items: all hold.
      expect((await page([...criterion('dct:title', 'ilike', 'z%'), { keyword: 'load' }])).ids).to.deep.equal(
        [id(0)],
      );
    });

    it('refuses what it cannot honour, naming the criterion, and answers the same afterwards', async () => {
      const before = await page(spec());
      const cases: [unknown[], string, RegExp][] = [
        [
          spec({ filterExpression: [{ operandLeft: 'edc:contenttype', operator: '=', operandRight: 'x' }] }),
          '/filter/0/filterExpression/0/operandLeft',
          /criterion "edc:contenttype" "=" "x".*cannot filter by/,
        ],
        [
          spec({ filterExpression: [{ operandLeft: 'dct:title', operator: '<', operandRight: 'b' }] }),
          '/filter/0/filterExpression/0/operator',
          /criterion "dct:title" "<" "b".*not supported; supported: =, !=, in, like, ilike/,
        ],
        [
          spec({ filterExpression: [{ operandLeft: 'dct:title', operator: '=', operandRight: 3 }] }),
          '/filter/0/filterExpression/0/operandRight',
          /needs a string/,
        ],
        [spec({ sortField: 'dcat:keyword' }), '/filter/0/sortField', /cannot sort by "dcat:keyword"/],
        [spec({ sortOrder: 'SIDEWAYS' }), '/filter/0/sortOrder', /ASC.*DESC/],
        [spec({ limit: 0 }), '/filter/0/limit', /at least 1/],
        [spec({ colour: 'red' }), '/filter/0/colour', /not supported/],
        [[...spec(), ...spec()], '/filter/1', /at most one QuerySpec/],
      ];
      for (const [filter, pointer, reason] of cases) {
        const e = await rejection(() => r.catalog.catalogFor(HOSPITAL, { filter }), CatalogQueryError);
        expect(e.code, pointer).to.equal('ERR_CATALOG_FILTER_UNSUPPORTED');
        expect(e.fields.map((f) => f.pointer)).to.deep.equal([pointer]);
        expect(e.message).to.match(reason);
      }
      expect(await page(spec())).to.deep.equal(before);
    });
  });
});
