// The connector's wallet: the credentials the authority issued to it, kept in the connector's database and
// presented (inside request tokens) to other connectors.
import type { Database, Migration, Queries } from '../store/database.js';

export const WALLET_MIGRATIONS: readonly Migration[] = [
  {
    id: 'wallet/1',
    sql: `
      CREATE TABLE wallet_credentials (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('jwt')),
        issuer TEXT NOT NULL,
        credential TEXT NOT NULL,
        valid_from TEXT,
        valid_until TEXT,
        received_at TEXT NOT NULL
      );
      CREATE INDEX wallet_by_issuer ON wallet_credentials (issuer);
    `,
  },
];

export interface WalletCredential {
  id: string;
  type: string;
  format: 'jwt';
  issuer: string;
  /** The vc+jwt. */
  credential: string;
  validFrom?: string;
  validUntil?: string;
  receivedAt: string;
}

interface Row {
  id: string;
  type: string;
  format: 'jwt';
  issuer: string;
  credential: string;
  valid_from: string | null;
  valid_until: string | null;
  received_at: string;
}

function toCredential(row: Row): WalletCredential {
  return {
    id: row.id,
    type: row.type,
    format: row.format,
    issuer: row.issuer,
    credential: row.credential,
    ...(row.valid_from ? { validFrom: row.valid_from } : {}),
    ...(row.valid_until ? { validUntil: row.valid_until } : {}),
    receivedAt: row.received_at,
  };
}

export class Wallet {
  constructor(private readonly db: Database) {}

  /** Replaces everything `issuer` issued to us with `credentials` (one transaction). */
  async replaceFromIssuer(issuer: string, credentials: readonly WalletCredential[]): Promise<void> {
    await this.db.transaction(async (tx: Queries) => {
      await tx.run('DELETE FROM wallet_credentials WHERE issuer = ?', [issuer]);
      for (const c of credentials) {
        await tx.run(
          `INSERT INTO wallet_credentials (id, type, format, issuer, credential, valid_from, valid_until, received_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            c.id,
            c.type,
            c.format,
            c.issuer,
            c.credential,
            c.validFrom ?? null,
            c.validUntil ?? null,
            c.receivedAt,
          ],
        );
      }
    });
  }

  async list(): Promise<WalletCredential[]> {
    const rows = await this.db.all<Row>('SELECT * FROM wallet_credentials ORDER BY issuer, type, id');
    return rows.map(toCredential);
  }

  /** The credentials to present at `now`: not expired, not yet-to-come. */
  async presentable(now: Date): Promise<WalletCredential[]> {
    const at = now.toISOString();
    const rows = await this.db.all<Row>(
      `SELECT * FROM wallet_credentials
       WHERE (valid_until IS NULL OR valid_until > ?1) AND (valid_from IS NULL OR valid_from <= ?1)
       ORDER BY type, id`,
      [at],
    );
    return rows.map(toCredential);
  }
}
