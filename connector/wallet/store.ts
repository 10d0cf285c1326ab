// The connector's wallet: the credentials issuers delivered to it (DCP issuance), kept in the connector's
// database and presented by its Credential Service. Validity dates are stored in one form (toISOString, UTC
// with milliseconds) whatever path wrote them, and compared as instants, not as text: "…T10:00:00Z" and
// "…T10:00:00.000Z" are the same moment but not the same string.
import type { Store, Migration, Queries } from '../store/database.js';

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

/** The stored form of a validity date; a date that does not parse is refused, not stored. */
function instant(value: string | undefined, what: string, id: string): string | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new RangeError(`Credential ${id}: ${what} "${value}" is not a date.`);
  return new Date(time).toISOString();
}

/** Whether a credential is valid at `now` (ms): its validity period holds it. */
function validAt(row: Row, now: number): boolean {
  // Parsed, not compared as text: rows written before dates were normalised may have any ISO form.
  return (
    (row.valid_until === null || Date.parse(row.valid_until) > now) &&
    (row.valid_from === null || Date.parse(row.valid_from) <= now)
  );
}

export class Wallet {
  constructor(private readonly db: Store) {}

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
            instant(c.validFrom, 'validFrom', c.id),
            instant(c.validUntil, 'validUntil', c.id),
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
    const rows = await this.db.all<Row>('SELECT * FROM wallet_credentials ORDER BY type, id');
    const at = now.getTime();
    return rows.filter((row) => validAt(row, at)).map(toCredential);
  }
}
