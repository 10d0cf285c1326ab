// SQLite tables of the product registry: one row per application (its description as JSON), one row per
// dataset it names (so the federated catalog can tell a registered dataset by provider and id), and the
// per-year sequence behind the product identifiers. Written only inside the service's transactions.
import type { Migration, Queries } from '../../../connector/store/database.js';
import type { ProductRecord, ProductState } from './types.js';

export const PRODUCT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'authority-products/1',
    sql: `
      CREATE TABLE products (
        id TEXT PRIMARY KEY,
        provider_did TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'registered', 'rejected')),
        body TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        decided_at TEXT,
        decided_by TEXT,
        decision_note TEXT,
        product_id TEXT UNIQUE,
        credential_id TEXT,
        credential TEXT,
        status_index INTEGER
      );
      CREATE INDEX products_by_state ON products (state, submitted_at);
      CREATE INDEX products_by_provider ON products (provider_did, submitted_at);

      -- A dataset belongs to at most one open or registered product (checked in the service).
      CREATE TABLE product_datasets (
        application_id TEXT NOT NULL REFERENCES products (id),
        provider_did TEXT NOT NULL,
        dataset_id TEXT NOT NULL,
        PRIMARY KEY (application_id, dataset_id)
      ) WITHOUT ROWID;
      CREATE INDEX product_datasets_by_dataset ON product_datasets (provider_did, dataset_id);

      CREATE TABLE product_sequences (
        year INTEGER PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `,
  },
];

interface ProductRow {
  id: string;
  provider_did: string;
  state: ProductState;
  body: string;
  submitted_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_note: string | null;
  product_id: string | null;
  credential_id: string | null;
  credential: string | null;
}

function toRecord(row: ProductRow): ProductRecord {
  const body = JSON.parse(row.body) as Pick<ProductRecord, 'provider' | 'description'>;
  return {
    id: row.id,
    state: row.state,
    provider: body.provider,
    description: body.description,
    submittedAt: row.submitted_at,
    ...(row.decided_at ? { decidedAt: row.decided_at } : {}),
    ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
    ...(row.decision_note ? { decisionNote: row.decision_note } : {}),
    ...(row.product_id ? { productId: row.product_id } : {}),
    ...(row.credential_id ? { credentialId: row.credential_id } : {}),
    ...(row.credential ? { credential: row.credential } : {}),
  };
}

export interface ProductFilter {
  state?: ProductState;
  providerDid?: string;
  limit: number;
  offset: number;
}

export const productTables = {
  async insert(q: Queries, record: ProductRecord): Promise<void> {
    await q.run('INSERT INTO products (id, provider_did, state, body, submitted_at) VALUES (?, ?, ?, ?, ?)', [
      record.id,
      record.provider.did,
      record.state,
      JSON.stringify({ provider: record.provider, description: record.description }),
      record.submittedAt,
    ]);
    for (const datasetId of record.description.datasetIds) {
      await q.run(
        'INSERT INTO product_datasets (application_id, provider_did, dataset_id) VALUES (?, ?, ?)',
        [record.id, record.provider.did, datasetId],
      );
    }
  },

  /** Applications, open or registered, of `providerDid` that name one of `datasetIds`. */
  async claimedDatasets(
    q: Queries,
    providerDid: string,
    datasetIds: readonly string[],
  ): Promise<{ datasetId: string; applicationId: string; state: ProductState }[]> {
    if (datasetIds.length === 0) return [];
    const rows = await q.all<{ dataset_id: string; application_id: string; state: ProductState }>(
      `SELECT d.dataset_id, d.application_id, p.state FROM product_datasets d JOIN products p ON p.id = d.application_id
       WHERE d.provider_did = ? AND p.state IN ('pending', 'registered')
         AND d.dataset_id IN (${datasetIds.map(() => '?').join(', ')})`,
      [providerDid, ...datasetIds],
    );
    return rows.map((r) => ({ datasetId: r.dataset_id, applicationId: r.application_id, state: r.state }));
  },

  /** The next sequence number of `year` (1 for the first registration of the year). */
  async nextSequence(q: Queries, year: number): Promise<number> {
    await q.run(
      `INSERT INTO product_sequences (year, value) VALUES (?, 1)
       ON CONFLICT (year) DO UPDATE SET value = product_sequences.value + 1`,
      [year],
    );
    const row = await q.get<{ value: number }>('SELECT value FROM product_sequences WHERE year = ?', [year]);
    return row?.value ?? 1;
  },

  async register(
    q: Queries,
    id: string,
    registration: {
      at: string;
      by: string;
      note?: string;
      productId: string;
      credentialId: string;
      credential: string;
      statusIndex: number;
    },
  ): Promise<boolean> {
    const result = await q.run(
      `UPDATE products SET state = 'registered', decided_at = ?, decided_by = ?, decision_note = ?, product_id = ?,
         credential_id = ?, credential = ?, status_index = ?
       WHERE id = ? AND state = 'pending'`,
      [
        registration.at,
        registration.by,
        registration.note ?? null,
        registration.productId,
        registration.credentialId,
        registration.credential,
        registration.statusIndex,
        id,
      ],
    );
    return result.changes === 1;
  },

  async reject(
    q: Queries,
    id: string,
    decision: { at: string; by: string; reason: string },
  ): Promise<boolean> {
    const result = await q.run(
      `UPDATE products SET state = 'rejected', decided_at = ?, decided_by = ?, decision_note = ?
       WHERE id = ? AND state = 'pending'`,
      [decision.at, decision.by, decision.reason, id],
    );
    return result.changes === 1;
  },

  async get(q: Queries, id: string): Promise<ProductRecord | undefined> {
    const row = await q.get<ProductRow>('SELECT * FROM products WHERE id = ? OR product_id = ?', [id, id]);
    return row ? toRecord(row) : undefined;
  },

  async list(q: Queries, filter: ProductFilter): Promise<ProductRecord[]> {
    const rows = await q.all<ProductRow>(
      `SELECT * FROM products
       WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (CAST(?2 AS TEXT) IS NULL OR provider_did = ?2)
       ORDER BY submitted_at, id LIMIT ?3 OFFSET ?4`,
      [filter.state ?? null, filter.providerDid ?? null, filter.limit, filter.offset],
    );
    return rows.map(toRecord);
  },

  /** The registered product holding a provider's dataset, if any. */
  async registeredFor(
    q: Queries,
    providerDid: string,
    datasetId: string,
  ): Promise<ProductRecord | undefined> {
    const row = await q.get<ProductRow>(
      `SELECT p.* FROM product_datasets d JOIN products p ON p.id = d.application_id
       WHERE d.provider_did = ? AND d.dataset_id = ? AND p.state = 'registered'`,
      [providerDid, datasetId],
    );
    return row ? toRecord(row) : undefined;
  },
};
