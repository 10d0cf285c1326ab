// The provider's copy of its product registrations: what it applied for, the authority's decision, and once
// registered the verified DataProductRegistration credential. One row per application at the authority.
import type { Store, Migration } from '../store/database.js';
import { postgresRowid } from '../store/dialect.js';

export const PRODUCT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'products/1',
    sql: `
      CREATE TABLE products_registration (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        product_id TEXT,
        record TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  postgresRowid('products_registration'),
];

/** The authority's record of an application (catalog/authority/products/types.ts), as it sent it. */
export interface ProductRegistration {
  readonly id: string;
  readonly state: 'pending' | 'registered' | 'rejected';
  readonly productId?: string;
  readonly credentialId?: string;
  readonly credentialUrl?: string;
  /** The verified vc+jwt. */
  readonly credential?: string;
  readonly decisionNote?: string;
  readonly description: { readonly datasetIds: readonly string[]; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

export class ProductRegistrationStore {
  constructor(private readonly db: Store) {}

  async save(record: ProductRegistration, at: string): Promise<void> {
    await this.db.run(
      `INSERT INTO products_registration (id, state, product_id, record, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, product_id = excluded.product_id,
         record = excluded.record, updated_at = excluded.updated_at`,
      [record.id, record.state, record.productId ?? null, JSON.stringify(record), at],
    );
  }

  async list(): Promise<ProductRegistration[]> {
    const rows = await this.db.all<{ record: string }>(
      'SELECT record FROM products_registration ORDER BY rowid',
    );
    return rows.map((r) => JSON.parse(r.record) as ProductRegistration);
  }

  /** By the application id or the product identifier. */
  async get(id: string): Promise<ProductRegistration | undefined> {
    const row = await this.db.get<{ record: string }>(
      'SELECT record FROM products_registration WHERE id = ? OR product_id = ?',
      [id, id],
    );
    return row ? (JSON.parse(row.record) as ProductRegistration) : undefined;
  }
}
