// The in-memory search (counts over the full-text hits, memory-index.ts) answers exactly what the plain
// SQL path answers: random indexes (providers, facet values with NULLs and repeats, titles differing
// only in case, offers with and without access policies, purposes and prices) and random queries
// (text, every filter, every sort, pages), for an admin, a member and an anonymous asker; and after a
// re-crawl, a removed provider and a suspension, the memory index follows the database.
import { expect } from 'chai';
import fc from 'fast-check';
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
} from '../../catalog/federation/index.js';
import { catalogHash, datasetsOf } from '../../catalog/federation/crawl/normalise.js';
import { OfferPreparer } from '../../catalog/federation/crawl/prepare.js';
import { VisibilityEvaluator } from '../../catalog/federation/policy/visibility.js';
import { compareBinary } from '../../catalog/federation/search/memory-index.js';
import { IndexStore } from '../../catalog/federation/store/index-store.js';
import { ACCESS_POLICY_KEY } from '../../connector/assets/index.js';
import type { JsonObject } from '../../connector/dsp/messages/types.js';
import { openProcessIdentity } from '../../connector/identity/index.js';
import { Database } from '../../connector/store/database.js';
import { USCC_A, USCC_B } from '../authority/helpers.js';

const PROVIDERS = ['did:web:engines-a.example', 'did:web:engines-b.example', 'did:web:engines-c.example'];
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
const ASKERS: readonly Asker[] = [{ kind: 'admin', name: 'test' }, MEMBER, { kind: 'anonymous' }];

const ACCESS: readonly (JsonObject | undefined)[] = [
  { permission: [{ action: 'read' }] },
  {
    permission: [
      {
        action: 'read',
        constraint: [
          { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
        ],
      },
    ],
  },
  {
    permission: [
      {
        action: 'read',
        constraint: [
          { leftOperand: 'https://w3id.org/shuyu/v1#sector', operator: 'isA', rightOperand: 'finance' },
        ],
      },
    ],
  },
  undefined,
];
const PURPOSES = ['public-health', 'scientific-research', 'clinical-research', 'statistics'];
const WORDS = ['load', 'Load', 'weekly', 'records', 'Zebra', 'apple', '门诊', '记录'];

function terms(purpose: number, paid: boolean): JsonObject {
  return {
    permission: [
      {
        action: 'use',
        ...(purpose < PURPOSES.length
          ? {
              constraint: [
                { leftOperand: 'purpose', operator: 'isA', rightOperand: PURPOSES[purpose] as string },
              ],
            }
          : {}),
        ...(paid
          ? {
              duty: [
                {
                  action: {
                    'rdf:value': { '@id': 'odrl:compensate' },
                    refinement: [
                      {
                        leftOperand: 'payAmount',
                        operator: 'eq',
                        rightOperand: { '@value': '100.00', '@type': 'xsd:decimal' },
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
  };
}

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const offerArb = fc.record({
  access: fc.nat(ACCESS.length - 1),
  purpose: fc.nat(PURPOSES.length),
  paid: fc.boolean(),
});
const datasetArb = fc.record({
  words: fc.array(pick(WORDS), { minLength: 1, maxLength: 3 }),
  sector: maybe(pick(['medical', 'finance', 'energy'])),
  grade: maybe(pick(['general', 'important'])),
  publisher: maybe(pick(['Org A', 'Org B', 'org a'])),
  format: maybe(pick(['text/csv', 'application/json'])),
  licence: maybe(pick(['https://licences.example/0', 'https://licences.example/1'])),
  modified: maybe(pick(['2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z', '2024-12-31T00:00:00Z'])),
  offers: fc.array(offerArb, { minLength: 1, maxLength: 3 }),
});
type DatasetSpec = typeof datasetArb extends fc.Arbitrary<infer T> ? T : never;
const catalogArb = fc.array(fc.array(datasetArb, { maxLength: 12 }), {
  minLength: PROVIDERS.length,
  maxLength: PROVIDERS.length,
});
const list = <T>(values: readonly T[]) => maybe(fc.uniqueArray(pick(values), { minLength: 1, maxLength: 2 }));
const queryArb: fc.Arbitrary<SearchQuery> = fc
  .record({
    q: maybe(fc.array(pick([...WORDS, 'nothing', 'rec']), { minLength: 1, maxLength: 2 })),
    sector: list(['medical', 'finance', 'energy', 'education']),
    grade: list(['general', 'important']),
    publisher: list(['Org A', 'Org B']),
    format: list(['text/csv', 'application/json']),
    licence: list(['https://licences.example/0']),
    purpose: maybe(pick(['public-health', 'scientific-research', 'clinical-research', 'marketing'])),
    price: maybe(pick(['free', 'paid'] as const)),
    registered: maybe(pick(['registered', 'unregistered'] as const)),
    sort: pick(['relevance', 'title', 'modified', 'provider'] as const),
    limit: fc.integer({ min: 1, max: 8 }),
    offset: fc.integer({ min: 0, max: 10 }),
  })
  .map(({ q, ...rest }) => {
    const query = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    const text = q?.join(' ');
    const sort = query.sort === 'relevance' && text === undefined ? 'modified' : query.sort;
    return { ...query, ...(text ? { q: text } : {}), sort } as SearchQuery;
  });

describe('federation: the in-memory search answers what the SQL path answers', () => {
  let dir: string;
  let db: Database;
  let service: AuthorityService;
  let store: IndexStore;
  let memory: FederatedSearch;
  let sql: FederatedSearch;
  let round = 0;
  const clock = () => new Date('2026-06-01T00:00:00Z');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuyu-federation-engines-'));
    const identity = await openProcessIdentity(join(dir, 'keys'), 'http://127.0.0.1:7797', clock);
    db = await Database.open(join(dir, 'authority.sqlite'), [
      ...AUTHORITY_MIGRATIONS,
      ...FEDERATION_MIGRATIONS,
    ]);
    service = await AuthorityService.open({ db, identity, publicUrl: 'http://127.0.0.1:7797', clock });
    for (const [i, did] of PROVIDERS.entries()) {
      const applied = await service.apply(did, {
        organisationName: `Provider ${i}`,
        registrationNumber: i % 2 ? USCC_B : USCC_A,
        sectors: [{ sector: 'medical', roles: ['hospital'] }],
        contact: 'ops@example.org',
        connectorUrl: `https://${did.slice(8)}/dsp`,
      });
      await service.approve(applied.id, 'admin:test');
    }
    store = new IndexStore(db);
    memory = new FederatedSearch(store, new VisibilityEvaluator(store, clock), { resultCache: 0 });
    sql = new FederatedSearch(store, new VisibilityEvaluator(store, clock), {
      resultCache: 0,
      engine: 'sql',
    });
  });
  after(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function index(did: string, datasets: DatasetSpec[]): Promise<void> {
    round++;
    const crawled = datasetsOf({
      dataset: datasets.map((d, i) => ({
        '@id': `urn:ds:${i % 5 === 4 ? 'Z' : 'a'}${i}`,
        '@type': 'Dataset',
        'dct:title': `${d.words.join(' ')} ${i % 3}`,
        'dct:description': `round ${round}`,
        ...(d.publisher ? { 'dct:publisher': d.publisher } : {}),
        ...(d.licence ? { 'dct:license': d.licence } : {}),
        ...(d.modified ? { 'dct:modified': d.modified } : {}),
        ...(d.sector ? { 'https://w3id.org/shuyu/v1#sector': d.sector } : {}),
        ...(d.grade ? { 'https://w3id.org/shuyu/v1#dataGrade': d.grade } : {}),
        hasPolicy: d.offers.map((o, j) => {
          const access = ACCESS[o.access];
          return {
            '@id': `urn:o:${i}:${j}`,
            '@type': 'Offer',
            assigner: did,
            ...terms(o.purpose, o.paid),
            ...(access ? { [ACCESS_POLICY_KEY]: access } : {}),
          };
        }),
        distribution: [
          {
            '@type': 'Distribution',
            format: 'HttpData-PULL',
            accessService: 'urn:s',
            ...(d.format ? { 'dcat:mediaType': d.format } : {}),
          },
        ],
      })),
    });
    const preparer = new OfferPreparer();
    const prepared = await Promise.all(crawled.map((d) => preparer.prepare(d)));
    await store.replaceCatalog(did, `https://${did.slice(8)}/dsp`, catalogHash(crawled), prepared, {
      at: clock().toISOString(),
      durationMs: 1,
      pages: 1,
      warnings: [],
    });
  }

  async function same(query: SearchQuery): Promise<void> {
    for (const asker of ASKERS) {
      const expected = await sql.search(query, asker);
      expect(await memory.search(query, asker), `${JSON.stringify(query)} as ${asker.kind}`).to.deep.equal(
        expected,
      );
    }
    const page = { ...query, sort: 'provider' as const };
    expect(await memory.dspPage(page, MEMBER)).to.deep.equal(await sql.dspPage(page, MEMBER));
  }

  it('gives the same totals, facet counts and pages on random indexes and queries', async () => {
    await fc.assert(
      fc.asyncProperty(
        catalogArb,
        fc.array(queryArb, { minLength: 5, maxLength: 12 }),
        async (catalogs, queries) => {
          for (const [i, did] of PROVIDERS.entries()) await index(did, catalogs[i] ?? []);
          for (const query of queries) await same(query);
        },
      ),
      { numRuns: 25, ...(process.env.SEED ? { seed: Number(process.env.SEED) } : {}) },
    );
  });

  it('follows re-crawls, removed providers and suspensions', async () => {
    const query: SearchQuery = { sort: 'title', limit: 100, offset: 0 };
    const sample = fc.sample(catalogArb, { numRuns: 2, seed: 7 });
    for (const [i, did] of PROVIDERS.entries()) await index(did, sample[0]?.[i] ?? []);
    await same(query);
    await index(PROVIDERS[1] as string, sample[1]?.[1] ?? []);
    await same(query);
    await service.suspend(PROVIDERS[0] as string, 'admin:test', 'audit');
    await same(query);
    await store.removeProvidersExcept(new Set(PROVIDERS.slice(1)));
    await same(query);
    await service.reinstate(PROVIDERS[0] as string, 'admin:test');
    await index(PROVIDERS[0] as string, sample[0]?.[0] ?? []);
    await same(query);
    const all = await memory.search(query, ASKERS[0] as Asker);
    expect(all.total).to.be.greaterThan(0);
  });

  it('orders strings as SQLite does (code points, not UTF-16 units)', () => {
    expect(compareBinary('a', 'b')).to.be.lessThan(0);
    expect(compareBinary('ab', 'a')).to.be.greaterThan(0);
    expect(compareBinary('\uffff', '\u{1f600}')).to.be.lessThan(0); // JS alone says the opposite
    expect('\uffff' < '\u{1f600}').to.equal(false);
  });
});
