// Federated search parity over the seed data: the four sectors' members, datasets and offers that
// `npm start` publishes (seeds/sectors/*.json), indexed from each member's connector catalog through the
// crawler's path (datasetsOf, OfferPreparer, IndexStore.replaceCatalog) into a SQLite file and a
// PostgreSQL database, give the same totals, facet counts and pages for a fixed list of queries (browse
// all, each sector and grade, English words from the seed titles and descriptions, Chinese words, every
// sort, pages), for an admin, one member of each sector and an anonymous asker. Browsing all finds
// exactly the seed datasets each asker's own connector catalogs show it. Relevance order among equal
// scores may differ (bm25 against ts_rank), so relevance queries compare the hit set in provider order.
// The seed titles, descriptions, keywords and organisation names are all English (no CJK anywhere in
// seeds/), so the Chinese queries must find nothing on both backends. Skips without a PostgreSQL cluster.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorityService } from '../../catalog/authority/service.js';
import { AUTHORITY_MIGRATIONS } from '../../catalog/authority/store.js';
import { catalogHash, datasetsOf } from '../../catalog/federation/crawl/normalise.js';
import { OfferPreparer } from '../../catalog/federation/crawl/prepare.js';
import {
  FEDERATION_MIGRATIONS,
  FederatedSearch,
  type Asker,
  type SearchQuery,
} from '../../catalog/federation/index.js';
import { VisibilityEvaluator } from '../../catalog/federation/policy/visibility.js';
import { IndexStore } from '../../catalog/federation/store/index-store.js';
import { openProcessIdentity } from '../../connector/identity/index.js';
import { Database } from '../../connector/store/database.js';
import { PostgresStore } from '../../connector/store/postgres.js';
import type { Store } from '../../connector/store/types.js';
import type { SeedMember } from '../../seeds/load.js';
import { postgresForTests } from '../support/postgres.js';
import { SEED_NOW, seedCatalogs, seedClaims, seedDid, type SeedCatalog } from '../support/seed-catalogs.js';

const ROOT = process.cwd();
const clock = () => new Date(SEED_NOW);
const ANONYMOUS = 'anonymous';

interface Backend {
  readonly db: Store;
  readonly memory: FederatedSearch;
  readonly sql: FederatedSearch;
}

/** An authority with every seed member approved as it applied, and the seed catalogs indexed. */
async function backend(db: Store, dir: string, catalogs: readonly SeedCatalog[]): Promise<Backend> {
  const identity = await openProcessIdentity(join(dir, 'keys'), 'http://127.0.0.1:7798', clock);
  const service = await AuthorityService.open({ db, identity, publicUrl: 'http://127.0.0.1:7798', clock });
  for (const c of catalogs) {
    const applied = await service.apply(c.did, { ...c.member.application, connectorUrl: c.endpointURL });
    await service.approve(applied.id, 'admin:test');
  }
  const store = new IndexStore(db);
  for (const c of catalogs) {
    const crawled = datasetsOf(c.document);
    const preparer = new OfferPreparer();
    const prepared = await Promise.all(crawled.map((d) => preparer.prepare(d)));
    await store.replaceCatalog(c.did, c.endpointURL, catalogHash(crawled), prepared, {
      at: SEED_NOW,
      durationMs: 1,
      pages: 1,
      warnings: [],
    });
  }
  const search = (engine?: 'sql') =>
    new FederatedSearch(store, new VisibilityEvaluator(store, clock), {
      resultCache: 0,
      ...(engine ? { engine } : {}),
    });
  return { db, memory: search(), sql: search('sql') };
}

/** Relevance: the whole hit set in provider order (equal-rank ties may order differently). */
function comparable(query: SearchQuery): SearchQuery {
  return query.sort === 'relevance' ? { ...query, sort: 'provider', limit: 1000, offset: 0 } : query;
}

/** The fixed queries over the seed data: what an asker browses, filters, searches and pages. */
function seedQueries(members: readonly SeedMember[]): SearchQuery[] {
  const all = { limit: 100, offset: 0 };
  const sectors = [...new Set(members.map((m) => m.sector))];
  const grades = [...new Set(members.flatMap((m) => m.datasets.map((d) => String(d.asset.dataGrade))))];
  const english = [
    'Beijing',
    'district',
    'claims',
    'load',
    'credit scores',
    'insurance',
    'weekly',
    'enrolment',
    'diabetes cohort',
    'charg', // a prefix of charging
    'anonymised',
    'nothing-like-this',
  ];
  // The seeds hold no Chinese text: these are the Chinese for words the seeds hold in English.
  const chinese = ['北京', '门诊', '医保', '信用评分', '电网负荷'];
  return [
    { sort: 'modified', ...all },
    { sort: 'title', ...all },
    { sort: 'provider', ...all },
    ...sectors.map((s): SearchQuery => ({ sector: [s], sort: 'title', ...all })),
    ...grades.map((g): SearchQuery => ({ grade: [g], sort: 'provider', ...all })),
    { sector: ['medical', 'finance'], grade: ['important', 'JR-L3'], sort: 'modified', ...all },
    ...[...english, ...chinese].map((q): SearchQuery => ({ q, sort: 'relevance', limit: 10, offset: 0 })),
    { q: 'Beijing', sort: 'title', limit: 3, offset: 1 },
    { q: 'insurance', sector: ['medical'], sort: 'modified', ...all },
    { sort: 'title', limit: 3, offset: 0 },
    { sort: 'title', limit: 3, offset: 3 },
    { sort: 'title', limit: 3, offset: 6 },
    { sort: 'provider', limit: 4, offset: 4 },
    { sort: 'modified', limit: 5, offset: 10 },
    { sort: 'title', limit: 5, offset: 100 },
  ];
}

describe('federation: search parity between SQLite and PostgreSQL over the seed data', function () {
  this.timeout(120_000);
  let dir: string;
  let catalogs: SeedCatalog[];
  let askers: { label: string; asker: Asker; visible: number }[];
  let sqlite: Backend;
  let postgres: Backend;

  before(async function () {
    const available = await postgresForTests();
    if (!available.ok) {
      console.log(`      skipped: ${available.reason}`);
      this.skip();
    }
    // One member of each sector (its first), asking with the claims its approved application gives.
    const sectorMembers = (await seedCatalogs(ROOT))
      .map((c) => c.member)
      .filter((m, i, all) => all.findIndex((o) => o.sector === m.sector) === i);
    catalogs = await seedCatalogs(ROOT, {
      ...Object.fromEntries(
        sectorMembers.map((m) => [m.key, { participantId: seedDid(m), claims: seedClaims(m) }]),
      ),
      [ANONYMOUS]: {
        participantId: 'did:web:anonymous.example',
        claims: { credentialTypes: [], sectors: [], sectorRoles: [] },
      },
    });
    const visible = (name: string) => catalogs.reduce((n, c) => n + (c.visibleTo[name] ?? 0), 0);
    askers = [
      {
        label: 'admin',
        asker: { kind: 'admin', name: 'test' },
        visible: catalogs.reduce((n, c) => n + c.member.datasets.length, 0),
      },
      ...sectorMembers.map((m) => ({
        label: `${m.sector} member ${m.key}`,
        asker: { kind: 'member', did: seedDid(m), claims: seedClaims(m) } as Asker,
        visible: visible(m.key),
      })),
      { label: ANONYMOUS, asker: { kind: 'anonymous' }, visible: visible(ANONYMOUS) },
    ];
    dir = await mkdtemp(join(tmpdir(), 'shuyu-federation-seed-parity-'));
    const migrations = [...AUTHORITY_MIGRATIONS, ...FEDERATION_MIGRATIONS];
    sqlite = await backend(await Database.open(join(dir, 'authority.sqlite'), migrations), dir, catalogs);
    const url = await available.postgres.createDatabase();
    postgres = await backend(await PostgresStore.open(url, migrations), dir, catalogs);
  });
  after(async () => {
    await sqlite?.db.close();
    await postgres?.db.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds on both backends exactly the seed datasets each asker may see', async () => {
    expect(askers.map((a) => a.label)).to.have.length(6); // admin, four sectors, anonymous
    for (const { label, asker, visible } of askers) {
      for (const b of [sqlite, postgres]) {
        const browse = await b.memory.search({ sort: 'provider', limit: 1000, offset: 0 }, asker);
        expect(browse.total, `${label} on ${b.db.dialect}`).to.equal(visible);
        expect(browse.results, `${label} on ${b.db.dialect}`).to.have.length(visible);
      }
      if (asker.kind !== 'anonymous') expect(visible, label).to.be.greaterThan(0);
    }
    const admin = askers[0]?.visible ?? 0;
    expect(admin).to.be.greaterThan(askers[1]?.visible ?? 0); // sector rules do hide datasets
  });

  it('gives the same totals, facet counts and pages for every query and asker', async () => {
    const queries = seedQueries(catalogs.map((c) => c.member));
    let nonEmpty = 0;
    for (const query of queries) {
      const q = comparable(query);
      for (const { label, asker } of askers) {
        const what = `${JSON.stringify(q)} as ${label}`;
        const expected = await sqlite.memory.search(q, asker);
        expect(await postgres.memory.search(q, asker), what).to.deep.equal(expected);
        // PostgreSQL's two paths share ts_rank, so relevance order is the same too.
        expect(await postgres.sql.search(query, asker), `sql ${what}`).to.deep.equal(
          await postgres.memory.search(query, asker),
        );
        if (expected.results.length > 0) nonEmpty++;
      }
      for (const { label, asker } of askers.filter((a) => a.asker.kind === 'member')) {
        const page = { ...query, sort: 'provider' as const };
        expect(await postgres.memory.dspPage(page, asker), `dsp ${label}`).to.deep.equal(
          await sqlite.memory.dspPage(page, asker),
        );
      }
    }
    expect(nonEmpty, 'queries that found something').to.be.greaterThan(queries.length);
  });

  it('finds the English words in titles and descriptions and no Chinese words (the seeds have none)', async () => {
    const admin = askers[0]?.asker as Asker;
    const expectations: [string, (total: number) => boolean][] = [
      ['diabetes cohort', (n) => n === 1],
      ['Beijing', (n) => n >= 2],
      ['charg', (n) => n >= 1],
      ['nothing-like-this', (n) => n === 0],
      ['北京', (n) => n === 0],
      ['门诊', (n) => n === 0],
    ];
    for (const [text, ok] of expectations) {
      for (const b of [sqlite, postgres]) {
        const { total } = await b.memory.search({ q: text, sort: 'relevance', limit: 10, offset: 0 }, admin);
        expect(ok(total), `${text} on ${b.db.dialect}: ${total}`).to.equal(true);
      }
    }
  });
});
