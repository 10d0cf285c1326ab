// Federated search parity: the same random indexes (English and Chinese titles, facet values with
// NULLs and repeats, offers with and without access policies) written to a SQLite file and to a
// PostgreSQL database give the same totals, facet counts and pages for the same random queries (text,
// every filter, every sort, pages), for an admin, a member and an anonymous asker; Chinese words are
// found inside longer runs on both. On PostgreSQL the SQL path (single-dataset lookups) answers what
// its memory path answers. Both backends' searches take their text hits and ranks from the same
// in-memory index (search/text-index.ts), so relevance order is the same too; PostgreSQL's SQL reference
// path ranks by ts_rank, so against it relevance queries compare the whole hit set in provider order.
// Skips without a PostgreSQL cluster.
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
  type SearchQuery,
  type SearchResult,
} from '../../catalog/federation/index.js';
import { VisibilityEvaluator } from '../../catalog/federation/policy/visibility.js';
import { IndexStore } from '../../catalog/federation/store/index-store.js';
import { openProcessIdentity } from '../../connector/identity/index.js';
import { Database } from '../../connector/store/database.js';
import { PostgresStore } from '../../connector/store/postgres.js';
import type { Store } from '../../connector/store/types.js';
import { USCC_A, USCC_B } from '../authority/helpers.js';
import { postgresForTests } from '../support/postgres.js';
import {
  ASKERS,
  catalogArb,
  indexCatalog,
  MEMBER,
  PROVIDERS,
  queryArb,
  type DatasetSpec,
} from './random-index.js';

interface Backend {
  readonly db: Store;
  readonly service: AuthorityService;
  readonly store: IndexStore;
  readonly memory: FederatedSearch;
  readonly sql: FederatedSearch;
}

const clock = () => new Date('2026-06-01T00:00:00Z');

async function backend(db: Store, dir: string): Promise<Backend> {
  const identity = await openProcessIdentity(join(dir, 'keys'), 'http://127.0.0.1:7798', clock);
  const service = await AuthorityService.open({ db, identity, publicUrl: 'http://127.0.0.1:7798', clock });
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
  const store = new IndexStore(db);
  const search = (engine?: 'sql') =>
    new FederatedSearch(store, new VisibilityEvaluator(store, clock), {
      resultCache: 0,
      ...(engine ? { engine } : {}),
    });
  return { db, service, store, memory: search(), sql: search('sql') };
}

/** Relevance: the whole hit set in provider order (equal-rank ties may order differently). */
function comparable(query: SearchQuery): SearchQuery {
  return query.sort === 'relevance' ? { ...query, sort: 'provider', limit: 1000, offset: 0 } : query;
}

const ids = (result: SearchResult) => result.results.map((r) => `${r.provider.did} ${r.datasetId}`);

describe('federation: search parity between SQLite and PostgreSQL', function () {
  this.timeout(120_000);
  let dir: string;
  let sqlite: Backend;
  let postgres: Backend;
  let round = 0;

  before(async function () {
    const available = await postgresForTests();
    if (!available.ok) {
      console.log(`      skipped: ${available.reason}`);
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'shuyu-federation-parity-'));
    const migrations = [...AUTHORITY_MIGRATIONS, ...FEDERATION_MIGRATIONS];
    sqlite = await backend(await Database.open(join(dir, 'authority.sqlite'), migrations), dir);
    const url = await available.postgres.createDatabase();
    postgres = await backend(await PostgresStore.open(url, migrations), dir);
  });
  after(async () => {
    await sqlite?.db.close();
    await postgres?.db.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function index(did: string, datasets: DatasetSpec[]): Promise<void> {
    round++;
    for (const b of [sqlite, postgres]) {
      await indexCatalog(b.store, did, datasets, round, clock().toISOString());
    }
  }

  async function same(query: SearchQuery): Promise<void> {
    const q = comparable(query);
    for (const asker of ASKERS) {
      const label = `${JSON.stringify(q)} as ${asker.kind}`;
      const expected = await sqlite.memory.search(q, asker);
      expect(await postgres.memory.search(q, asker), label).to.deep.equal(expected);
      // Both backends rank with the same in-memory index: the same order, relevance included.
      expect(await postgres.memory.search(query, asker), label).to.deep.equal(
        await sqlite.memory.search(query, asker),
      );
      // PostgreSQL's SQL reference path ranks by ts_rank: the same hits, possibly in another order.
      expect(await postgres.sql.search(q, asker), `sql ${label}`).to.deep.equal(expected);
    }
    const page = { ...query, sort: 'provider' as const };
    expect(await postgres.memory.dspPage(page, MEMBER)).to.deep.equal(
      await sqlite.memory.dspPage(page, MEMBER),
    );
  }

  it('gives the same totals, facet counts and pages on random indexes and queries', async () => {
    await fc.assert(
      fc.asyncProperty(
        catalogArb,
        fc.array(queryArb, { minLength: 5, maxLength: 10 }),
        async (catalogs, queries) => {
          for (const [i, did] of PROVIDERS.entries()) await index(did, catalogs[i] ?? []);
          for (const query of queries) await same(query);
        },
      ),
      { numRuns: 15, ...(process.env.SEED ? { seed: Number(process.env.SEED) } : {}) },
    );
  });

  it('finds Chinese words inside longer runs, English words by prefix and by stem on both', async () => {
    const spec = (words: string[]): DatasetSpec => ({
      words,
      sector: 'medical',
      grade: undefined,
      publisher: 'Org A',
      format: undefined,
      licence: undefined,
      modified: undefined,
      offers: [{ access: 0, purpose: 0, paid: false }],
    });
    await index(PROVIDERS[0] as string, [
      spec(['门诊就诊记录']),
      spec(['住院', '记录']),
      spec(['weekly', 'records']),
      spec(['Load', 'forecasting']),
    ]);
    await index(PROVIDERS[1] as string, []);
    await index(PROVIDERS[2] as string, []);
    const expectations: [string, number][] = [
      ['就诊', 1], // inside the run 门诊就诊记录
      ['记录', 2],
      ['门诊 记录', 1],
      ['住院记录', 1], // across the two words 住院 记录
      ['rec', 1],
      ['forecast', 1],
      ['LOAD', 1],
      ['急诊', 0],
    ];
    for (const [text, total] of expectations) {
      const query: SearchQuery = { q: text, sort: 'relevance', limit: 10, offset: 0 };
      for (const b of [sqlite, postgres]) {
        const result = await b.memory.search(query, ASKERS[0] as (typeof ASKERS)[number]);
        expect(result.total, `${text} on ${b.db.dialect}`).to.equal(total);
      }
      await same(query);
    }
    // English words are stemmed on both (the SQL reference path on PostgreSQL does not stem).
    await index(PROVIDERS[1] as string, [spec(['study', 'plan'])]);
    for (const text of ['studies', 'studying plans']) {
      const query: SearchQuery = { q: text, sort: 'relevance', limit: 10, offset: 0 };
      for (const b of [sqlite, postgres]) {
        const found = await b.memory.search(query, ASKERS[0] as (typeof ASKERS)[number]);
        expect(ids(found), `${text} on ${b.db.dialect}`).to.deep.equal([`${PROVIDERS[1]} urn:ds:a0`]);
      }
    }
    const result = await postgres.sql.search(
      { q: '记录', sort: 'relevance', limit: 10, offset: 0 },
      ASKERS[0] as (typeof ASKERS)[number],
    );
    expect(ids(result)).to.have.length(2);
  });

  it('follows re-crawls and suspensions on both', async () => {
    const query: SearchQuery = { sort: 'title', limit: 100, offset: 0 };
    const sample = fc.sample(catalogArb, { numRuns: 2, seed: 11 });
    for (const [i, did] of PROVIDERS.entries()) await index(did, sample[0]?.[i] ?? []);
    await same(query);
    await index(PROVIDERS[1] as string, sample[1]?.[1] ?? []);
    await same(query);
    for (const b of [sqlite, postgres])
      await b.service.suspend(PROVIDERS[0] as string, 'admin:test', 'audit');
    await same(query);
    for (const b of [sqlite, postgres]) await b.service.reinstate(PROVIDERS[0] as string, 'admin:test');
    await same(query);
  });
});
