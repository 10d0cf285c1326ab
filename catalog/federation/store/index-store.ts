// Writes of the federated index: one transaction per provider crawl. A changed catalog rewrites only
// the datasets whose hash moved (and deletes the ones no longer offered); an unchanged one only
// touches its status row. `version` moves on every write, so readers can drop what they cached;
// `changedSince` names the providers whose datasets a write touched, so the in-memory search index
// (search/memory-index.ts) reloads only those.
import type { Store, Queries, SqlValue } from '../../../connector/store/database.js';
import type { PreparedDataset, PreparedOffer } from '../crawl/prepare.js';
import { featureRows } from '../policy/features.js';
import { indexText } from '../search/text.js';
import type { CrawlError } from '../types.js';

export interface ProviderRow {
  id: number;
  did: string;
  connector_url: string | null;
  catalog_hash: string | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_changed_at: string | null;
  last_error: string | null;
  warnings: string | null;
  consecutive_failures: number;
  next_attempt_at: string | null;
  dataset_count: number;
  offer_count: number;
  offers_without_policy: number;
  last_duration_ms: number | null;
  pages: number | null;
  crawls: number;
  unchanged_crawls: number;
}

export interface CrawlStats {
  readonly at: string;
  readonly durationMs: number;
  readonly pages: number;
  readonly warnings: readonly string[];
}

export interface ReplaceResult {
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
}

/** Largest number of rows one multi-row INSERT carries (SQLite's variable limit is 32766). */
const ROWS_PER_INSERT = 200;

/** How many writes `changedSince` remembers; a reader further behind reloads everything. */
const CHANGE_LOG = 1024;

export class IndexStore {
  #version = 0;
  /** Provider rows whose datasets each write touched, the oldest first; version = index + offset. */
  readonly #changes: (readonly number[])[] = [];

  constructor(readonly db: Store) {}

  /** Moves on every write to the index. */
  get version(): number {
    return this.#version;
  }

  /**
   * The provider rows whose datasets changed after `version` up to the current one; undefined when
   * that is no longer known (too far behind, or a version from before this store), so: all of them.
   */
  changedSince(version: number): ReadonlySet<number> | undefined {
    const first = this.#version - this.#changes.length;
    if (version < first || version > this.#version) return undefined;
    return new Set(this.#changes.slice(version - first).flat());
  }

  #wrote(providerRows: readonly number[]): void {
    this.#changes.push(providerRows);
    if (this.#changes.length > CHANGE_LOG) this.#changes.shift();
    this.#version++;
  }

  provider(did: string): Promise<ProviderRow | undefined> {
    return this.db.get<ProviderRow>('SELECT * FROM federation_providers WHERE did = ?', [did]);
  }

  providers(): Promise<ProviderRow[]> {
    return this.db.all<ProviderRow>('SELECT * FROM federation_providers ORDER BY did');
  }

  async #providerRow(q: Queries, did: string, connectorUrl: string): Promise<ProviderRow> {
    await q.run(
      `INSERT INTO federation_providers (did, connector_url) VALUES (?, ?)
       ON CONFLICT (did) DO UPDATE SET connector_url = excluded.connector_url`,
      [did, connectorUrl],
    );
    return (await q.get<ProviderRow>('SELECT * FROM federation_providers WHERE did = ?', [
      did,
    ])) as ProviderRow;
  }

  /** The catalog hash of the last successful crawl, to skip unchanged catalogs. */
  async catalogHash(did: string): Promise<string | undefined> {
    const row = await this.db.get<{ catalog_hash: string | null }>(
      'SELECT catalog_hash FROM federation_providers WHERE did = ?',
      [did],
    );
    return row?.catalog_hash ?? undefined;
  }

  /** Records a crawl that found the same catalog as last time: nothing is re-indexed. */
  async recordUnchanged(did: string, connectorUrl: string, stats: CrawlStats): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.#providerRow(tx, did, connectorUrl);
      await tx.run(
        `UPDATE federation_providers SET last_attempt_at = ?1, last_success_at = ?1, last_error = NULL,
           consecutive_failures = 0, next_attempt_at = NULL, last_duration_ms = ?2, pages = ?3,
           warnings = ?4, crawls = crawls + 1, unchanged_crawls = unchanged_crawls + 1
         WHERE did = ?5`,
        [stats.at, stats.durationMs, stats.pages, JSON.stringify(stats.warnings), did],
      );
    });
  }

  /** Records a failed crawl; the datasets indexed before stay (flagged stale in results). */
  async recordFailure(
    did: string,
    connectorUrl: string,
    error: CrawlError,
    nextAttemptAt: string,
    durationMs: number,
  ): Promise<number> {
    return this.db.transaction(async (tx) => {
      await this.#providerRow(tx, did, connectorUrl);
      await tx.run(
        `UPDATE federation_providers SET last_attempt_at = ?1, last_error = ?2,
           consecutive_failures = consecutive_failures + 1, next_attempt_at = ?3, last_duration_ms = ?4,
           crawls = crawls + 1
         WHERE did = ?5`,
        [error.at, JSON.stringify(error), nextAttemptAt, durationMs, did],
      );
      const row = await tx.get<{ n: number }>(
        'SELECT consecutive_failures AS n FROM federation_providers WHERE did = ?',
        [did],
      );
      return row?.n ?? 1;
    });
  }

  /** Replaces a provider's datasets by `datasets`: only changed ones are rewritten. */
  async replaceCatalog(
    did: string,
    connectorUrl: string,
    catalogHash: string,
    datasets: readonly PreparedDataset[],
    stats: CrawlStats,
  ): Promise<ReplaceResult> {
    const result = await this.db.transaction(async (tx) => {
      const provider = await this.#providerRow(tx, did, connectorUrl);
      const existing = new Map(
        (
          await tx.all<{ id: number; dataset_id: string; hash: string }>(
            'SELECT id, dataset_id, hash FROM federation_datasets WHERE provider_row = ?',
            [provider.id],
          )
        ).map((r) => [r.dataset_id, r]),
      );
      let added = 0;
      let updated = 0;
      const keep = new Set<string>();
      const changed: PreparedDataset[] = [];
      const replaced: number[] = [];
      for (const prepared of datasets) {
        const id = prepared.dataset.datasetId;
        keep.add(id);
        const old = existing.get(id);
        if (old !== undefined && old.hash === prepared.dataset.hash) continue;
        if (old !== undefined) {
          replaced.push(old.id);
          updated++;
        } else {
          added++;
        }
        changed.push(prepared);
      }
      const gone = [...existing.values()].filter((r) => !keep.has(r.dataset_id)).map((r) => r.id);
      // Rows of changed datasets go before their new versions are written (one row per dataset id).
      await deleteDatasets(tx, [...replaced, ...gone]);
      await insertDatasets(tx, provider.id, did, changed);
      const offers = datasets.flatMap((d) => d.offers);
      await tx.run(
        `UPDATE federation_providers SET catalog_hash = ?1, last_attempt_at = ?2, last_success_at = ?2,
           last_changed_at = ?2, last_error = NULL, consecutive_failures = 0, next_attempt_at = NULL,
           dataset_count = ?3, offer_count = ?4, offers_without_policy = ?5, last_duration_ms = ?6,
           pages = ?7, warnings = ?8, crawls = crawls + 1
         WHERE id = ?9`,
        [
          catalogHash,
          stats.at,
          datasets.length,
          offers.length,
          offers.filter((o) => o.access === undefined).length,
          stats.durationMs,
          stats.pages,
          JSON.stringify(stats.warnings),
          provider.id,
        ],
      );
      // Only deleted rows can leave policies, terms or keys unused (every inserted offer uses its own).
      if (replaced.length + gone.length > 0) await collectGarbage(tx);
      return { providerRow: provider.id, added, updated, removed: gone.length };
    });
    this.#wrote([result.providerRow]);
    return { added: result.added, updated: result.updated, removed: result.removed };
  }

  /** Removes providers that are no longer active members (revoked, suspended, gone). */
  async removeProvidersExcept(activeDids: ReadonlySet<string>): Promise<string[]> {
    const rows = await this.db.all<{ id: number; did: string }>('SELECT id, did FROM federation_providers');
    const removed = rows.filter((r) => !activeDids.has(r.did));
    if (removed.length === 0) return [];
    await this.db.transaction(async (tx) => {
      for (const row of removed) {
        await tx.run(
          'DELETE FROM federation_fts WHERE rowid IN (SELECT id FROM federation_datasets WHERE provider_row = ?)',
          [row.id],
        );
        await tx.run('DELETE FROM federation_providers WHERE id = ?', [row.id]);
      }
      await collectGarbage(tx);
    });
    this.#wrote(removed.map((r) => r.id));
    return removed.map((r) => r.did);
  }
}

async function deleteDatasets(q: Queries, ids: readonly number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += ROWS_PER_INSERT) {
    const chunk = ids.slice(i, i + ROWS_PER_INSERT);
    const marks = chunk.map(() => '?').join(',');
    await q.run(`DELETE FROM federation_fts WHERE rowid IN (${marks})`, chunk);
    await q.run(`DELETE FROM federation_datasets WHERE id IN (${marks})`, chunk);
  }
}

/** What one write transaction has already stored: policies, terms and keys repeat across datasets. */
interface WriteMemo {
  readonly policies: Map<string, number>;
  readonly terms: Map<string, number>;
  readonly keys: Set<string>;
}

async function termsRow(q: Queries, offer: PreparedOffer, memo: WriteMemo): Promise<number> {
  const known = memo.terms.get(offer.terms.hash);
  if (known !== undefined) return known;
  await q.run(
    // A summary written before its wording changed (e.g. before the Chinese one was stored beside it) is
    // refreshed by the next crawl: the hash names the terms, the summary is only derived from them.
    `INSERT INTO federation_terms (hash, summary, features) VALUES (?, ?, ?)
     ON CONFLICT (hash) DO UPDATE SET summary = excluded.summary
     WHERE federation_terms.summary <> excluded.summary`,
    [offer.terms.hash, JSON.stringify(offer.terms.summary), JSON.stringify(offer.terms.features)],
  );
  const row = (await q.get<{ id: number }>('SELECT id FROM federation_terms WHERE hash = ?', [
    offer.terms.hash,
  ])) as { id: number };
  memo.terms.set(offer.terms.hash, row.id);
  return row.id;
}

async function policyRow(q: Queries, offer: PreparedOffer, memo: WriteMemo): Promise<number | undefined> {
  if (offer.access === undefined) return undefined;
  const known = memo.policies.get(offer.access.hash);
  if (known !== undefined) return known;
  await q.run('INSERT INTO federation_access_policies (hash, body) VALUES (?, ?) ON CONFLICT DO NOTHING', [
    offer.access.hash,
    offer.access.text,
  ]);
  const row = await q.get<{ id: number }>('SELECT id FROM federation_access_policies WHERE hash = ?', [
    offer.access.hash,
  ]);
  if (row !== undefined) memo.policies.set(offer.access.hash, row.id);
  return row?.id;
}

/** Datasets written per round of multi-row INSERTs (14 values each). */
const DATASETS_PER_INSERT = 100;

/**
 * One multi-row INSERT per `ROWS_PER_INSERT` rows of `columns` values each, optionally RETURNING,
 * `tail` (an ON CONFLICT clause) after the values.
 */
async function insertRows<T>(
  q: Queries,
  head: string,
  columns: number,
  rows: readonly SqlValue[][],
  returning?: string,
  tail = '',
): Promise<T[]> {
  const out: T[] = [];
  const marks = `(${Array.from({ length: columns }, () => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const sql = `${head} VALUES ${chunk.map(() => marks).join(', ')}${tail}`;
    const params = chunk.flat();
    if (returning === undefined) await q.run(sql, params);
    else out.push(...(await q.all<T>(`${sql} RETURNING ${returning}`, params)));
  }
  return out;
}

/**
 * Writes datasets with their full-text rows, offers and offer features: a few multi-row INSERTs per
 * hundred datasets (a statement is one trip to SQLite's thread, so one per row would dominate a crawl).
 */
async function insertDatasets(
  q: Queries,
  providerRow: number,
  providerDid: string,
  datasets: readonly PreparedDataset[],
): Promise<void> {
  const memo: WriteMemo = { policies: new Map(), terms: new Map(), keys: new Set() };
  for (let i = 0; i < datasets.length; i += DATASETS_PER_INSERT) {
    const chunk = datasets.slice(i, i + DATASETS_PER_INSERT);
    const inserted = await insertRows<{ id: number; dataset_id: string }>(
      q,
      `INSERT INTO federation_datasets (provider_row, dataset_id, title, description, keywords, sector,
         data_grade, publisher, media_type, licence, issued, modified, body, hash)`,
      14,
      chunk.map(({ dataset }) => [
        providerRow,
        dataset.datasetId,
        dataset.title,
        dataset.description,
        JSON.stringify(dataset.keywords),
        dataset.sector ?? null,
        dataset.dataGrade ?? null,
        dataset.publisher ?? null,
        dataset.mediaType ?? null,
        dataset.licence ?? null,
        dataset.issued ?? null,
        dataset.modified ?? null,
        JSON.stringify(dataset.body),
        dataset.hash,
      ]),
      'id, dataset_id',
    );
    const rowOf = new Map(inserted.map((r) => [r.dataset_id, r.id]));
    const row = (datasetId: string): number => rowOf.get(datasetId) as number;
    await insertRows(
      q,
      'INSERT INTO federation_fts (rowid, title, description, keywords)',
      4,
      chunk.map(({ dataset }) => [
        row(dataset.datasetId),
        indexText(dataset.title),
        indexText(dataset.description),
        indexText(dataset.keywords.join(' ')),
      ]),
    );
    const offers: SqlValue[][] = [];
    const featuresOf = new Map<string, PreparedOffer>();
    for (const { dataset, offers: list } of chunk) {
      const datasetRow = row(dataset.datasetId);
      const grade = dataset.dataGrade ?? '';
      for (const offer of list) {
        const policy = await policyRow(q, offer, memo);
        const perProvider = offer.access?.namesAssigner === true;
        const key =
          policy === undefined
            ? null
            : perProvider
              ? `${policy}|${grade}|${providerRow}`
              : `${policy}|${grade}`;
        if (key !== null && !memo.keys.has(key)) {
          memo.keys.add(key);
          await q.run(
            `INSERT INTO federation_visibility_keys (vis_key, policy_row, grade, provider_did)
             VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            [key, policy ?? null, grade, perProvider ? providerDid : null],
          );
        }
        offers.push([
          datasetRow,
          offer.offerId,
          policy ?? null,
          await termsRow(q, offer, memo),
          key,
          JSON.stringify(offer.body),
        ]);
        featuresOf.set(`${datasetRow}\u0000${offer.offerId}`, offer);
      }
    }
    const offerRows = await insertRows<{ id: number; dataset_row: number; offer_id: string }>(
      q,
      'INSERT INTO federation_offers (dataset_row, offer_id, policy_row, terms_row, vis_key, body)',
      6,
      offers,
      'id, dataset_row, offer_id',
    );
    const features: SqlValue[][] = [];
    for (const r of offerRows) {
      const offer = featuresOf.get(`${r.dataset_row}\u0000${r.offer_id}`) as PreparedOffer;
      for (const f of featureRows(offer.terms.features)) features.push([r.id, f.kind, f.value]);
    }
    await insertRows(
      q,
      'INSERT INTO federation_offer_features (offer_row, kind, value)',
      3,
      features,
      undefined,
      ' ON CONFLICT DO NOTHING',
    );
  }
}

/** Drops visibility keys, access policies and terms no offer uses any more. */
async function collectGarbage(q: Queries): Promise<void> {
  await q.run('DELETE FROM federation_terms WHERE id NOT IN (SELECT terms_row FROM federation_offers)');
  await q.run(
    `DELETE FROM federation_visibility_keys
     WHERE vis_key NOT IN (SELECT vis_key FROM federation_offers WHERE vis_key IS NOT NULL)`,
  );
  await q.run(
    `DELETE FROM federation_access_policies
     WHERE id NOT IN (SELECT policy_row FROM federation_offers WHERE policy_row IS NOT NULL)`,
  );
}
