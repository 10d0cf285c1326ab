// The SQL of one search: which datasets match (text, filters, active provider, at least one offer
// the asker may see that also has the wanted policy features). Parameters are always bound, never
// spliced; only fixed fragments are concatenated.
import type { SqlValue } from '../../../connector/store/database.js';
import { jsonValues } from '../../../connector/store/dialect.js';
import type { Dialect } from '../../../connector/store/types.js';
import { defaultVocabularies, type Vocabularies } from '../../../policies/index.js';
import { UNRESTRICTED, type SearchQuery } from '../types.js';
import { matchExpression, tsqueryExpression } from './text.js';

export interface Fragment {
  readonly sql: string;
  readonly params: SqlValue[];
}

/** The term and every broader term: an offer for "scientific-research" serves a "clinical-research" need. */
export function broaderTerms(hierarchy: Vocabularies[keyof Vocabularies], value: string): string[] {
  const out = new Set<string>([value]);
  if (hierarchy.has(value)) for (const t of hierarchy.terms()) if (hierarchy.within(value, t)) out.add(t);
  return [...out];
}

function inList(column: string, values: readonly string[], params: SqlValue[], dialect: Dialect): string {
  params.push(JSON.stringify(values));
  return `${column} IN (${jsonValues(dialect)})`;
}

/** The policy features a query asks for: per kind, the values any of which an offer must have. */
export function wantedFeatures(
  query: SearchQuery,
  vocabularies: Vocabularies = defaultVocabularies(),
): [string, readonly string[]][] {
  const wanted: [string, readonly string[]][] = [];
  if (query.purpose)
    wanted.push(['purpose', [...broaderTerms(vocabularies.purposes, query.purpose), UNRESTRICTED]]);
  if (query.region)
    wanted.push(['region', [...broaderTerms(vocabularies.regions, query.region), UNRESTRICTED]]);
  if (query.credential) wanted.push(['credential', query.credential]);
  if (query.price) wanted.push(['price', [query.price]]);
  return wanted;
}

/** Feature conditions on offer `o`: the same offer must have every feature asked for. */
function featureConditions(
  query: SearchQuery,
  params: SqlValue[],
  vocabularies: Vocabularies,
  dialect: Dialect,
): string[] {
  return wantedFeatures(query, vocabularies).map(([kind, values]) => {
    params.push(kind);
    const list = inList('f.value', values, params, dialect);
    // Not a correlated EXISTS: see offerCondition.
    return `o.id IN (SELECT f.offer_row FROM federation_offer_features f WHERE f.kind = ? AND ${list})`;
  });
}

/** The condition "an offer of dataset d is visible (and has the features)". */
export function offerCondition(
  query: SearchQuery,
  visible: readonly string[] | 'all',
  params: SqlValue[],
  vocabularies: Vocabularies = defaultVocabularies(),
  dialect: Dialect = 'sqlite',
): string {
  const conditions = ['o.dataset_row = d.id'];
  // Unary + keeps vis_key (and the feature value) out of the index seeks: SQLite 3.52.0 (the sqlite3
  // package's) answers these nested EXISTS wrongly when it seeks an IN list in both (found by
  // tests/federation/search-engines.test.ts; 3.53 answers right). PostgreSQL has no unary + on text.
  const visKey = dialect === 'sqlite' ? '+o.vis_key' : 'o.vis_key';
  if (visible !== 'all') conditions.push(inList(visKey, visible, params, dialect));
  conditions.push(...featureConditions(query, params, vocabularies, dialect));
  return `EXISTS (SELECT 1 FROM federation_offers o WHERE ${conditions.join(' AND ')})`;
}

export const HIT_COLUMNS =
  'row, dataset_id, rank, title, modified, sector, grade, publisher, media_type, licence, provider, registered';

/**
 * "registered" or "unregistered" for dataset d of provider p: whether the authority's product registry
 * (catalog/authority/products, same database) registered a product holding it.
 */
export const REGISTERED_EXPRESSION =
  "CASE WHEN EXISTS (SELECT 1 FROM product_datasets pd JOIN products pr ON pr.id = pd.application_id AND pr.state = 'registered' " +
  "WHERE pd.provider_did = p.did AND pd.dataset_id = d.dataset_id) THEN 'registered' ELSE 'unregistered' END";

/** The temporary table of one SQL-path search (unqualified: a temp table shadows on both backends). */
export const HITS_TABLE = 'federation_hits';

/** Creates the hits table if the connection has none yet. */
export function hitsTableDdl(dialect: Dialect): string {
  const [row, rank] = dialect === 'sqlite' ? ['INTEGER', 'REAL'] : ['BIGINT', 'DOUBLE PRECISION'];
  return `CREATE TEMP TABLE IF NOT EXISTS ${HITS_TABLE} (
     row ${row} PRIMARY KEY, dataset_id TEXT, rank ${rank}, title TEXT, modified TEXT, sector TEXT,
     grade TEXT, publisher TEXT, media_type TEXT, licence TEXT, provider TEXT, registered TEXT)`;
}

/** INSERT of the matching datasets into the hits table. */
export function hitsInsert(
  query: SearchQuery,
  visible: readonly string[] | 'all',
  dialect: Dialect = 'sqlite',
): Fragment {
  const params: SqlValue[] = [];
  const sqlite = dialect === 'sqlite';
  const match =
    query.q === undefined ? undefined : sqlite ? matchExpression(query.q) : tsqueryExpression(query.q);
  const where: string[] = [];
  // The authority's members table: only active members' datasets are ever shown.
  const rest =
    'JOIN federation_providers p ON p.id = d.provider_row ' +
    "JOIN members m ON m.did = p.did AND m.state = 'active'";
  let from = `federation_datasets d ${rest}`;
  let rank = '0';
  if (query.q !== undefined) {
    if (match === undefined) {
      where.push('1 = 0'); // text with no word in it matches nothing
    } else if (sqlite) {
      // CROSS JOIN keeps the full-text index the outer loop: left to itself, the planner may walk a
      // dataset index and run the MATCH once per row, which is a hundred times slower.
      from = `federation_fts CROSS JOIN federation_datasets d ON d.id = federation_fts.rowid ${rest}`;
      where.push('federation_fts MATCH ?');
      params.push(match);
      rank = 'bm25(federation_fts, 10.0, 2.0, 5.0)';
    } else {
      // ts_rank with the bm25 weights scaled to 1, negated so that lower is better as with bm25.
      params.push(match);
      from = `federation_fts JOIN to_tsquery('simple', ?) AS tq ON federation_fts.document @@ tq JOIN federation_datasets d ON d.id = federation_fts.rowid ${rest}`;
      rank = "-ts_rank('{0.1, 0.2, 0.5, 1.0}', federation_fts.document, tq, 1)";
    }
  }
  const columns: [keyof SearchQuery, string][] = [
    ['sector', 'd.sector'],
    ['grade', 'd.data_grade'],
    ['publisher', 'd.publisher'],
    ['format', 'd.media_type'],
    ['licence', 'd.licence'],
  ];
  for (const [key, column] of columns) {
    const values = query[key] as readonly string[] | undefined;
    if (values !== undefined) where.push(inList(column, values, params, dialect));
  }
  if (query.provider !== undefined) {
    where.push('p.did = ?');
    params.push(query.provider);
  }
  if (query.registered !== undefined) {
    where.push(`${REGISTERED_EXPRESSION} = ?`);
    params.push(query.registered);
  }
  if (query.datasetId !== undefined) {
    where.push('d.dataset_id = ?');
    params.push(query.datasetId);
  }
  where.push(offerCondition(query, visible, params, defaultVocabularies(), dialect));
  const sql =
    `INSERT INTO ${HITS_TABLE} (${HIT_COLUMNS}) ` +
    `SELECT d.id, d.dataset_id, ${rank}, d.title, d.modified, d.sector, d.data_grade, d.publisher, ` +
    `d.media_type, d.licence, p.did, ${REGISTERED_EXPRESSION} FROM ${from} WHERE ${where.join(' AND ')}`;
  return { sql, params };
}

/**
 * The page order per sort. PostgreSQL: lower() for NOCASE (which folds only ASCII: titles differing in
 * other letters' case may order differently), COLLATE "C" for SQLite's byte order of text, NULLS LAST
 * for SQLite's "NULL is smallest" under DESC.
 */
export const ORDER: Readonly<Record<Dialect, Readonly<Record<SearchQuery['sort'], string>>>> = {
  sqlite: {
    relevance: 'rank, title COLLATE NOCASE, row',
    title: 'title COLLATE NOCASE, provider, dataset_id',
    modified: 'modified DESC, title COLLATE NOCASE, row',
    provider: 'provider, dataset_id',
  },
  postgres: {
    relevance: 'rank, lower(title) COLLATE "C", row',
    title: 'lower(title) COLLATE "C", provider COLLATE "C", dataset_id COLLATE "C"',
    modified: 'modified COLLATE "C" DESC NULLS LAST, lower(title) COLLATE "C", row',
    provider: 'provider COLLATE "C", dataset_id COLLATE "C"',
  },
};
