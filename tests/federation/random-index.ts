// Random federated indexes and queries for the search property tests (search-engines.test.ts: the
// memory path against the SQL path; postgres-parity.test.ts: SQLite against PostgreSQL): providers,
// facet values with NULLs and repeats, titles differing only in case and Chinese words, offers with
// and without access policies, purposes and prices; queries with text, every filter, sort and page.
import fc from 'fast-check';
import type { Asker, SearchQuery } from '../../catalog/federation/index.js';
import { catalogHash, datasetsOf } from '../../catalog/federation/crawl/normalise.js';
import { OfferPreparer } from '../../catalog/federation/crawl/prepare.js';
import type { IndexStore } from '../../catalog/federation/store/index-store.js';
import { ACCESS_POLICY_KEY } from '../../connector/assets/index.js';
import type { JsonObject } from '../../connector/dsp/messages/types.js';

export const PROVIDERS = [
  'did:web:engines-a.example',
  'did:web:engines-b.example',
  'did:web:engines-c.example',
];
export const MEMBER: Asker = {
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
export const ASKERS: readonly Asker[] = [{ kind: 'admin', name: 'test' }, MEMBER, { kind: 'anonymous' }];

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
export const WORDS = ['load', 'Load', 'weekly', 'records', 'Zebra', 'apple', '门诊', '记录'];

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
export type DatasetSpec = typeof datasetArb extends fc.Arbitrary<infer T> ? T : never;
export const catalogArb = fc.array(fc.array(datasetArb, { maxLength: 12 }), {
  minLength: PROVIDERS.length,
  maxLength: PROVIDERS.length,
});
const list = <T>(values: readonly T[]) => maybe(fc.uniqueArray(pick(values), { minLength: 1, maxLength: 2 }));
export const queryArb: fc.Arbitrary<SearchQuery> = fc
  .record({
    q: maybe(
      fc.array(pick([...WORDS, 'nothing', 'rec', '诊记', '门诊记录']), { minLength: 1, maxLength: 2 }),
    ),
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

/**
 * Indexes `datasets` as provider `did`'s catalog (as a crawl would), crawled at `at`; `round` goes into
 * every description so a re-crawl changes the catalog.
 */
export async function indexCatalog(
  store: IndexStore,
  did: string,
  datasets: readonly DatasetSpec[],
  round: number,
  at: string,
): Promise<void> {
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
    at,
    durationMs: 1,
    pages: 1,
    warnings: [],
  });
}
