// Searching the federated index for one asker. Matching datasets go into a temporary table once;
// the total, the page (in the requested order) and the facet counts are read from it, all inside one
// transaction on the shared connection, so concurrent searches never see each other's rows.
import type { Queries } from '../../../connector/store/database.js';
import type { JsonObject } from '../../../connector/dsp/messages/types.js';
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
import { hitsInsert, ORDER } from './sql.js';

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

export class FederatedSearch {
  #ready: Promise<void> | undefined;

  constructor(
    private readonly store: IndexStore,
    private readonly visibility: VisibilityEvaluator,
  ) {}

  async search(query: SearchQuery, asker: Asker): Promise<SearchResult> {
    const visible = await this.visibility.visibleKeys(asker);
    return this.#withHits(query, visible, async (tx, total) => {
      const rows = await this.#pageRows(tx, query);
      const results = await this.#views(tx, rows, visible, asker, false);
      return { total, limit: query.limit, offset: query.offset, results, facets: await facets(tx, visible) };
    });
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
    return this.#withHits({ ...query, sort: 'provider' }, visible, async (tx, total) => {
      const rows = await this.#pageRows(tx, { ...query, sort: 'provider' });
      const offers = await offersOf(
        tx,
        rows.map((r) => r.id),
        visible,
        false,
      );
      return {
        total,
        rows: rows.map((row) => ({
          providerDid: row.provider_did,
          ...(row.connector_url ? { connectorUrl: row.connector_url } : {}),
          dataset: JSON.parse(row.body) as JsonObject,
          offers: (offers.get(row.id) ?? []).map((o) => JSON.parse(o.body) as JsonObject),
        })),
      };
    });
  }

  async #withHits<T>(
    query: SearchQuery,
    visible: readonly string[] | 'all',
    read: (tx: Queries, total: number) => Promise<T>,
  ): Promise<T> {
    await this.#createHitsTable();
    const insert = hitsInsert(query, visible);
    return this.store.db.transaction(async (tx) => {
      await tx.run('DELETE FROM temp.federation_hits');
      await tx.run(insert.sql, insert.params);
      const count = await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM temp.federation_hits');
      try {
        return await read(tx, count?.n ?? 0);
      } finally {
        await tx.run('DELETE FROM temp.federation_hits');
      }
    });
  }

  /** The temp table lives as long as the connection; created on first use. */
  #createHitsTable(): Promise<void> {
    this.#ready ??= this.store.db
      .exec(
        `CREATE TEMP TABLE IF NOT EXISTS federation_hits (
           row INTEGER PRIMARY KEY, dataset_id TEXT, rank REAL, title TEXT, modified TEXT, sector TEXT,
           grade TEXT, publisher TEXT, media_type TEXT, licence TEXT, provider TEXT)`,
      )
      .catch((error: unknown) => {
        this.#ready = undefined;
        throw error;
      });
    return this.#ready;
  }

  async #pageRows(tx: Queries, query: SearchQuery): Promise<DatasetRow[]> {
    const page = await tx.all<{ row: number }>(
      `SELECT row FROM temp.federation_hits ORDER BY ${ORDER[query.sort]} LIMIT ? OFFSET ?`,
      [query.limit, query.offset],
    );
    if (page.length === 0) return [];
    const ids = page.map((p) => p.row);
    const rows = await tx.all<DatasetRow>(
      `SELECT d.*, p.did AS provider_did, p.connector_url, p.last_success_at,
              p.consecutive_failures, json_extract(m.body, '$.organisationName') AS organisation_name
       FROM federation_datasets d
       JOIN federation_providers p ON p.id = d.provider_row
       LEFT JOIN members m ON m.did = p.did
       WHERE d.id IN (SELECT value FROM json_each(?))`,
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
     WHERE o.dataset_row IN (SELECT value FROM json_each(?))
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
  };
}

/**
 * Dataset counts per facet value over all hits; policy facets count only offers the asker sees.
 * CROSS JOIN fixes the join order: the temp table has no statistics, and the planner would otherwise
 * scan every feature row of the index.
 */
async function facets(
  tx: Queries,
  visible: readonly string[] | 'all',
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
  ];
  const plain = await tx.all<{ facet: FacetName; value: string; n: number }>(
    columns
      .map(
        ([facet, column]) =>
          `SELECT '${facet}' AS facet, ${column} AS value, COUNT(*) AS n FROM temp.federation_hits ` +
          `WHERE ${column} IS NOT NULL GROUP BY ${column}`,
      )
      .join(' UNION ALL '),
  );
  const params = visible === 'all' ? [] : [JSON.stringify(visible)];
  const policy = await tx.all<{ facet: FacetName; value: string; n: number }>(
    `SELECT f.kind AS facet, f.value AS value, COUNT(DISTINCT o.dataset_row) AS n
     FROM temp.federation_hits h
     CROSS JOIN federation_offers o ON o.dataset_row = h.row
     CROSS JOIN federation_offer_features f ON f.offer_row = o.id
     ${visible === 'all' ? '' : 'WHERE o.vis_key IN (SELECT value FROM json_each(?))'}
     GROUP BY f.kind, f.value`,
    params,
  );
  for (const { facet, value, n } of [...plain, ...policy]) out[facet]?.push({ value, count: n });
  for (const facet of FACETS) {
    out[facet] = out[facet]
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, FACET_VALUES);
  }
  return out;
}
