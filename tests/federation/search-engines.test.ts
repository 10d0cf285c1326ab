// The in-memory search (text hits and bm25 from text-index.ts, counts over them in memory-index.ts)
// answers exactly what the plain SQL path (FTS5, GROUP BY) answers: random indexes (providers, facet values with NULLs and repeats, titles differing
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
import { VisibilityEvaluator } from '../../catalog/federation/policy/visibility.js';
import { compareBinary } from '../../catalog/federation/search/memory-index.js';
import { IndexStore } from '../../catalog/federation/store/index-store.js';
import { openProcessIdentity } from '../../connector/identity/index.js';
import { Database } from '../../connector/store/database.js';
import { USCC_A, USCC_B } from '../authority/helpers.js';
import {
  ASKERS,
  catalogArb,
  indexCatalog,
  MEMBER,
  PROVIDERS,
  queryArb,
  type DatasetSpec,
} from './random-index.js';

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
    await indexCatalog(store, did, datasets, round, clock().toISOString());
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
    // The text index follows too: hits and ranks (bm25's statistics span every provider).
    const texts: SearchQuery[] = ['load', 'rec 门诊', 'round'].map((q) => ({
      q,
      sort: 'relevance',
      limit: 100,
      offset: 0,
    }));
    const check = async (): Promise<void> => {
      for (const q of [query, ...texts]) await same(q);
    };
    const sample = fc.sample(catalogArb, { numRuns: 2, seed: 7 });
    for (const [i, did] of PROVIDERS.entries()) await index(did, sample[0]?.[i] ?? []);
    await check();
    await index(PROVIDERS[1] as string, sample[1]?.[1] ?? []);
    await check();
    await service.suspend(PROVIDERS[0] as string, 'admin:test', 'audit');
    await check();
    await store.removeProvidersExcept(new Set(PROVIDERS.slice(1)));
    await check();
    await service.reinstate(PROVIDERS[0] as string, 'admin:test');
    await index(PROVIDERS[0] as string, sample[0]?.[0] ?? []);
    await check();
    const all = await memory.search(query, ASKERS[0] as Asker);
    expect(all.total).to.be.greaterThan(0);
  });

  it('orders titles beyond U+D7FF as SQLite does (the title order kept in memory)', async () => {
    const titles = ['\uffff', '\u{1f600}', '\ue000b', '\ud7ff', '\u{1f600}a', 'a\uffff', 'a\u{1f600}', 'Ab'];
    const spec = (word: string): DatasetSpec => ({
      words: [word],
      sector: 'medical',
      grade: undefined,
      publisher: undefined,
      format: undefined,
      licence: undefined,
      modified: undefined,
      offers: [{ access: 0, purpose: 0, paid: false }],
    });
    await index(PROVIDERS[0] as string, titles.map(spec));
    for (const did of PROVIDERS.slice(1)) await index(did, []);
    // Titles end in " 0", " 1" or " 2": "0" finds a third of them, all with the same rank.
    await same({ sort: 'title', limit: 20, offset: 0 });
    await same({ q: '0', sort: 'relevance', limit: 20, offset: 0 });
    await same({ sort: 'modified', limit: 20, offset: 0 });
  });

  it('orders strings as SQLite does (code points, not UTF-16 units)', () => {
    expect(compareBinary('a', 'b')).to.be.lessThan(0);
    expect(compareBinary('ab', 'a')).to.be.greaterThan(0);
    expect(compareBinary('\uffff', '\u{1f600}')).to.be.lessThan(0); // JS alone says the opposite
    expect('\uffff' < '\u{1f600}').to.equal(false);
  });
});
