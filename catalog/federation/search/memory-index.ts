// The federated index in memory, column by column, for counting: per dataset (by its row id, which is
// also its full-text rowid) the value of each facet column as a small integer, its provider, the sort
// keys and one "offer combination" id. A search takes its hits from the full-text index (or all
// datasets), keeps those that pass the filters (one array lookup per filter) and, in the same pass,
// counts every facet value and keeps the top offset+limit in a heap: no GROUP BY over the matches, no
// temporary table, nothing materialised but the page. The counts are exact.
//
// Visibility and policy features are decided per offer combination, not per dataset: a dataset's
// offers are a list of (visibility key, contract terms) pairs, and providers reuse a few policies and
// terms for thousands of datasets, so a million datasets share a few hundred combinations. Per search,
// each combination is evaluated once (which terms rows the asker sees, whether one of them has the
// wanted features), and each dataset costs one array read.
//
// Kept up to date on crawl writes: IndexStore names the providers each write touched, and `sync`
// reloads only their datasets (the first search after a start loads all). Reads happen before any
// change is applied, so a search never sees half a provider.
import type { Queries } from '../../../connector/store/database.js';
import type { FacetName, FacetValue, OfferFeatures, SearchQuery } from '../types.js';
import { featureRows } from '../policy/features.js';
import type { IndexStore } from '../store/index-store.js';
import { buildSegment, TextIndex, type Segment, type TextRow } from './text-index.js';

/** How long the first load works before it lets other work run. */
const YIELD_AFTER_MS = 20;

/** Facet columns read from the dataset row (search parameter name, column). */
export const COLUMN_FACETS = [
  ['sector', 'sector'],
  ['grade', 'data_grade'],
  ['publisher', 'publisher'],
  ['format', 'media_type'],
  ['licence', 'licence'],
] as const;
type ColumnFacet = (typeof COLUMN_FACETS)[number][0];

/** A full-text search's hits: dataset row ids and, when asked for, their ranks (lower is better). */
export interface TextHits {
  readonly ids: ArrayLike<number>;
  readonly ranks?: ArrayLike<number>;
}

/** Where a query's hit set comes from: the in-memory text index (text-index.ts), or FTS5 as reference. */
export interface TextSearch {
  hits(text: string, ranked: boolean): Promise<TextHits>;
}

/** What a search decides once per query before the pass over the hits (search.ts). */
export interface Selection {
  /** Provider rows whose datasets may show (active members). */
  readonly providers: ReadonlySet<number>;
  /** Dataset rows the authority registered in a data product. */
  readonly registered: ReadonlySet<number>;
  /** Per combination id: 0 when no offer passes, else an id (>0) of the set of terms rows the asker sees. */
  readonly combos: Int32Array;
  /** Per combination id: whether a visible offer has every wanted feature. */
  readonly eligible: Uint8Array;
  /** The sets of visible terms rows, by the ids in `combos` (index 0 unused). */
  readonly termSets: readonly (readonly number[])[];
}

export interface Tally {
  readonly total: number;
  /** The page's dataset rows in order. */
  readonly page: number[];
  readonly columns: Record<ColumnFacet | 'registered', FacetValue[]>;
  /** How many hits see each set of terms rows (index: set id). */
  readonly termSetCounts: Int32Array;
}

interface DatasetRow extends TextRow {
  id: number;
  provider_row: number;
  dataset_id: string;
  title: string;
  modified: string | null;
  sector: string | null;
  data_grade: string | null;
  publisher: string | null;
  media_type: string | null;
  licence: string | null;
}

/** Distinct strings of one column as small integers (0: NULL). */
class Dictionary {
  readonly values: (string | null)[] = [null];
  readonly #ids = new Map<string, number>();

  id(value: string | null): number {
    if (value === null) return 0;
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.#ids.set(value, id);
    }
    return id;
  }

  find(value: string): number | undefined {
    return this.#ids.get(value);
  }
}

/** An offer combination: the (visibility key, terms row) pairs of one dataset's offers. */
interface Combination {
  /** Visibility key per offer (null: no access policy). */
  readonly keys: readonly (string | null)[];
  readonly terms: readonly number[];
}

function grow(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (size <= a.length) return a;
  const b = new Int32Array(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

/**
 * SQLite's BINARY order (UTF-8 bytes, that is code points) of two strings; JS compares UTF-16 units,
 * which differs only between a surrogate and U+E000..U+FFFF.
 */
export function compareBinary(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  let x = a.charCodeAt(i);
  let y = b.charCodeAt(i);
  if (x >= 0xd800 && y >= 0xd800) {
    // Surrogates (0xD800..0xDFFF) encode code points above 0xFFFF: move them above.
    if (x <= 0xdfff) x += 0x10000;
    if (y <= 0xdfff) y += 0x10000;
  }
  return x - y;
}

/** UTF-16 units where JS string order and SQLite's BINARY order may differ (see compareBinary). */
const HIGH_UNITS = /[\ud800-\uffff]/;

/** compareBinary when both strings are known to have no such units: the native comparison. */
function comparePlain(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** COLLATE NOCASE: ASCII letters folded, then BINARY. */
function nocaseKey(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (s) => s.toLowerCase()) : text;
}

export class MemoryIndex {
  #version = -1;
  #syncing: Promise<void> | undefined;

  /** Per dataset row: its provider row (0: no dataset). */
  #provider = new Int32Array(1024);
  /** Per dataset row and facet column: the value's dictionary id. */
  #columns = COLUMN_FACETS.map(() => new Int32Array(1024));
  readonly #dictionaries = COLUMN_FACETS.map(() => new Dictionary());
  /** Per dataset row: its offer combination id. */
  #combo = new Int32Array(1024);
  /** Per dataset row: 1 when its title, modified and id have no UTF-16 unit >= 0xD800 (JS order = SQLite's). */
  #plain = new Uint8Array(1024);
  readonly #combinations: Combination[] = [{ keys: [], terms: [] }];
  readonly #comboIds = new Map<string, number>();
  #title: string[] = [];
  #titleKey: string[] = [];
  /**
   * Dataset rows in title order (title key by compareBinary, then row), and per row its position
   * there: the sorts compare titles as integers. Kept by merging each load's rows in
   * (#mergeTitles) and renumbered once per sync (#numberTitles).
   */
  #titleOrder = new Int32Array(0);
  #titleRank = new Int32Array(1024);
  /** Rows were removed since the order was last filtered. */
  #titleOrderStale = false;
  #modified: (string | null)[] = [];
  #datasetId: string[] = [];
  /** Provider row → DID (sort by provider). */
  readonly #providerDid = new Map<number, string>();
  /** Contract terms rows' features (rows never change; ids are never reused). */
  readonly #termsFeatures = new Map<number, OfferFeatures>();
  readonly #featureRows = new Map<number, readonly { kind: string; value: string }[]>();
  #maxTerms = 0;

  /** The datasets' text, indexed (text-index.ts): the hits of a text query. */
  readonly text = new TextIndex();

  constructor(private readonly store: IndexStore) {}

  /** The store version the index holds (-1 before the first load). */
  get version(): number {
    return this.#version;
  }

  get combinations(): readonly Combination[] {
    return this.#combinations;
  }

  /** A terms row's policy features as facet rows (kind, value); computed once per row. */
  featureRows(termsRow: number): readonly { kind: string; value: string }[] {
    let rows = this.#featureRows.get(termsRow);
    if (rows === undefined) {
      const features = this.#termsFeatures.get(termsRow);
      if (features === undefined) return [];
      rows = featureRows(features);
      this.#featureRows.set(termsRow, rows);
    }
    return rows;
  }

  /** Brings the index to the store's version, reloading the providers written since. */
  sync(): Promise<void> {
    if (this.#version === this.store.version) return Promise.resolve();
    this.#syncing ??= this.#sync().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    while (this.#version !== this.store.version) {
      const target = this.store.version;
      // The first load may apply provider by provider: no search runs before it ends (each waits in
      // `sync`). Later ones read first and apply in one synchronous step, so a search never sees half.
      const first = this.#version < 0;
      const changed = first ? undefined : this.store.changedSince(this.#version);
      const db = this.store.db;
      // All providers (a small table), then the changed ones: plain SQL on either backend.
      const providers = (
        await db.all<{ id: number; did: string }>('SELECT id, did FROM federation_providers')
      ).filter((p) => changed === undefined || changed.has(p.id));
      if (first) this.#remove(undefined);
      const loaded: { provider: number; rows: DatasetRow[]; offers: OfferRow[]; segment: Segment }[] = [];
      let since = performance.now();
      for (const p of providers) {
        const { rows, offers } = await loadProvider(db, p.id);
        const provider = { provider: p.id, rows, offers, segment: buildSegment(rows) };
        if (first) {
          this.#apply([provider], []);
          this.#providerDid.set(p.id, p.did);
        } else loaded.push(provider);
        // A large index loads for seconds: let other work run between providers.
        if (performance.now() - since > YIELD_AFTER_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          since = performance.now();
        }
      }
      const terms = await db.all<{ id: number; features: string }>(
        'SELECT id, features FROM federation_terms WHERE id > ?',
        [this.#maxTerms],
      );
      // Everything read: apply in one synchronous step.
      for (const t of terms) {
        this.#termsFeatures.set(t.id, JSON.parse(t.features) as OfferFeatures);
        this.#maxTerms = Math.max(this.#maxTerms, t.id);
      }
      if (!first) {
        const gone = changed === undefined ? undefined : new Set(changed);
        this.#remove(gone);
        for (const p of providers) this.#providerDid.set(p.id, p.did);
        for (const id of gone ?? []) if (!providers.some((p) => p.id === id)) this.#providerDid.delete(id);
        this.#apply(loaded, gone ?? undefined);
      }
      this.#numberTitles();
      this.#version = target;
    }
  }

  /** Adds providers' datasets (their old ones already removed) and replaces their text segments. */
  #apply(
    loaded: readonly { provider: number; rows: DatasetRow[]; offers: OfferRow[]; segment: Segment }[],
    gone: Iterable<number> | undefined,
  ): void {
    for (const l of loaded) this.#add(l.rows, l.offers);
    this.#mergeTitles(loaded.flatMap((l) => l.rows.map((r) => r.id)));
    this.text.replace(gone, new Map(loaded.map((l) => [l.provider, l.segment])));
  }

  /** Forgets the datasets of `providers` (undefined: all). */
  #remove(providers: ReadonlySet<number> | undefined): void {
    if (providers === undefined) {
      this.#provider.fill(0);
      this.#titleOrder = new Int32Array(0);
      this.#providerDid.clear();
      this.text.replace(undefined, new Map());
      return;
    }
    if (providers.size === 0) return;
    const p = this.#provider;
    for (let i = 0; i < p.length; i++) if (p[i] !== 0 && providers.has(p[i] as number)) p[i] = 0;
    this.#titleOrderStale = true;
  }

  /** compareBinary of two rows' title keys, then their rows: the title order. */
  #compareTitles(a: number, b: number): number {
    const titleKey = this.#titleKey;
    return compareBinary(titleKey[a] as string, titleKey[b] as string) || a - b;
  }

  /**
   * Merges newly added rows into the title order (removed rows dropped first): the new rows sorted,
   * each one's place found by binary search, the runs between copied (no full sort per load).
   */
  #mergeTitles(added: number[]): void {
    let old = this.#titleOrder;
    if (this.#titleOrderStale) {
      // Removed rows (provider 0) and rows about to be re-added leave; a row id is never in both.
      const fresh = new Uint8Array(this.#provider.length);
      for (const id of added) fresh[id] = 1;
      const provider = this.#provider;
      old = old.filter((id) => provider[id] !== 0 && fresh[id] !== 1);
      this.#titleOrderStale = false;
    }
    added.sort((a, b) => this.#compareTitles(a, b));
    const merged = new Int32Array(old.length + added.length);
    let from = 0;
    let to = 0;
    for (const id of added) {
      let lo = from;
      let hi = old.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.#compareTitles(old[mid] as number, id) < 0) lo = mid + 1;
        else hi = mid;
      }
      merged.set(old.subarray(from, lo), to);
      to += lo - from;
      from = lo;
      merged[to++] = id;
    }
    merged.set(old.subarray(from), to);
    this.#titleOrder = merged;
  }

  /** Each row's position in the title order. */
  #numberTitles(): void {
    const order = this.#titleOrder;
    const rank = this.#titleRank;
    for (let i = 0; i < order.length; i++) rank[order[i] as number] = i;
  }

  #add(rows: readonly DatasetRow[], offers: readonly OfferRow[]): void {
    const byDataset = new Map<number, OfferRow[]>();
    for (const o of offers) {
      const list = byDataset.get(o.dataset_row);
      if (list === undefined) byDataset.set(o.dataset_row, [o]);
      else list.push(o);
    }
    const max = rows.reduce((m, r) => Math.max(m, r.id), 0) + 1;
    if (max > this.#provider.length) {
      this.#provider = grow(this.#provider, max);
      this.#columns = this.#columns.map((c) => grow(c, max));
      this.#combo = grow(this.#combo, max);
      const plain = new Uint8Array(this.#combo.length);
      plain.set(this.#plain);
      this.#plain = plain;
      this.#titleRank = grow(this.#titleRank, max);
    }
    for (const row of rows) {
      const id = row.id;
      this.#provider[id] = row.provider_row;
      COLUMN_FACETS.forEach(([, column], c) => {
        (this.#columns[c] as Int32Array)[id] = (this.#dictionaries[c] as Dictionary).id(row[column]);
      });
      this.#combo[id] = this.#combinationId(byDataset.get(id) ?? []);
      this.#title[id] = row.title;
      this.#titleKey[id] = nocaseKey(row.title);
      this.#modified[id] = row.modified;
      this.#datasetId[id] = row.dataset_id;
      this.#plain[id] = HIGH_UNITS.test(row.title + (row.modified ?? '') + row.dataset_id) ? 0 : 1;
    }
  }

  #combinationId(offers: readonly OfferRow[]): number {
    const key = offers.map((o) => `${o.vis_key ?? ''}\u0001${o.terms_row}`).join('\u0000');
    let id = this.#comboIds.get(key);
    if (id === undefined) {
      id = this.#combinations.length;
      this.#combinations.push({ keys: offers.map((o) => o.vis_key), terms: offers.map((o) => o.terms_row) });
      this.#comboIds.set(key, id);
    }
    return id;
  }

  /**
   * The search proper: filters, exact counts per facet value and the top offset+limit, in one pass
   * over the hits (or over every dataset when the query has no text).
   */
  tally(query: SearchQuery, selection: Selection, text: TextHits | undefined): Tally {
    const providerRow = this.#provider;
    const combo = this.#combo;
    const activeProvider = new Uint8Array(Math.max(0, ...selection.providers) + 1);
    for (const p of selection.providers) activeProvider[p] = 1;
    const anyRegistered = selection.registered.size > 0;
    const filters: { column: Int32Array; allowed: Uint8Array }[] = [];
    COLUMN_FACETS.forEach(([facet], c) => {
      const wanted = query[facet];
      if (wanted === undefined) return;
      const dictionary = this.#dictionaries[c] as Dictionary;
      const allowed = new Uint8Array(dictionary.values.length);
      for (const v of wanted) {
        const id = dictionary.find(v);
        if (id !== undefined) allowed[id] = 1;
      }
      filters.push({ column: this.#columns[c] as Int32Array, allowed });
    });
    const counts = this.#dictionaries.map((d) => new Int32Array(d.values.length));
    const columns = this.#columns;
    let registeredHits = 0;
    const termSetCounts = new Int32Array(selection.termSets.length);
    const wantRegistered = query.registered;
    const pageSize = query.offset + query.limit;
    const heap = new TopK(pageSize, this.#comparator(query.sort, text?.ranks));
    let total = 0;
    const visit = (id: number, hit: number): void => {
      const provider = providerRow[id] as number;
      if (activeProvider[provider] !== 1) return;
      const c = combo[id] as number;
      if (selection.eligible[c] !== 1) return;
      for (const f of filters) if (f.allowed[f.column[id] as number] !== 1) return;
      const registered = anyRegistered && selection.registered.has(id);
      if (wantRegistered !== undefined && registered !== (wantRegistered === 'registered')) return;
      total++;
      for (let k = 0; k < counts.length; k++) {
        const n = counts[k] as Int32Array;
        const v = (columns[k] as Int32Array)[id] as number;
        n[v] = (n[v] as number) + 1;
      }
      if (registered) registeredHits++;
      const set = selection.combos[c] as number;
      termSetCounts[set] = (termSetCounts[set] as number) + 1;
      heap.offer(id, hit);
    };
    // Newest rows first: rows are mostly written in time order, so the newest-first browse (the
    // default) finds its page early and the heap is rarely touched afterwards. Any order gives the
    // same answer.
    if (text !== undefined) {
      const ids = text.ids;
      for (let h = ids.length - 1; h >= 0; h--) {
        const id = ids[h] as number;
        if (id < providerRow.length) visit(id, h);
      }
    } else {
      for (let id = providerRow.length - 1; id > 0; id--) if (providerRow[id] !== 0) visit(id, 0);
    }
    const facets = {} as Record<ColumnFacet | 'registered', FacetValue[]>;
    COLUMN_FACETS.forEach(([facet], c) => {
      const values = (this.#dictionaries[c] as Dictionary).values;
      const n = counts[c] as Int32Array;
      const out: FacetValue[] = [];
      for (let v = 1; v < n.length; v++) {
        if ((n[v] as number) > 0) out.push({ value: values[v] as string, count: n[v] as number });
      }
      facets[facet] = out;
    });
    facets.registered = [
      { value: 'registered', count: registeredHits },
      { value: 'unregistered', count: total - registeredHits },
    ].filter((v) => v.count > 0);
    return { total, page: heap.sorted().slice(query.offset), columns: facets, termSetCounts };
  }

  /** The order of `ORDER` in sql.ts on the in-memory columns; entries are (dataset row, hit index). */
  #comparator(sort: SearchQuery['sort'], ranks: ArrayLike<number> | undefined): Compare {
    const titleKey = this.#titleKey;
    const modified = this.#modified;
    const datasetId = this.#datasetId;
    const providerOf = (id: number): string => this.#providerDid.get(this.#provider[id] as number) ?? '';
    const plain = this.#plain;
    const rank = this.#titleRank;
    const text = (a: number, b: number): ((x: string, y: string) => number) =>
      plain[a] === 1 && plain[b] === 1 ? comparePlain : compareBinary;
    // Title, then row: the title order's positions (#numberTitles).
    const byTitleThenRow = (a: number, b: number): number => (rank[a] as number) - (rank[b] as number);
    switch (sort) {
      case 'relevance':
        return (a, ha, b, hb) =>
          (ranks === undefined ? 0 : (ranks[ha] as number) - (ranks[hb] as number)) || byTitleThenRow(a, b);
      case 'modified':
        return (a, _ha, b) => {
          const x = modified[a] ?? null;
          const y = modified[b] ?? null;
          // DESC: NULL (the smallest value in SQLite) last.
          const order = x === y ? 0 : x === null ? 1 : y === null ? -1 : text(a, b)(y, x);
          return order || byTitleThenRow(a, b);
        };
      case 'title':
        return (a, _ha, b) =>
          titleKey[a] !== titleKey[b]
            ? byTitleThenRow(a, b)
            : compareBinary(providerOf(a), providerOf(b)) ||
              text(a, b)(datasetId[a] as string, datasetId[b] as string);
      case 'provider':
        return (a, _ha, b) =>
          compareBinary(providerOf(a), providerOf(b)) ||
          text(a, b)(datasetId[a] as string, datasetId[b] as string);
    }
  }
}

/** Orders two entries (dataset row, hit index): negative when the first comes first. */
type Compare = (a: number, ha: number, b: number, hb: number) => number;

/**
 * The first `size` entries in order, kept in a max-heap (the worst kept entry on top). Replacing the
 * top moves a hole down instead of swapping pairs: with many equal ranks the order of the hits can
 * make nearly every hit a replacement, so a replacement must cost only its comparisons.
 */
class TopK {
  readonly #ids: Int32Array;
  readonly #hits: Int32Array;
  #length = 0;

  constructor(
    private readonly size: number,
    private readonly compare: Compare,
  ) {
    this.#ids = new Int32Array(size);
    this.#hits = new Int32Array(size);
  }

  offer(id: number, hit: number): void {
    const ids = this.#ids;
    const hits = this.#hits;
    const compare = this.compare;
    if (this.#length < this.size) {
      // Sift up from the end.
      let i = this.#length++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (compare(id, hit, ids[parent] as number, hits[parent] as number) <= 0) break;
        ids[i] = ids[parent] as number;
        hits[i] = hits[parent] as number;
        i = parent;
      }
      ids[i] = id;
      hits[i] = hit;
      return;
    }
    if (this.size === 0 || compare(id, hit, ids[0] as number, hits[0] as number) >= 0) return;
    // Sift the new entry down from the top.
    const n = this.#length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let worst = l;
      if (r < n && compare(ids[r] as number, hits[r] as number, ids[l] as number, hits[l] as number) > 0)
        worst = r;
      if (compare(ids[worst] as number, hits[worst] as number, id, hit) <= 0) break;
      ids[i] = ids[worst] as number;
      hits[i] = hits[worst] as number;
      i = worst;
    }
    ids[i] = id;
    hits[i] = hit;
  }

  sorted(): number[] {
    const order = Array.from({ length: this.#length }, (_, i) => i);
    const ids = this.#ids;
    const hits = this.#hits;
    order.sort((i, j) =>
      this.compare(ids[i] as number, hits[i] as number, ids[j] as number, hits[j] as number),
    );
    return order.map((i) => ids[i] as number);
  }
}

interface OfferRow {
  dataset_row: number;
  vis_key: string | null;
  terms_row: number;
}

async function loadProvider(
  q: Queries,
  providerRow: number,
): Promise<{ rows: DatasetRow[]; offers: OfferRow[] }> {
  const rows = await q.all<DatasetRow>(
    `SELECT id, provider_row, dataset_id, title, description, keywords, modified, sector, data_grade,
            publisher, media_type, licence
     FROM federation_datasets WHERE provider_row = ?`,
    [providerRow],
  );
  // Ordered so equal offer lists give equal combinations.
  const offers = await q.all<OfferRow>(
    `SELECT o.dataset_row, o.vis_key, o.terms_row FROM federation_datasets d
     JOIN federation_offers o ON o.dataset_row = d.id
     WHERE d.provider_row = ? ORDER BY o.dataset_row, o.vis_key, o.terms_row`,
    [providerRow],
  );
  return { rows, offers };
}

/** Facet value lists in the answer's order: most frequent first, then by value; at most `max`. */
export function topValues(values: FacetValue[], max: number): FacetValue[] {
  return values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, max);
}

export type { FacetName };
