// The federated catalog's tables. They live in the authority's database (authority.sqlite or its
// PostgreSQL database): search
// joins the authority's `members` table, so a suspended or revoked member drops out of every result
// the moment the admin acts, without waiting for the next crawl.
//
//   federation_providers       one row per crawled member: crawl status and the catalog hash
//   federation_datasets        one row per (provider, dataset); FTS5 in federation_fts (same rowid)
//   federation_offers          offers per dataset; vis_key ties an offer to its access policy and grade
//   federation_terms           distinct contract terms: readable summary and features, computed once
//   federation_offer_features  policy features per offer (purpose, region, credential, price)
//   federation_access_policies distinct access policies, by hash (compiled once, cached in memory)
//   federation_visibility_keys distinct (access policy, grade[, provider]) pairs offers use
//   federation_credentials     the catalog's own credentials (issued by the authority to itself)
import type { Migration } from '../../../connector/store/database.js';

const FIRST_SCHEMA = `
      CREATE TABLE federation_providers (
        id INTEGER PRIMARY KEY,
        did TEXT NOT NULL UNIQUE,
        connector_url TEXT,
        catalog_hash TEXT,
        last_attempt_at TEXT,
        last_success_at TEXT,
        last_changed_at TEXT,
        last_error TEXT,
        -- JSON list of problems of the last successful crawl that did not stop it.
        warnings TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        dataset_count INTEGER NOT NULL DEFAULT 0,
        offer_count INTEGER NOT NULL DEFAULT 0,
        offers_without_policy INTEGER NOT NULL DEFAULT 0,
        last_duration_ms INTEGER,
        pages INTEGER,
        crawls INTEGER NOT NULL DEFAULT 0,
        unchanged_crawls INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE federation_datasets (
        id INTEGER PRIMARY KEY,
        provider_row INTEGER NOT NULL REFERENCES federation_providers (id) ON DELETE CASCADE,
        dataset_id TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        keywords TEXT NOT NULL,
        sector TEXT,
        data_grade TEXT,
        publisher TEXT,
        media_type TEXT,
        licence TEXT,
        issued TEXT,
        modified TEXT,
        body TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (provider_row, dataset_id)
      );
      CREATE INDEX federation_datasets_by_sector ON federation_datasets (sector);
      CREATE INDEX federation_datasets_by_grade ON federation_datasets (data_grade);
      CREATE INDEX federation_datasets_by_modified ON federation_datasets (modified);

      -- Title, description and keywords; CJK text is indexed one character per token (text.ts).
      CREATE VIRTUAL TABLE federation_fts USING fts5 (
        title, description, keywords,
        tokenize = 'porter unicode61 remove_diacritics 2'
      );

      -- AUTOINCREMENT: ids are never reused, so a compiled policy cached by id never goes stale.
      CREATE TABLE federation_access_policies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        hash TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL
      );

      -- Distinct contract terms (an offer without its id): summary and features, computed once.
      CREATE TABLE federation_terms (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        hash TEXT NOT NULL UNIQUE,
        summary TEXT NOT NULL,
        features TEXT NOT NULL
      );

      CREATE TABLE federation_offers (
        id INTEGER PRIMARY KEY,
        dataset_row INTEGER NOT NULL REFERENCES federation_datasets (id) ON DELETE CASCADE,
        offer_id TEXT NOT NULL,
        policy_row INTEGER REFERENCES federation_access_policies (id),
        terms_row INTEGER NOT NULL REFERENCES federation_terms (id),
        -- "<policy>:<grade>" or "<policy>:<grade>:<provider>" (policies naming an assigner); NULL without
        -- an access policy. A search evaluates each distinct key once and keeps the offers whose key passed.
        vis_key TEXT,
        body TEXT NOT NULL,
        UNIQUE (dataset_row, offer_id)
      );
      CREATE INDEX federation_offers_by_key ON federation_offers (vis_key, dataset_row);

      -- The distinct keys offers use, with what evaluating one needs (a search reads this small table).
      CREATE TABLE federation_visibility_keys (
        vis_key TEXT PRIMARY KEY,
        policy_row INTEGER NOT NULL REFERENCES federation_access_policies (id),
        grade TEXT NOT NULL,
        -- Only for policies that name an assigner (policy/compile.ts namesAssigner).
        provider_did TEXT
      ) WITHOUT ROWID;

      CREATE TABLE federation_offer_features (
        offer_row INTEGER NOT NULL REFERENCES federation_offers (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (offer_row, kind, value)
      ) WITHOUT ROWID;
      CREATE INDEX federation_features_by_value ON federation_offer_features (kind, value, offer_row);

      CREATE TABLE federation_credentials (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        -- The sector of a SectorCredential (the crawler presents one sector per request).
        sector TEXT,
        credential TEXT NOT NULL,
        status_index INTEGER NOT NULL,
        valid_from TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        superseded INTEGER NOT NULL DEFAULT 0
      );
    `;

/**
 * PostgreSQL has no FTS5: federation_fts is a table with the same columns and rowid (the dataset row),
 * so the index store writes and deletes it the same way, plus a generated tsvector over the
 * pre-tokenised text (text.ts; 'simple' configuration: lower case, no stemming) weighted like the
 * bm25 weights (title A, keywords B, description C), and a GIN index on it.
 */
const POSTGRES_FTS = `
      CREATE TABLE federation_fts (
        rowid BIGINT PRIMARY KEY,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        keywords TEXT NOT NULL,
        document tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple', title), 'A') ||
          setweight(to_tsvector('simple', keywords), 'B') ||
          setweight(to_tsvector('simple', description), 'C')) STORED
      );
      CREATE INDEX federation_fts_by_document ON federation_fts USING GIN (document);`;

const SQLITE_FTS = /\n\s*CREATE VIRTUAL TABLE federation_fts[^;]*;/;

export const FEDERATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'federation/1',
    sql: FIRST_SCHEMA,
    postgres: FIRST_SCHEMA.replace(SQLITE_FTS, POSTGRES_FTS),
  },
  {
    // Facet counts read each matching dataset's visible offers and their terms (search/search.ts):
    // one index seek per dataset instead of one per visibility key, and no table lookup.
    id: 'federation/2',
    sql: `CREATE INDEX federation_offers_by_dataset ON federation_offers (dataset_row, vis_key, terms_row);`,
  },
];
