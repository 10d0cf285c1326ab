// Browsing at scale, on a real authority database (SQLite file), without HTTP: catalogs written in
// multi-row batches (only what changed), facet counts that count a dataset once per value over the
// offers the asker sees, and text-less searches answered from a cache that never outlives the index
// version, a provider's state or the asker's visible offers.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorityService } from '../../catalog/authority/service.js';
import { AUTHORITY_MIGRATIONS } from '../../catalog/authority/store.js';
import {
  FEDERATION_MIGRATIONS,
  FederatedSearch,
  type Asker,
  type SearchQuery,
  type SearchResult,
} from '../../catalog/federation/index.js';
import { catalogHash, datasetsOf } from '../../catalog/federation/crawl/normalise.js';
import { OfferPreparer } from '../../catalog/federation/crawl/prepare.js';
import { VisibilityEvaluator } from '../../catalog/federation/policy/visibility.js';
import { MemoryIndex } from '../../catalog/federation/search/memory-index.js';
import { ResultCache } from '../../catalog/federation/search/search.js';
import { IndexStore, type ReplaceResult } from '../../catalog/federation/store/index-store.js';
import { ACCESS_POLICY_KEY } from '../../connector/assets/index.js';
import type { JsonObject } from '../../connector/dsp/messages/types.js';
import { openProcessIdentity } from '../../connector/identity/index.js';
import { Database } from '../../connector/store/database.js';
import { USCC_A, USCC_B } from '../authority/helpers.js';

const A = 'did:web:browse-a.example';
const B = 'did:web:browse-b.example';
const MEMBER: Asker = {
  kind: 'member',
  did: 'did:web:member.example',
  claims: {
    participantId: 'did:web:member.example',
    credentialTypes: ['MembershipCredential'],
    memberRole: 'participant',
    sectors: ['medical'],
    sectorRoles: ['hospital'],
  },
};
const ADMIN: Asker = { kind: 'admin', name: 'test' };
const ANONYMOUS: Asker = { kind: 'anonymous' };
const BROWSE: SearchQuery = { sort: 'title', limit: 100, offset: 0 };

const OPEN = { permission: [{ action: 'read' }] };
const MEMBERS = {
  permission: [
    {
      action: 'read',
      constraint: [
        { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
      ],
    },
  ],
};
const use = (purpose: string, price?: string): JsonObject => ({
  permission: [
    {
      action: 'use',
      constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: purpose }],
      ...(price
        ? {
            duty: [
              {
                action: {
                  'rdf:value': { '@id': 'odrl:compensate' },
                  refinement: [
                    {
                      leftOperand: 'payAmount',
                      operator: 'eq',
                      rightOperand: { '@value': price, '@type': 'xsd:decimal' },
                      unit: 'CNY',
                    },
                  ],
                },
              },
            ],
          }
        : {}),
    },
  ],
});

function offer(id: string, terms: JsonObject, access?: JsonObject): JsonObject {
  return { '@id': id, '@type': 'Offer', ...terms, ...(access ? { [ACCESS_POLICY_KEY]: access } : {}) };
}

function dataset(id: string, offers: JsonObject[], title = `Dataset ${id}`): JsonObject {
  return {
    '@id': id,
    '@type': 'Dataset',
    'dct:title': title,
    'https://w3id.org/shuyu/v1#sector': 'medical',
    'https://w3id.org/shuyu/v1#dataGrade': 'general',
    hasPolicy: offers,
    distribution: [{ '@type': 'Distribution', format: 'HttpData-PULL', accessService: 'urn:s' }],
  };
}

function facet(result: SearchResult, name: keyof SearchResult['facets']): Record<string, number> {
  return Object.fromEntries(result.facets[name].map((v) => [v.value, v.count]));
}

describe('federation: browsing at scale (batched writes, facet counts, cached browsing)', () => {
  let dir: string;
  let db: Database;
  let service: AuthorityService;
  let store: IndexStore;
  let search: FederatedSearch;
  let uncached: FederatedSearch;
  let now = Date.parse('2026-06-01T00:00:00Z');
  const clock = () => new Date(now);
  let computations = 0;
  let restoreTally = (): void => undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuyu-federation-browse-'));
    const identity = await openProcessIdentity(join(dir, 'keys'), 'http://127.0.0.1:7798', clock);
    db = await Database.open(join(dir, 'authority.sqlite'), [
      ...AUTHORITY_MIGRATIONS,
      ...FEDERATION_MIGRATIONS,
    ]);
    service = await AuthorityService.open({ db, identity, publicUrl: 'http://127.0.0.1:7798', clock });
    for (const [did, registrationNumber] of [
      [A, USCC_A],
      [B, USCC_B],
    ] as const) {
      const applied = await service.apply(did, {
        organisationName: `Provider ${did.slice(8, 16)}`,
        registrationNumber,
        sectors: [{ sector: 'medical', roles: ['hospital'] }],
        contact: 'ops@example.org',
        connectorUrl: `https://${did.slice(8)}/dsp`,
      });
      await service.approve(applied.id, 'admin:test');
    }
    // Every search that computes its matches makes one pass over the in-memory index; a cached one none.
    const tally = MemoryIndex.prototype.tally;
    MemoryIndex.prototype.tally = function (this: MemoryIndex, ...args: Parameters<MemoryIndex['tally']>) {
      computations++;
      return tally.apply(this, args);
    };
    restoreTally = () => {
      MemoryIndex.prototype.tally = tally;
    };
    store = new IndexStore(db);
    search = new FederatedSearch(store, new VisibilityEvaluator(store, clock));
    uncached = new FederatedSearch(store, new VisibilityEvaluator(store, clock), { resultCache: 0 });
  });
  after(async () => {
    restoreTally();
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function index(provider: string, datasets: JsonObject[]): Promise<ReplaceResult> {
    const crawled = datasetsOf({ dataset: datasets });
    const preparer = new OfferPreparer();
    const prepared = await Promise.all(crawled.map((d) => preparer.prepare(d)));
    return store.replaceCatalog(
      provider,
      `https://${provider.slice(8)}/dsp`,
      catalogHash(crawled),
      prepared,
      {
        at: clock().toISOString(),
        durationMs: 1,
        pages: 1,
        warnings: [],
      },
    );
  }

  const count = async (sql: string): Promise<number> => (await db.get<{ n: number }>(sql))?.n ?? -1;

  it('writes a catalog of many datasets in batches, and rewrites only the datasets that changed', async () => {
    const many = (n: number, changed = new Set<number>()): JsonObject[] =>
      Array.from({ length: n }, (_, i) =>
        dataset(
          `urn:ds:many:${String(i).padStart(3, '0')}`,
          [
            offer(`urn:o:${i}:a`, use('public-health'), OPEN),
            ...(i % 2 ? [offer(`urn:o:${i}:b`, use('scientific-research', '10.00'), MEMBERS)] : []),
          ],
          changed.has(i) ? `Changed dataset ${i}` : `Dataset ${i}`,
        ),
      );
    expect(await index(A, many(250))).to.deep.equal({ added: 250, updated: 0, removed: 0 });
    expect((await uncached.search(BROWSE, ADMIN)).total).to.equal(250);
    expect(await count('SELECT COUNT(*) AS n FROM federation_fts')).to.equal(250);
    expect(await count('SELECT COUNT(*) AS n FROM federation_offers')).to.equal(375);
    // purpose, region ("(any)") and price for every offer.
    expect(await count('SELECT COUNT(*) AS n FROM federation_offer_features')).to.equal(375 * 3);

    // 10 changed, the last 5 gone, 3 new: only those are written.
    const next = many(245, new Set([0, 1, 2, 3, 4, 100, 101, 102, 200, 201]));
    const extra = Array.from({ length: 3 }, (_, i) =>
      dataset(`urn:ds:new:${i}`, [offer(`urn:o:new:${i}`, use('public-health'), OPEN)]),
    );
    const result = await index(A, [...next, ...extra]);
    expect(result).to.deep.equal({ added: 3, updated: 10, removed: 5 });
    const all = await uncached.search({ ...BROWSE, limit: 100, offset: 200 }, ADMIN);
    expect(all.total).to.equal(248);
    expect(await count('SELECT COUNT(*) AS n FROM federation_fts')).to.equal(248);
    expect((await uncached.search({ ...BROWSE, q: 'changed' }, ADMIN)).total).to.equal(10);
    expect(await search.dataset(A, 'urn:ds:many:249', ADMIN)).to.equal(undefined);
    const changed = await search.dataset(A, 'urn:ds:many:101', MEMBER);
    expect(changed?.title).to.equal('Changed dataset 101');
    expect(changed?.offers.map((o) => o.id)).to.deep.equal(['urn:o:101:a', 'urn:o:101:b']);
    expect(await count('SELECT COUNT(*) AS n FROM federation_offers')).to.equal(245 + 122 + 3);
    // Nothing left behind for rows that were replaced or removed.
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM federation_offer_features WHERE offer_row NOT IN (SELECT id FROM federation_offers)',
      ),
    ).to.equal(0);
  });

  it('counts a dataset once per facet value, over the offers the asker may see', async () => {
    await index(A, [
      // Open for public health (free) and, for members, also paid for research.
      dataset('urn:ds:x', [
        offer('urn:o:x1', use('public-health'), OPEN),
        offer('urn:o:x2', use('public-health', '5000.00'), MEMBERS),
        offer('urn:o:x3', use('scientific-research', '5000.00'), MEMBERS),
      ]),
      dataset('urn:ds:y', [offer('urn:o:y1', use('scientific-research'), MEMBERS)]),
      // No access policy: admins only.
      dataset('urn:ds:z', [offer('urn:o:z1', use('statistics'))]),
    ]);
    await index(B, []);
    const anonymous = await search.search(BROWSE, ANONYMOUS);
    expect(anonymous.total).to.equal(1);
    expect(facet(anonymous, 'purpose')).to.deep.equal({ 'public-health': 1 });
    expect(facet(anonymous, 'price')).to.deep.equal({ free: 1 });

    const member = await search.search(BROWSE, MEMBER);
    expect(member.total).to.equal(2);
    expect(facet(member, 'purpose')).to.deep.equal({ 'public-health': 1, 'scientific-research': 2 });
    expect(facet(member, 'price')).to.deep.equal({ free: 2, paid: 1 });
    expect(facet(member, 'sector')).to.deep.equal({ medical: 2 });

    const admin = await search.search(BROWSE, ADMIN);
    expect(admin.total).to.equal(3);
    expect(facet(admin, 'purpose')).to.deep.equal({
      'public-health': 1,
      'scientific-research': 2,
      statistics: 1,
    });
    // The cached answers equal the computed ones, and a text search counts the same way.
    for (const asker of [ANONYMOUS, MEMBER, ADMIN]) {
      expect(await search.search(BROWSE, asker)).to.deep.equal(await uncached.search(BROWSE, asker));
      expect(await search.search({ ...BROWSE, q: 'dataset' }, asker)).to.deep.equal(
        await uncached.search({ ...BROWSE, q: 'dataset' }, asker),
      );
    }
  });

  it('answers repeated text-less searches from the cache until the index, a provider or the asker changes', async () => {
    const ids = (r: SearchResult): string[] => r.results.map((d) => d.datasetId);
    const first = await search.search(BROWSE, MEMBER);
    let before = computations;
    expect(await search.search(BROWSE, MEMBER)).to.deep.equal(first);
    expect(await search.search(BROWSE, MEMBER)).to.deep.equal(first);
    expect(computations, 'served from the cache').to.equal(before);
    // Text searches are computed every time.
    await search.search({ ...BROWSE, q: 'dataset' }, MEMBER);
    expect(computations).to.equal(before + 1);

    // Another asker with other visible offers: its own entry.
    expect((await search.search(BROWSE, ANONYMOUS)).total).to.equal(1);

    // The index changes: a new dataset shows at once.
    await index(B, [dataset('urn:ds:b1', [offer('urn:o:b1', use('public-health'), OPEN)])]);
    expect(ids(await search.search(BROWSE, MEMBER))).to.include('urn:ds:b1');

    // A provider is suspended: its datasets go at once, and come back when it is reinstated.
    await service.suspend(B, 'admin:test', 'audit');
    expect(ids(await search.search(BROWSE, MEMBER))).to.not.include('urn:ds:b1');
    await service.reinstate(B, 'admin:test');
    expect(ids(await search.search(BROWSE, MEMBER))).to.include('urn:ds:b1');

    // The asker's visible offers change with time (an access policy open until July).
    const untilJuly = {
      permission: [
        {
          action: 'read',
          constraint: [{ leftOperand: 'dateTime', operator: 'lt', rightOperand: '2026-07-01T00:00:00Z' }],
        },
      ],
    };
    await index(B, [dataset('urn:ds:b2', [offer('urn:o:b2', use('public-health'), untilJuly)])]);
    expect(ids(await search.search(BROWSE, ANONYMOUS))).to.include('urn:ds:b2');
    before = computations;
    expect(ids(await search.search(BROWSE, ANONYMOUS))).to.include('urn:ds:b2');
    expect(computations).to.equal(before);
    now = Date.parse('2026-07-02T00:00:00Z');
    expect(ids(await search.search(BROWSE, ANONYMOUS))).to.not.include('urn:ds:b2');
    now = Date.parse('2026-06-01T00:00:00Z');

    // The page's datasets are read fresh: a failing crawl flags them stale at once.
    await store.recordFailure(
      B,
      `https://${B.slice(8)}/dsp`,
      { code: 'unreachable', message: 'down', at: clock().toISOString() },
      clock().toISOString(),
      1,
    );
    const stale = (await search.search(BROWSE, ANONYMOUS)).results.find((d) => d.datasetId === 'urn:ds:b2');
    expect(stale?.provider.stale).to.equal(true);
  });

  it('keeps a bounded number of entries, one generation at a time, and never a failure', async () => {
    const cache = new ResultCache<string>(2);
    let computed = 0;
    const value = (v: string) => async () => {
      computed++;
      return v;
    };
    expect(await cache.get('g1', 'a', value('A'))).to.equal('A');
    expect(await cache.get('g1', 'b', value('B'))).to.equal('B');
    expect(await cache.get('g1', 'a', value('A2'))).to.equal('A'); // a is now the most recent
    expect(await cache.get('g1', 'c', value('C'))).to.equal('C'); // evicts b
    expect(await cache.get('g1', 'b', value('B2'))).to.equal('B2');
    expect(computed).to.equal(4);
    expect(await cache.get('g2', 'b', value('B3'))).to.equal('B3'); // a new generation drops everything

    const failing = cache.get('g2', 'x', () => Promise.reject(new Error('busy')));
    await failing.catch(() => undefined);
    expect(await cache.get('g2', 'x', value('X'))).to.equal('X');

    // Concurrent askers of one key share one computation.
    computed = 0;
    const [p, q] = [cache.get('g2', 'y', value('Y')), cache.get('g2', 'y', value('Y2'))];
    expect(await Promise.all([p, q])).to.deep.equal(['Y', 'Y']);
    expect(computed).to.equal(1);
  });
});
