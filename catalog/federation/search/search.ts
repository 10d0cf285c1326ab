// Searching the federated index for one asker. The in-memory text index gives the hits of a text and
// their ranks (text-index.ts, on both backends); filters, visibility, exact facet counts and the page
// are decided in memory (memory-index.ts), one pass over the hits. Only the page's datasets and offers are
// read from the database.
//
// The plain SQL path ('sql' engine) is the reference the memory path is tested against (matching
// datasets go into a temporary table; total, page and facet counts are read from it in one
// transaction) and still answers single-dataset lookups, which need no counting.
//
// Searches without text (browsing, facet clicks) count every matching dataset for nine facets, which
// at 100,000 datasets takes hundreds of milliseconds, and many askers send the same few. Their total,
// facet counts and page are kept (ResultCache) under everything they depend on: the index version
// (moves on every index write), the set of active providers (a suspension shows at once), the
// visibility keys the asker passes (evaluated for each search, at the current time) and the query.
// The page's datasets and offers are read fresh each time (crawl state, names).
import { createHash } from 'node:crypto';
import type { Queries } from '../../../connector/store/database.js';
import { jsonText, jsonValues } from '../../../connector/store/dialect.js';
import type { JsonObject } from '../../../connector/dsp/messages/types.js';
import { featureRows } from '../policy/features.js';
import type { VisibilityEvaluator } from '../policy/visibility.js';
import type { IndexStore } from '../store/index-store.js';
import type { OfferSummary } from '../summary/offer-summary.js';
import {
  FACETS,
  type Asker,
  type DatasetView,
  type FacetName,
  type FacetValue,
  type OfferFeatures,
  type OfferView,
  type SearchQuery,
  type SearchResult,
} from '../types.js';
import { MemoryIndex, topValues, type Selection, type TextHits, type TextSearch } from './memory-index.js';
import { HITS_TABLE, hitsInsert, hitsTableDdl, ORDER, wantedFeatures } from './sql.js';
import { matchExpression } from './text.js';
import type { TextIndexStats } from './text-index.js';

const FACET_VALUES = 50;

interface DatasetRow {
  id: number;
  dataset_id: string;
  title: string;
  description: string;
  keywords: string;
  sector: string | null;
  data_grade: string | null;
  publisher: string | null;
  media_type: string | null;
  licence: string | null;
  issued: string | null;
  modified: string | null;
  body: string;
  provider_did: string;
  connector_url: string | null;
  last_success_at: string | null;
  consecutive_failures: number;
  organisation_name: string | null;
  product_id: string | null;
  credential_id: string | null;
  product_name: string | null;
}

interface OfferRow {
  dataset_row: number;
  offer_id: string;
  vis_key: string | null;
  body: string;
  summary: string;
  features: string;
  policy_body: string | null;
}

/** One dataset with the offers the asker may see, in DSP form (for the federated DSP catalog). */
export interface DspRow {
  readonly providerDid: string;
  readonly connectorUrl?: string;
  readonly dataset: JsonObject;
  readonly offers: readonly JsonObject[];
}

export interface FederatedSearchOptions {
  /** How many text-less searches keep their total, facets and page (see above). Default 256; 0: none. */
  readonly resultCache?: number;
  /** 'memory' (default): counts in memory over the full-text hits; 'sql': the reference path. */
  readonly engine?: 'memory' | 'sql';
  /** Where the hits of a text query come from; default the in-memory text index (text-index.ts). */
  readonly text?: TextSearch;
  /**
   * How many texts keep their hits (ids and ranks) until the index changes. A search UI asks the same
   * text again with each facet click; the ranked hits are most of a text search's cost. Default 32; 0: none.
   */
  readonly textCache?: number;
  /**
   * The in-memory index to count on, shared with other searches over the same store (the bench runs
   * several cache settings over one index of a million datasets); default: its own.
   */
  readonly memory?: MemoryIndex;
}

const DEFAULT_TEXT_CACHE = 32;

/**
 * The hits of a text query from the FTS5 table (rowid = dataset row), ranked like the SQL path: what
 * the search used before its own text index (text-index.ts), kept as the reference that index is
 * tested and benchmarked against (SQLite only).
 */
export class Fts5TextSearch implements TextSearch {
  constructor(private readonly db: Queries) {}

  async hits(text: string, ranked: boolean): Promise<TextHits> {
    const match = matchExpression(text);
    if (match === undefined) return { ids: [] };
    if (!ranked) {
      const rows = await this.db.all<{ id: number }>(
        'SELECT rowid AS id FROM federation_fts WHERE federation_fts MATCH ?',
        [match],
      );
      return { ids: rows.map((r) => r.id) };
    }
    const rows = await this.db.all<{ id: number; rank: number }>(
      'SELECT rowid AS id, bm25(federation_fts, 10.0, 2.0, 5.0) AS rank FROM federation_fts WHERE federation_fts MATCH ?',
      [match],
    );
    return { ids: rows.map((r) => r.id), ranks: rows.map((r) => r.rank) };
  }
}

const DEFAULT_RESULT_CACHE = 256;
/** How many askers' visibilities keep their combination verdicts (see Verdicts). */
const VERDICT_SETS = 64;

/** One policy feature of a set of terms rows, with its key in the facet count. */
interface SetFeature {
  readonly key: string;
  readonly kind: FacetName;
  readonly value: string;
}

/**
 * Each offer combination's verdict for one visibility (the keys an asker passes) and one set of wanted
 * features: which terms rows the asker sees (as a set id, 0: none), whether one has every wanted
 * feature, and each set's features. Combinations are only ever added (memory-index.ts) and a terms
 * row's features never change, so verdicts stay right and are extended to new combinations: a
 * search decides only the combinations it has not met (at a million datasets, thousands).
 */
class Verdicts {
  combos = new Int32Array(0);
  eligible = new Uint8Array(0);
  readonly termSets: number[][] = [[]];
  readonly setFeatures: SetFeature[][] = [[]];
  readonly #setIds = new Map<string, number>();
  readonly #allowed: ReadonlySet<string> | undefined;
  readonly #wanted: readonly (readonly [string, ReadonlySet<string>])[];

  constructor(visible: readonly string[] | 'all', wanted: readonly [string, readonly string[]][]) {
    this.#allowed = visible === 'all' ? undefined : new Set(visible);
    this.#wanted = wanted.map(([kind, values]) => [kind, new Set(values)] as const);
  }

  extend(memory: MemoryIndex): void {
    const combinations = memory.combinations;
    const from = this.combos.length;
    if (combinations.length === from) return;
    const combos = new Int32Array(combinations.length);
    combos.set(this.combos);
    const eligible = new Uint8Array(combinations.length);
    eligible.set(this.eligible);
    const hasWanted = (termsRow: number): boolean => {
      const rows = memory.featureRows(termsRow);
      return this.#wanted.every(([kind, values]) => rows.some((r) => r.kind === kind && values.has(r.value)));
    };
    for (let c = from; c < combinations.length; c++) {
      const combination = combinations[c] as (typeof combinations)[number];
      const seen: number[] = [];
      combination.keys.forEach((key, o) => {
        const visibleOffer = this.#allowed === undefined || (key !== null && this.#allowed.has(key));
        if (!visibleOffer) return;
        const terms = combination.terms[o] as number;
        if (!seen.includes(terms)) seen.push(terms);
        if (eligible[c] === 0 && hasWanted(terms)) eligible[c] = 1;
      });
      if (seen.length === 0) continue;
      seen.sort((a, b) => a - b);
      const setKey = seen.join(',');
      let id = this.#setIds.get(setKey);
      if (id === undefined) {
        id = this.termSets.length;
        this.termSets.push(seen);
        this.setFeatures.push(setFeatures(memory, seen));
        this.#setIds.set(setKey, id);
      }
      combos[c] = id;
    }
    this.combos = combos;
    this.eligible = eligible;
  }
}

/** The distinct features of a set of terms rows: a dataset counts once per value. */
function setFeatures(memory: MemoryIndex, terms: readonly number[]): SetFeature[] {
  const out = new Map<string, SetFeature>();
  for (const id of terms) {
    for (const { kind, value } of memory.featureRows(id)) {
      const key = `${kind}\u0000${value}`;
      if (!out.has(key)) out.set(key, { key, kind: kind as FacetName, value });
    }
  }
  return [...out.values()];
}

/** What a text-less search keeps: all but the page's datasets and offers, which are read fresh. */
interface Matched {
  readonly total: number;
  readonly facets: Record<FacetName, FacetValue[]>;
  /** The page's dataset rows, in order. */
  readonly page: readonly number[];
}

export class FederatedSearch {
  #ready: Promise<void> | undefined;
  readonly #cache: ResultCache<Matched> | undefined;
  readonly #terms = new TermsFeatures();
  readonly #memory: MemoryIndex | undefined;
  readonly #text: TextSearch | undefined;
  readonly #textCache: ResultCache<TextHits> | undefined;
  /** Combination verdicts per visibility and wanted features (Verdicts), least recently used first. */
  readonly #verdicts = new Map<string, Verdicts>();

  constructor(
    private readonly store: IndexStore,
    private readonly visibility: VisibilityEvaluator,
    options: FederatedSearchOptions = {},
  ) {
    const size = options.resultCache ?? DEFAULT_RESULT_CACHE;
    this.#cache = size > 0 ? new ResultCache(size) : undefined;
    this.#memory = options.engine === 'sql' ? undefined : (options.memory ?? new MemoryIndex(store));
    this.#text = options.text ?? this.#memory?.text;
    const texts = options.textCache ?? DEFAULT_TEXT_CACHE;
    this.#textCache = texts > 0 ? new ResultCache(texts) : undefined;
  }

  /**
   * Loads the in-memory index now rather than at the first search (seconds at a million datasets).
   * Never rejects: a failed load is retried by the next search.
   */
  async warm(): Promise<void> {
    await this.#memory?.sync().catch(() => undefined);
  }

  /** The in-memory text index's size (undefined on the SQL path). */
  textIndexStats(): TextIndexStats | undefined {
    return this.#memory?.text.stats();
  }

  /** The hits of `text`, kept per version of the in-memory index (see textCache). */
  #hits(memory: MemoryIndex, text: string, ranked: boolean): Promise<TextHits> {
    const source = this.#text ?? memory.text;
    if (this.#textCache === undefined) return source.hits(text, ranked);
    return this.#textCache.get(String(memory.version), `${ranked}|${text}`, () => source.hits(text, ranked));
  }

  async search(query: SearchQuery, asker: Asker): Promise<SearchResult> {
    const visible = await this.visibility.visibleKeys(asker);
    if (query.q === undefined && this.#cache !== undefined) return this.#cachedSearch(query, asker, visible);
    if (this.#memory !== undefined) {
      const matched = await this.#matched(this.#memory, query, visible);
      return this.#answer(query, asker, visible, matched);
    }
    return this.#withHits(query, visible, async (tx, total) => {
      const rows = await this.#pageRows(tx, query);
      const results = await this.#views(tx, rows, visible, asker, false);
      const counts = await facets(tx, visible, this.#terms);
      return { total, limit: query.limit, offset: query.offset, results, facets: counts };
    });
  }

  async #cachedSearch(
    query: SearchQuery,
    asker: Asker,
    visible: readonly string[] | 'all',
  ): Promise<SearchResult> {
    const cache = this.#cache as ResultCache<Matched>;
    // Read before the matches: a write that lands meanwhile moves the version, never a stale entry in.
    const generation = `${this.store.version}|${await this.#activeProviders()}|${await this.#registrations()}`;
    const key = `${visibleFingerprint(visible)}|${JSON.stringify(query)}`;
    const memory = this.#memory;
    const matched = await cache.get(generation, key, () =>
      memory !== undefined
        ? this.#matched(memory, query, visible)
        : this.#withHits(query, visible, async (tx, total) => ({
            total,
            facets: await facets(tx, visible, this.#terms),
            page: await this.#pageIds(tx, query),
          })),
    );
    return this.#answer(query, asker, visible, matched);
  }

  /** The page's datasets and offers, read fresh, around the counted `matched`. */
  async #answer(
    query: SearchQuery,
    asker: Asker,
    visible: readonly string[] | 'all',
    matched: Matched,
  ): Promise<SearchResult> {
    // Outside any transaction: plain reads, which do not wait behind a crawl's writes.
    const rows = await this.#rowsById(this.store.db, matched.page);
    const results = await this.#views(this.store.db, rows, visible, asker, false);
    return {
      total: matched.total,
      limit: query.limit,
      offset: query.offset,
      results,
      facets: matched.facets,
    };
  }

  /** Total, facets and page from the in-memory index over the full-text hits. */
  async #matched(
    memory: MemoryIndex,
    query: SearchQuery,
    visible: readonly string[] | 'all',
  ): Promise<Matched> {
    await memory.sync();
    const [selection, text] = await Promise.all([
      this.#selection(memory, query, visible),
      query.q === undefined ? undefined : this.#hits(memory, query.q, query.sort === 'relevance'),
    ]);
    const tally = memory.tally(query, selection, text);
    const out = { ...tally.columns } as Record<FacetName, FacetValue[]>;
    // Policy facets: per set of visible terms rows, its features (united once per set) count its hits.
    const policy = new Map<string, { facet: FacetName; value: string; count: number }>();
    tally.termSetCounts.forEach((n, set) => {
      if (set === 0 || n === 0) return;
      for (const { key, kind, value } of selection.setFeatures[set] ?? []) {
        const counted = policy.get(key);
        if (counted === undefined) policy.set(key, { facet: kind, value, count: n });
        else counted.count += n;
      }
    });
    const policyValues: Partial<Record<FacetName, FacetValue[]>> = {};
    for (const { facet, value, count } of policy.values())
      (policyValues[facet] ??= []).push({ value, count });
    const facets = Object.fromEntries(
      FACETS.map((f) => [f, topValues(out[f] ?? policyValues[f] ?? [], FACET_VALUES)]),
    ) as Record<FacetName, FacetValue[]>;
    return { total: tally.total, facets, page: tally.page };
  }

  /** What the pass over the hits needs: active providers, registrations, each offer combination's verdict. */
  async #selection(
    memory: MemoryIndex,
    query: SearchQuery,
    visible: readonly string[] | 'all',
  ): Promise<Selection & { readonly setFeatures: readonly (readonly SetFeature[])[] }> {
    const [providers, registered] = await Promise.all([
      this.store.db.all<{ id: number }>(
        `SELECT p.id FROM federation_providers p JOIN members m ON m.did = p.did AND m.state = 'active'`,
      ),
      this.store.db.all<{ id: number }>(
        `SELECT d.id FROM product_datasets pd
         JOIN products pr ON pr.id = pd.application_id AND pr.state = 'registered'
         JOIN federation_providers p ON p.did = pd.provider_did
         JOIN federation_datasets d ON d.provider_row = p.id AND d.dataset_id = pd.dataset_id`,
      ),
    ]);
    const wanted = wantedFeatures(query);
    const key = `${visibleFingerprint(visible)}|${JSON.stringify(wanted)}`;
    let verdicts = this.#verdicts.get(key);
    if (verdicts === undefined) {
      verdicts = new Verdicts(visible, wanted);
      if (this.#verdicts.size >= VERDICT_SETS)
        this.#verdicts.delete(this.#verdicts.keys().next().value as string);
    } else this.#verdicts.delete(key); // most recently used last
    this.#verdicts.set(key, verdicts);
    verdicts.extend(memory);
    return {
      providers: new Set(providers.map((p) => p.id)),
      registered: new Set(registered.map((r) => r.id)),
      combos: verdicts.combos,
      eligible: verdicts.eligible,
      termSets: verdicts.termSets,
      setFeatures: verdicts.setFeatures,
    };
  }

  /** The active providers' index rows: the search shows only theirs (members table, at once). */
  async #activeProviders(): Promise<string> {
    const rows = await this.store.db.all<{ id: number }>(
      `SELECT p.id FROM federation_providers p JOIN members m ON m.did = p.did AND m.state = 'active'
       ORDER BY p.id`,
    );
    return rows.map((r) => r.id).join(',');
  }

  /** Moves with every registration (registrations are never undone, so the count does). */
  async #registrations(): Promise<number> {
    const row = await this.store.db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM products WHERE state = 'registered'",
    );
    return row?.n ?? 0;
  }

  /** One dataset as `asker` sees it; undefined when it does not exist or none of its offers is visible. */
  async dataset(provider: string, datasetId: string, asker: Asker): Promise<DatasetView | undefined> {
    const visible = await this.visibility.visibleKeys(asker);
    const query: SearchQuery = { provider, datasetId, sort: 'provider', limit: 1, offset: 0 };
    return this.#withHits(query, visible, async (tx) => {
      const rows = await this.#pageRows(tx, query);
      const [view] = await this.#views(tx, rows, visible, asker, true);
      return view;
    });
  }

  /** A page of datasets in provider order with their visible offers in DSP form, and the total. */
  async dspPage(query: SearchQuery, asker: Asker): Promise<{ total: number; rows: DspRow[] }> {
    const visible = await this.visibility.visibleKeys(asker);
    if (this.#memory !== undefined && query.provider === undefined && query.datasetId === undefined) {
      const matched = await this.#matched(this.#memory, { ...query, sort: 'provider' }, visible);
      const rows = await this.#rowsById(this.store.db, matched.page);
      return { total: matched.total, rows: await dspRows(this.store.db, rows, visible) };
    }
    return this.#withHits({ ...query, sort: 'provider' }, visible, async (tx, total) => ({
      total,
      rows: await dspRows(tx, await this.#pageRows(tx, { ...query, sort: 'provider' }), visible),
    }));
  }

  async #withHits<T>(
    query: SearchQuery,
    visible: readonly string[] | 'all',
    read: (tx: Queries, total: number) => Promise<T>,
  ): Promise<T> {
    const db = this.store.db;
    // SQLite: one connection, the table created once. PostgreSQL: the pool hands the transaction any
    // connection, so the transaction creates it (once per connection; IF NOT EXISTS after that).
    if (db.dialect === 'sqlite') await this.#createHitsTable();
    const insert = hitsInsert(query, visible, db.dialect);
    return db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.exec(hitsTableDdl('postgres'));
      await tx.run(`DELETE FROM ${HITS_TABLE}`);
      await tx.run(insert.sql, insert.params);
      const count = await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${HITS_TABLE}`);
      try {
        return await read(tx, count?.n ?? 0);
      } finally {
        await tx.run(`DELETE FROM ${HITS_TABLE}`);
      }
    });
  }

  /** The temp table lives as long as the connection; created on first use. */
  #createHitsTable(): Promise<void> {
    this.#ready ??= this.store.db.exec(hitsTableDdl('sqlite')).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #pageRows(tx: Queries, query: SearchQuery): Promise<DatasetRow[]> {
    return this.#rowsById(tx, await this.#pageIds(tx, query));
  }

  async #pageIds(tx: Queries, query: SearchQuery): Promise<number[]> {
    const page = await tx.all<{ row: number }>(
      `SELECT row FROM ${HITS_TABLE} ORDER BY ${ORDER[tx.dialect][query.sort]} LIMIT ? OFFSET ?`,
      [query.limit, query.offset],
    );
    return page.map((p) => p.row);
  }

  /** Datasets by row, in the order given; rows deleted meanwhile are left out. */
  async #rowsById(q: Queries, ids: readonly number[]): Promise<DatasetRow[]> {
    if (ids.length === 0) return [];
    const rows = await q.all<DatasetRow>(
      `SELECT d.*, p.did AS provider_did, p.connector_url, p.last_success_at,
              p.consecutive_failures, ${jsonText(q.dialect, 'm.body', ['organisationName'])} AS organisation_name,
              pr.product_id, pr.credential_id, ${jsonText(q.dialect, 'pr.body', ['description', 'name'])} AS product_name
       FROM federation_datasets d
       JOIN federation_providers p ON p.id = d.provider_row
       LEFT JOIN members m ON m.did = p.did
       LEFT JOIN product_datasets pd ON pd.provider_did = p.did AND pd.dataset_id = d.dataset_id
         AND pd.application_id IN (SELECT id FROM products WHERE state = 'registered')
       LEFT JOIN products pr ON pr.id = pd.application_id
       WHERE d.id IN (${jsonValues(q.dialect, 'integer')})`,
      [JSON.stringify(ids)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is DatasetRow => r !== undefined);
  }

  async #views(
    tx: Queries,
    rows: readonly DatasetRow[],
    visible: readonly string[] | 'all',
    asker: Asker,
    detail: boolean,
  ): Promise<DatasetView[]> {
    const admin = asker.kind === 'admin';
    const offers = await offersOf(
      tx,
      rows.map((r) => r.id),
      visible,
      admin && detail,
    );
    return rows.map((row) => datasetView(row, offers.get(row.id) ?? [], detail));
  }
}

/** Dataset rows with their visible offers in DSP form. */
async function dspRows(
  q: Queries,
  rows: readonly DatasetRow[],
  visible: readonly string[] | 'all',
): Promise<DspRow[]> {
  const offers = await offersOf(
    q,
    rows.map((r) => r.id),
    visible,
    false,
  );
  return rows.map((row) => ({
    providerDid: row.provider_did,
    ...(row.connector_url ? { connectorUrl: row.connector_url } : {}),
    dataset: JSON.parse(row.body) as JsonObject,
    offers: (offers.get(row.id) ?? []).map((o) => JSON.parse(o.body) as JsonObject),
  }));
}

async function offersOf(
  tx: Queries,
  datasetRows: readonly number[],
  visible: readonly string[] | 'all',
  withPolicies: boolean,
): Promise<Map<number, OfferRow[]>> {
  const out = new Map<number, OfferRow[]>();
  if (datasetRows.length === 0) return out;
  const rows = await tx.all<OfferRow>(
    `SELECT o.dataset_row, o.offer_id, o.vis_key, o.body, t.summary, t.features,
            ${withPolicies ? 'ap.body' : 'NULL'} AS policy_body
     FROM federation_offers o
     JOIN federation_terms t ON t.id = o.terms_row
     LEFT JOIN federation_access_policies ap ON ap.id = o.policy_row
     WHERE o.dataset_row IN (${jsonValues(tx.dialect, 'integer')})
     ORDER BY o.dataset_row, o.offer_id`,
    [JSON.stringify(datasetRows)],
  );
  const allowed = visible === 'all' ? undefined : new Set(visible);
  for (const row of rows) {
    if (allowed !== undefined && (row.vis_key === null || !allowed.has(row.vis_key))) continue;
    const list = out.get(row.dataset_row);
    if (list === undefined) out.set(row.dataset_row, [row]);
    else list.push(row);
  }
  return out;
}

function offerView(row: OfferRow, detail: boolean): OfferView {
  return {
    id: row.offer_id,
    summary: JSON.parse(row.summary) as OfferSummary,
    features: JSON.parse(row.features) as OfferFeatures,
    accessPolicyPublished: row.vis_key !== null,
    ...(detail ? { offer: JSON.parse(row.body) as JsonObject } : {}),
    ...(detail && row.policy_body ? { accessPolicy: JSON.parse(row.policy_body) as JsonObject } : {}),
  };
}

function datasetView(row: DatasetRow, offers: readonly OfferRow[], detail: boolean): DatasetView {
  const optional = {
    sector: row.sector,
    dataGrade: row.data_grade,
    publisher: row.publisher,
    mediaType: row.media_type,
    licence: row.licence,
    issued: row.issued,
    modified: row.modified,
  };
  return {
    provider: {
      did: row.provider_did,
      ...(row.organisation_name ? { organisationName: row.organisation_name } : {}),
      ...(row.connector_url ? { connectorUrl: row.connector_url } : {}),
      ...(row.last_success_at ? { lastCrawledAt: row.last_success_at } : {}),
      // The last crawl failed: what is shown comes from an earlier one.
      stale: row.consecutive_failures > 0,
    },
    datasetId: row.dataset_id,
    title: row.title,
    description: row.description,
    keywords: JSON.parse(row.keywords) as string[],
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null)),
    offers: offers.map((o) => offerView(o, detail)),
    ...(row.product_id && row.credential_id && row.product_name
      ? {
          registration: {
            productId: row.product_id,
            credentialId: row.credential_id,
            name: JSON.parse(row.product_name) as { zh: string; en: string },
          },
        }
      : {}),
  };
}

/** Visibility keys as part of a cache key: equal sets, equal fingerprints. */
function visibleFingerprint(visible: readonly string[] | 'all'): string {
  if (visible === 'all') return 'all';
  return createHash('sha256')
    .update([...visible].sort().join('\n'))
    .digest('base64url');
}

/**
 * A least-recently-used map of promises for one generation at a time: when the generation changes,
 * everything kept is dropped. Concurrent askers of the same key share one computation; a failed one is
 * not kept.
 */
export class ResultCache<T> {
  #generation: string | undefined;
  readonly #entries = new Map<string, Promise<T>>();

  constructor(readonly size: number) {}

  get(generation: string, key: string, compute: () => Promise<T>): Promise<T> {
    if (generation !== this.#generation) {
      this.#entries.clear();
      this.#generation = generation;
    }
    const kept = this.#entries.get(key);
    if (kept !== undefined) {
      this.#entries.delete(key); // most recently used last
      this.#entries.set(key, kept);
      return kept;
    }
    const computed = compute();
    this.#entries.set(key, computed);
    computed.catch(() => {
      if (this.#entries.get(key) === computed) this.#entries.delete(key);
    });
    if (this.#entries.size > this.size) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return computed;
  }
}

type FeatureRow = { readonly kind: FacetName; readonly value: string };

/**
 * Policy features of contract terms rows, read once: a terms row never changes (rows are found by the
 * hash of their content, and ids are never reused).
 */
class TermsFeatures {
  readonly #rows = new Map<number, readonly FeatureRow[]>();

  async of(q: Queries, ids: readonly number[]): Promise<Map<number, readonly FeatureRow[]>> {
    const missing = ids.filter((id) => !this.#rows.has(id));
    if (missing.length > 0) {
      if (this.#rows.size + missing.length > 100_000) this.#rows.clear();
      const rows = await q.all<{ id: number; features: string }>(
        `SELECT id, features FROM federation_terms WHERE id IN (${jsonValues(q.dialect, 'integer')})`,
        [JSON.stringify(missing)],
      );
      for (const row of rows) {
        this.#rows.set(row.id, featureRows(JSON.parse(row.features) as OfferFeatures) as FeatureRow[]);
      }
    }
    return new Map(ids.map((id) => [id, this.#rows.get(id) ?? []]));
  }
}

/**
 * Dataset counts per facet value over all hits; policy facets count only offers the asker sees.
 *
 * An offer's policy features follow from its contract terms alone, so the policy facets are read as
 * "how many hits see exactly this set of terms rows" (few distinct sets: providers reuse their terms)
 * and each set's features are united in JS: a dataset counts once per feature value however many of
 * its visible offers have it. CROSS JOIN keeps the hits the outer loop (the temp table has no
 * statistics); the index on (dataset_row, vis_key, terms_row) answers each hit with one seek.
 */
async function facets(
  tx: Queries,
  visible: readonly string[] | 'all',
  terms: TermsFeatures,
): Promise<Record<FacetName, FacetValue[]>> {
  const out = Object.fromEntries(FACETS.map((f) => [f, [] as FacetValue[]])) as Record<
    FacetName,
    FacetValue[]
  >;
  const columns: [FacetName, string][] = [
    ['sector', 'sector'],
    ['grade', 'grade'],
    ['publisher', 'publisher'],
    ['format', 'media_type'],
    ['licence', 'licence'],
    ['registered', 'registered'],
  ];
  const plain = await tx.all<{ facet: FacetName; value: string; n: number }>(
    columns
      .map(
        ([facet, column]) =>
          `SELECT '${facet}' AS facet, ${column} AS value, COUNT(*) AS n FROM ${HITS_TABLE} ` +
          `WHERE ${column} IS NOT NULL GROUP BY ${column}`,
      )
      .join(' UNION ALL '),
  );
  for (const { facet, value, n } of plain) out[facet]?.push({ value, count: n });
  const params = visible === 'all' ? [] : [JSON.stringify(visible)];
  // PostgreSQL: string_agg for group_concat, a plain join (its planner has the temp table's size).
  const sqlite = tx.dialect === 'sqlite';
  const sets = await tx.all<{ terms: string; n: number }>(
    `SELECT terms, COUNT(*) AS n FROM (
       SELECT ${sqlite ? 'group_concat(DISTINCT o.terms_row)' : "string_agg(DISTINCT o.terms_row::text, ',')"} AS terms
       FROM ${HITS_TABLE} h
       ${sqlite ? 'CROSS JOIN federation_offers o INDEXED BY federation_offers_by_dataset' : 'JOIN federation_offers o'} ON o.dataset_row = h.row
       ${visible === 'all' ? '' : `WHERE o.vis_key IN (${jsonValues(tx.dialect)})`}
       GROUP BY h.row) AS visible_sets
     GROUP BY terms`,
    params,
  );
  const idsOf = new Map(sets.map((s) => [s.terms, [...new Set(s.terms.split(',').map(Number))]]));
  const features = await terms.of(tx, [...new Set([...idsOf.values()].flat())]);
  const policy = policyFacets(
    sets.map((s) => ({ terms: idsOf.get(s.terms) ?? [], n: s.n })),
    features,
  );
  for (const facet of FACETS) out[facet].push(...(policy[facet] ?? []));
  for (const facet of FACETS) out[facet] = topValues(out[facet], FACET_VALUES);
  return out;
}

/**
 * Policy facet counts from "how many hits see exactly this set of terms rows": a dataset counts once
 * per feature value however many of its visible offers have it.
 */
function policyFacets(
  sets: readonly { terms: readonly number[]; n: number }[],
  features: ReadonlyMap<number, readonly FeatureRow[]>,
): Partial<Record<FacetName, FacetValue[]>> {
  const policy = new Map<string, { facet: FacetName; value: string; count: number }>();
  for (const { terms: set, n } of sets) {
    const seen = new Set<string>();
    for (const id of set) {
      for (const { kind, value } of features.get(id) ?? []) {
        const key = `${kind}\u0000${value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const counted = policy.get(key);
        if (counted === undefined) policy.set(key, { facet: kind, value, count: n });
        else counted.count += n;
      }
    }
  }
  const out: Partial<Record<FacetName, FacetValue[]>> = {};
  for (const { facet, value, count } of policy.values()) (out[facet] ??= []).push({ value, count });
  return out;
}
