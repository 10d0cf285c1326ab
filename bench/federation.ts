// Federated catalog (catalog/federation), three parts:
//
// 1. Search over an index of 10,000 datasets from 20 providers on a real SQLite file: a text query plus
//    two facets, as an admin (no per-asker filtering), as a member (each distinct access policy
//    evaluated for its claims) and anonymously, and a browse with no text; beside two same-run
//    baselines on the same tables: a bare FTS5 query and a plain LIKE query (page of 20 and count, no
//    visibility, no facets). Also the time to index the 10,000 datasets.
// 2. Crawls over real HTTP on 127.0.0.1 (federation-crawl.ts): 100 real connectors with 100 datasets
//    each, and one with 10,000; first crawl and unchanged re-crawl, beside plain GETs of the same pages.
// 3. The same search at 100,000 datasets (100 providers), with browsing (no text, all facets) cached
//    and uncached, beside the bare FTS5 query and the plain SQL path (engine 'sql', the reference the
//    in-memory counting replaced).
// 4. The same at 1,000,000 datasets (1,000 providers) from a SQLite file built once and reused
//    (bench/federation-cache.ts says where; the first run builds it, about 15 minutes here).
//    `npm run bench -- federation-1m` runs only the cached parts (100,000 from a cached file first).
//
// Part 1 again on PostgreSQL beside SQLite (`npm run bench -- federation-pg` runs only that).
//
// SHUYU_BENCH_SCALE=0.1 runs every part at a tenth of its size.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AuthorityService } from '../catalog/authority/service.js';
import { AUTHORITY_MIGRATIONS } from '../catalog/authority/store.js';
import {
  FEDERATION_MIGRATIONS,
  FederatedSearch,
  type Asker,
  type SearchQuery,
} from '../catalog/federation/index.js';
import { VisibilityEvaluator } from '../catalog/federation/policy/visibility.js';
import { MemoryIndex } from '../catalog/federation/search/memory-index.js';
import { Fts5TextSearch } from '../catalog/federation/search/search.js';
import { IndexStore } from '../catalog/federation/store/index-store.js';
import { openProcessIdentity } from '../connector/identity/index.js';
import { Database, type Queries, type Store } from '../connector/store/database.js';
import { PostgresStore } from '../connector/store/postgres.js';
import { postgresForTests } from '../tests/support/postgres.js';
import { openCachedIndex } from './federation-cache.js';
import { crawlBench } from './federation-crawl.js';
import { buildIndex, latency, line, scaled, SCALE, type Latency } from './federation-data.js';

const member: Asker = {
  kind: 'member',
  did: 'did:web:bench-member.example',
  claims: {
    participantId: 'did:web:bench-member.example',
    credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'],
    memberRole: 'participant',
    sectors: ['energy'],
    sectorRoles: ['grid-operator'],
    dataGradeClearance: 'general',
  },
};
const admin: Asker = { kind: 'admin', name: 'bench' };
const anonymous: Asker = { kind: 'anonymous' };
const query: SearchQuery = {
  q: 'load',
  sector: ['energy'],
  grade: ['general'],
  sort: 'relevance',
  limit: 20,
  offset: 0,
};
const browse: SearchQuery = { sort: 'modified', limit: 20, offset: 0 };
const browseFacets: SearchQuery = {
  sector: ['energy'],
  grade: ['general'],
  sort: 'modified',
  limit: 20,
  offset: 0,
};

interface Index {
  readonly db: Store;
  readonly store: IndexStore;
  /** The search as the catalog runs it. */
  readonly search: FederatedSearch;
  /** The same search with its result cache off: what the first browse after an index change costs. */
  readonly uncached: FederatedSearch;
  /** The plain SQL path (temporary hit table, GROUP BY), result cache off: the same-run baseline. */
  readonly sql: FederatedSearch;
  /** No cache at all (results, text hits): what a text asked for the first time costs. */
  readonly fresh: FederatedSearch;
  /**
   * The same with the text hits from FTS5 (bm25 per hit in SQLite) instead of the in-memory text
   * index: the path before it, as the same-run baseline.
   */
  readonly fts: FederatedSearch;
  close(): Promise<void>;
}

function searches(store: IndexStore): Pick<Index, 'search' | 'uncached' | 'sql' | 'fresh' | 'fts'> {
  const evaluator = (): VisibilityEvaluator => new VisibilityEvaluator(store, () => new Date());
  // One in-memory index for all variants, as a catalog process holds one (four would quadruple the
  // heap and the garbage collections every figure pays for).
  const memory = new MemoryIndex(store);
  return {
    search: new FederatedSearch(store, evaluator(), { memory }),
    uncached: new FederatedSearch(store, evaluator(), { resultCache: 0, memory }),
    sql: new FederatedSearch(store, evaluator(), { resultCache: 0, engine: 'sql' }),
    fresh: new FederatedSearch(store, evaluator(), { resultCache: 0, textCache: 0, memory }),
    fts: new FederatedSearch(store, evaluator(), {
      resultCache: 0,
      textCache: 0,
      text: new Fts5TextSearch(store.db),
      memory,
    }),
  };
}

const MIGRATIONS = [...AUTHORITY_MIGRATIONS, ...FEDERATION_MIGRATIONS];

/** The authority's store for a bench index: a SQLite file in `dir` unless `open` says otherwise. */
type OpenStore = (dir: string) => Promise<Store>;
const sqliteStore: OpenStore = (dir) => Database.open(join(dir, 'authority.sqlite'), MIGRATIONS);

async function openIndex(
  datasets: number,
  providers: number,
  open: OpenStore = sqliteStore,
): Promise<Index & { built: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-federation-'));
  const db = await open(dir);
  const close = async (): Promise<void> => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const identity = await openProcessIdentity(join(dir, 'keys'), 'http://127.0.0.1:7700');
    const service = await AuthorityService.open({ db, identity, publicUrl: 'http://127.0.0.1:7700' });
    const store = new IndexStore(db);
    const { ms, prepareMs } = await buildIndex(service, store, providers, datasets / providers);
    const built =
      `indexed ${datasets} datasets in ${(ms / 1000).toFixed(1)} s ` +
      `(policies compiled, features and summaries: ${(prepareMs / 1000).toFixed(1)} s; the rest ${db.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} writes)`;
    return { db, store, ...searches(store), built, close };
  } catch (error) {
    await close();
    throw error;
  }
}

// CROSS JOIN: the full-text index drives the join (as in the search itself; see search/sql.ts).
function bareFts(db: Queries, withCount = true): () => Promise<unknown> {
  return async () => {
    const where = `federation_fts MATCH ? AND d.sector = ? AND d.data_grade = ?`;
    const params = ['"load"*', 'energy', 'general'];
    if (withCount)
      await db.get(
        `SELECT COUNT(*) AS n FROM federation_fts CROSS JOIN federation_datasets d ON d.id = federation_fts.rowid WHERE ${where}`,
        params,
      );
    return db.all(
      `SELECT d.id, d.title FROM federation_fts CROSS JOIN federation_datasets d ON d.id = federation_fts.rowid
       WHERE ${where} ORDER BY bm25(federation_fts) LIMIT 20`,
      params,
    );
  };
}

/** Part 1: the search bench at 10,000 datasets, as it always printed. */
async function search10k(): Promise<void> {
  const PROVIDERS = scaled(20, 2);
  const DATASETS = PROVIDERS * Math.round(scaled(10_000, 1000) / PROVIDERS);
  console.log(
    `\n# Federated catalog search (catalog/federation), ${DATASETS} datasets from ${PROVIDERS} providers`,
  );
  const index = await openIndex(DATASETS, PROVIDERS);
  const { db, search } = index;
  try {
    console.log(`  ${index.built}`);
    for (const [who, asker] of [
      ['admin', admin],
      ['member', member],
      ['anonymous', anonymous],
    ] as const) {
      const r = await search.search(query, asker);
      console.log(`  "load" + sector=energy + grade=general as ${who}: ${r.total} results`);
    }
    const like = async (): Promise<unknown> => {
      const where = `(d.title LIKE ? OR d.description LIKE ?) AND d.sector = ? AND d.data_grade = ?`;
      const params = ['%load%', '%load%', 'energy', 'general'];
      await db.get(`SELECT COUNT(*) AS n FROM federation_datasets d WHERE ${where}`, params);
      return db.all(
        `SELECT d.id, d.title FROM federation_datasets d WHERE ${where} ORDER BY d.modified DESC LIMIT 20`,
        params,
      );
    };
    const results = [
      await latency('baseline: bare FTS5 query + count (no visibility, no facets)', bareFts(db)),
      await latency('baseline: plain LIKE query + count (no visibility, no facets)', like),
      await latency('search "load" + 2 facets, admin (no per-asker filtering)', () =>
        search.search(query, admin),
      ),
      await latency('search "load" + 2 facets, member (per-asker filtering)', () =>
        search.search(query, member),
      ),
      await latency('search "load" + 2 facets, anonymous', () => search.search(query, anonymous)),
      await latency('browse all (no text), member: total + 9 facets over all', () =>
        search.search(browse, member),
      ),
      await latency('browse all (no text), admin', () => search.search(browse, admin)),
    ];
    for (const r of results) console.log(`  ${line(r)}`);
    const base = results[0] as Latency;
    const filtered = results[3] as Latency;
    const unfiltered = results[2] as Latency;
    console.log(
      `  ratio (medians): member search ${(filtered.medianMs / base.medianMs).toFixed(1)}x the bare FTS query, ` +
        `admin search ${(unfiltered.medianMs / base.medianMs).toFixed(1)}x; per-asker filtering adds ` +
        `${(filtered.medianMs - unfiltered.medianMs).toFixed(2)} ms (the rest: facets, hit table, page rendering)`,
    );
    // Browsing is answered from the result cache above; this is what its first request costs.
    const first = await latency(
      'browse all (no text), member, uncached (first after a change)',
      () => index.uncached.search(browse, member),
      { budgetMs: 5_000 },
    );
    console.log(`  ${line(first)}`);
  } finally {
    await index.close();
  }
}

/**
 * Part 1b: the same search over the same 10,000 datasets on SQLite and on PostgreSQL (SHUYU_BENCH_DATABASE_URL,
 * a server whose user may create databases, or the tests' throwaway cluster), side by side. Only the
 * text hits and the page's rows come from the database; counting happens in memory on both.
 */
async function backends10k(): Promise<void> {
  const available = await postgresForTests(process.env.SHUYU_BENCH_DATABASE_URL);
  if (!available.ok) {
    console.log(`\n(federated search on PostgreSQL not measured: ${available.reason})`);
    return;
  }
  const PROVIDERS = scaled(20, 2);
  const DATASETS = PROVIDERS * Math.round(scaled(10_000, 1000) / PROVIDERS);
  console.log(
    `\n# Federated catalog search, SQLite and PostgreSQL side by side (${DATASETS} datasets, ${PROVIDERS} providers, same run)`,
  );
  const postgresStore: OpenStore = async () =>
    PostgresStore.open(await available.postgres.createDatabase(), MIGRATIONS);
  const chinese: SearchQuery = { q: '记录', sort: 'relevance', limit: 20, offset: 0 };
  const columns: { backend: string; built: string; figures: Latency[] }[] = [];
  for (const [backend, open] of [
    ['SQLite', sqliteStore],
    ['PostgreSQL', postgresStore],
  ] as const) {
    const index = await openIndex(DATASETS, PROVIDERS, open);
    try {
      await index.uncached.search(browse, admin); // loads the in-memory index
      const budget = { budgetMs: 4_000, minRuns: 20, warmup: 5 };
      const figures = [
        await latency(
          '"load" + 2 facets, member, text asked the first time',
          () => index.fresh.search(query, member),
          budget,
        ),
        await latency(
          '"load" + 2 facets, admin (text hits kept)',
          () => index.search.search(query, admin),
          budget,
        ),
        await latency(
          '"load" + 2 facets, member (text hits kept)',
          () => index.search.search(query, member),
          budget,
        ),
        await latency(
          '"load" + 2 facets, anonymous (text hits kept)',
          () => index.search.search(query, anonymous),
          budget,
        ),
        await latency(
          'Chinese "记录" (no hits in this data), member, first time',
          () => index.fresh.search(chinese, member),
          budget,
        ),
        await latency(
          'browse all (no text), member, uncached',
          () => index.uncached.search(browse, member),
          budget,
        ),
        await latency(
          'one dataset by id (SQL path), member',
          () =>
            index.search.dataset(
              'did:web:bench-provider-3.example',
              'urn:bench:bench-provider-3.example:7',
              member,
            ),
          budget,
        ),
        await latency(
          'plain SQL path, "load" + 2 facets, member',
          () => index.sql.search(query, member),
          budget,
        ),
      ];
      columns.push({ backend, built: index.built, figures });
    } finally {
      await index.close();
    }
  }
  for (const c of columns) console.log(`  ${c.backend}: ${c.built}`);
  const [sqlite, postgres] = columns as [(typeof columns)[0], (typeof columns)[0]];
  console.log(
    `  ${'median (p99) per search'.padEnd(56)} ${'SQLite'.padStart(18)} ${'PostgreSQL'.padStart(18)}`,
  );
  for (const [i, l] of sqlite.figures.entries()) {
    const p = postgres.figures[i] as Latency;
    const cell = (x: Latency) => `${x.medianMs.toFixed(2)} (${x.p99Ms.toFixed(1)}) ms`.padStart(18);
    console.log(`  ${l.name.padEnd(56)} ${cell(l)} ${cell(p)}`);
  }
}

function withRuns(l: Latency): string {
  return `  ${line(l, 66)}${l.runs < 300 ? `  (${l.runs} runs)` : ''}`;
}

/** Part 3: search and browse at 100,000 datasets. */
async function search100k(): Promise<void> {
  const PROVIDERS = scaled(100, 2);
  const DATASETS = PROVIDERS * Math.round(scaled(100_000, 1000) / PROVIDERS);
  console.log(
    `\n# Federated catalog search at ${DATASETS} indexed datasets (${PROVIDERS} providers × ${DATASETS / PROVIDERS})`,
  );
  const index = await openIndex(DATASETS, PROVIDERS);
  try {
    console.log(
      `  ${index.built};\n  through IndexStore.replaceCatalog, one transaction per provider (${DATASETS / PROVIDERS} datasets each)`,
    );
    await scaleFigures(index);
  } finally {
    await index.close();
  }
}

/** Part 4: a million datasets (or `datasets`) from the cached file. */
async function search1m(datasets = 1_000_000): Promise<void> {
  const PROVIDERS = scaled(datasets / 1000, 2);
  const DATASETS = PROVIDERS * Math.round(scaled(datasets, 1000) / PROVIDERS);
  console.log(
    `\n# Federated catalog search at ${DATASETS} indexed datasets (${PROVIDERS} providers × ${DATASETS / PROVIDERS})`,
  );
  const cached = await openCachedIndex(DATASETS, PROVIDERS);
  try {
    console.log(`  ${cached.built}`);
    await scaleFigures({ ...cached, ...searches(cached.store), close: () => cached.db.close() });
  } finally {
    await cached.db.close();
  }
}

/**
 * The first load of the in-memory index (columns and text): how long, how much memory it takes (heap
 * and typed arrays, before and after; noisy: no forced collection), the text index's own size, and
 * the longest the event loop waited meanwhile (the load yields between providers).
 */
async function loadFigures(search: FederatedSearch): Promise<void> {
  const before = process.memoryUsage();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  const cpu = process.cpuUsage();
  await search.warm();
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - started;
  delay.disable();
  const after = process.memoryUsage();
  const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
  const stats = search.textIndexStats();
  console.log(
    `  in-memory index loaded (warm): ${(ms / 1000).toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU; ` +
      `longest event-loop wait meanwhile ${(delay.max / 1e6).toFixed(0)} ms`,
  );
  console.log(
    `  memory: heap +${mb(after.heapUsed - before.heapUsed)}, typed arrays +${mb(after.arrayBuffers - before.arrayBuffers)}, ` +
      `rss +${mb(after.rss - before.rss)}; text index: ${stats?.documents} documents, ${stats?.terms} terms ` +
      `(per provider), ${stats?.postings} postings, ${mb(stats?.bytes ?? 0)} in typed arrays`,
  );
}

/** Search and browse figures at scale, each beside the bare FTS5 query and the plain SQL path. */
async function scaleFigures(index: Index): Promise<void> {
  const { db, search, uncached, sql, fresh, fts } = index;
  {
    await loadFigures(fresh);
    for (const s of [search, uncached, fts]) await s.warm();
    const counts: string[] = [];
    for (const [who, asker] of [
      ['admin', admin],
      ['member', member],
      ['anonymous', anonymous],
    ] as const) {
      counts.push(`${(await search.search(query, asker)).total} as ${who}`);
    }
    const all = await search.search(browse, member);
    console.log(
      `  "load" + sector=energy + grade=general: ${counts.join(', ')}; browse all as member: ${all.total}`,
    );
    const budget = { budgetMs: 15_000 };
    const base = await latency(
      'baseline: bare FTS5 query + count (no visibility, no facets)',
      bareFts(db),
      budget,
    );
    const pageOnly = await latency(
      'baseline: bare FTS5 query, page of 20 only (no count)',
      bareFts(db, false),
      budget,
    );
    const fresh1 = await latency(
      'search "load" + 2 facets, member, text asked the first time',
      () => fresh.search(query, member),
      budget,
    );
    const fts1 = await latency(
      'same-run baseline: text hits from FTS5, member, first time',
      () => fts.search(query, member),
      budget,
    );
    const chinese1 = await latency(
      'search Chinese "记录" (no hits here), member, first time',
      () => fresh.search({ ...query, q: '记录' }, member),
      budget,
    );
    const two1 = await latency(
      'search "regional load" + 2 facets, member, first time',
      () => fresh.search({ ...query, q: 'regional load' }, member),
      budget,
    );
    const fts2 = await latency(
      'same-run baseline: "regional load" from FTS5, member',
      () => fts.search({ ...query, q: 'regional load' }, member),
      budget,
    );
    const admin1 = await latency(
      'search "load" + 2 facets, admin',
      () => search.search(query, admin),
      budget,
    );
    const member1 = await latency(
      'search "load" + 2 facets, member (per-asker filtering)',
      () => search.search(query, member),
      budget,
    );
    const anon1 = await latency(
      'search "load" + 2 facets, anonymous',
      () => search.search(query, anonymous),
      budget,
    );
    const sqlMember = await latency(
      'same-run baseline: plain SQL path, member (temp table, GROUP BY)',
      () => sql.search(query, member),
      { budgetMs: 10_000, minRuns: 10, warmup: 2 },
    );
    for (const r of [base, pageOnly, fresh1, fts1, two1, fts2, chinese1]) console.log(withRuns(r));
    console.log('  (the searches below ask a text asked before: its hits are kept until the index changes)');
    for (const r of [admin1, member1, anon1, sqlMember]) console.log(withRuns(r));
    console.log(
      `  ratio: member search ${(member1.medianMs / base.medianMs).toFixed(1)}x the bare FTS5 query + count ` +
        `(median; p99 ${(member1.p99Ms / base.p99Ms).toFixed(1)}x), ${(member1.medianMs / pageOnly.medianMs).toFixed(1)}x ` +
        `its page alone; admin ${(admin1.medianMs / base.medianMs).toFixed(1)}x / ${(admin1.medianMs / pageOnly.medianMs).toFixed(1)}x`,
    );
    const small = { budgetMs: 10_000, minRuns: 10, warmup: 2 };
    const browses = [
      await latency(
        'browse all (no text), member, 9 facets: uncached',
        () => uncached.search(browse, member),
        small,
      ),
      await latency(
        'browse all (no text), member, 9 facets: cached',
        () => search.search(browse, member),
        budget,
      ),
      await latency('browse all (no text), admin: uncached', () => uncached.search(browse, admin), small),
      await latency('browse all (no text), admin: cached', () => search.search(browse, admin), budget),
      await latency(
        'browse sector=energy + grade=general, member: uncached',
        () => uncached.search(browseFacets, member),
        small,
      ),
      await latency(
        'browse sector=energy + grade=general, member: cached',
        () => search.search(browseFacets, member),
        budget,
      ),
      await latency(
        'same-run baseline: plain SQL path, browse all, member, uncached',
        () => sql.search(browse, member),
        { budgetMs: 10_000, minRuns: 5, warmup: 1 },
      ),
    ];
    for (const r of browses) console.log(withRuns(r));
  }
}

/**
 * Only the parts on cached files (`npm run bench -- federation-1m`): 100,000 datasets (1,000 per
 * provider), then a million.
 */
export async function runMillion(): Promise<void> {
  await search1m(100_000);
  await search1m();
}

export async function run(): Promise<void> {
  if (SCALE !== 1)
    console.log(`\n(SHUYU_BENCH_SCALE=${SCALE}: every federation figure at ${SCALE} of the issue's scale)`);
  await search10k();
  await backends10k();
  await crawlBench();
  await search100k();
  await search1m();
}

/** Only the SQLite / PostgreSQL comparison at 10,000 datasets (`npm run bench -- federation-pg`). */
export async function runBackends(): Promise<void> {
  await backends10k();
}
