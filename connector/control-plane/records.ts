// What the control plane keeps beside its negotiation and transfer records for the data plane and the
// evidence log: the usage a consumer declared for a transfer with the claims verified when it asked
// (provider side; the consumer keeps its own declaration), and both signatures of an agreement.
// Writes take the caller's transaction, so they commit with the state change they belong to.

import type { RequestClaims } from '../../policies/index.js';
import type { Store, Migration, Queries } from '../store/database.js';
import type { DeclaredUsage } from './extensions.js';

export const CONTROL_PLANE_RECORD_MIGRATIONS: readonly Migration[] = [
  {
    id: 'transfer-usage/1',
    sql: `
      CREATE TABLE transfer_usage (
        transfer_id TEXT PRIMARY KEY,
        purpose TEXT,
        spatial TEXT,
        claims TEXT,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    id: 'agreement-signature/1',
    sql: `
      CREATE TABLE agreement_signature (
        negotiation_id TEXT PRIMARY KEY,
        agreement_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        provider_signature TEXT,
        consumer_signature TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX agreement_signature_agreement ON agreement_signature (agreement_id);
    `,
  },
];

export interface TransferUsage extends DeclaredUsage {
  /** Provider side: the consumer's claims as verified when it requested the transfer. */
  readonly claims?: RequestClaims;
}

interface UsageRow {
  purpose: string | null;
  spatial: string | null;
  claims: string | null;
}

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export class TransferUsageStore {
  constructor(private readonly db: Store) {}

  /** Records the usage of a new transfer (once: a duplicate request keeps the first). */
  async record(tx: Queries, transferId: string, usage: TransferUsage, at: Date): Promise<void> {
    await tx.run(
      `INSERT INTO transfer_usage (transfer_id, purpose, spatial, claims, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (transfer_id) DO NOTHING`,
      [transferId, json(usage.purpose), json(usage.spatial), json(usage.claims), at.toISOString()],
    );
  }

  async get(transferId: string, tx?: Queries): Promise<TransferUsage | undefined> {
    const row = await (tx ?? this.db).get<UsageRow>(
      'SELECT purpose, spatial, claims FROM transfer_usage WHERE transfer_id = ?',
      [transferId],
    );
    if (row === undefined) return undefined;
    return {
      ...(row.purpose !== null ? { purpose: JSON.parse(row.purpose) as string[] } : {}),
      ...(row.spatial !== null ? { spatial: JSON.parse(row.spatial) as string[] } : {}),
      ...(row.claims !== null ? { claims: JSON.parse(row.claims) as RequestClaims } : {}),
    };
  }
}

export interface AgreementSignatures {
  readonly negotiationId: string;
  readonly agreementId: string;
  /** SHA-256 (hex) of the canonical agreement both signatures cover. */
  readonly digest: string;
  /** The provider's compact JWS (null when a non-Shuyu provider sent none). */
  readonly providerSignature: string | null;
  readonly consumerSignature: string | null;
  readonly updatedAt: string;
}

interface SignatureRow {
  negotiation_id: string;
  agreement_id: string;
  digest: string;
  provider_signature: string | null;
  consumer_signature: string | null;
  updated_at: string;
}

function toSignatures(row: SignatureRow): AgreementSignatures {
  return {
    negotiationId: row.negotiation_id,
    agreementId: row.agreement_id,
    digest: row.digest,
    providerSignature: row.provider_signature,
    consumerSignature: row.consumer_signature,
    updatedAt: row.updated_at,
  };
}

export class AgreementSignatureStore {
  constructor(private readonly db: Store) {}

  /** The provider's side of an agreement (ours or received): replaces what a re-sent agreement had. */
  async recordAgreement(
    tx: Queries,
    input: { negotiationId: string; agreementId: string; digest: string; providerSignature: string | null },
    at: Date,
  ): Promise<void> {
    await tx.run(
      `INSERT INTO agreement_signature
         (negotiation_id, agreement_id, digest, provider_signature, consumer_signature, updated_at)
       VALUES (?, ?, ?, ?, NULL, ?)
       ON CONFLICT (negotiation_id) DO UPDATE SET agreement_id = excluded.agreement_id,
         digest = excluded.digest, provider_signature = excluded.provider_signature,
         consumer_signature = NULL, updated_at = excluded.updated_at`,
      [input.negotiationId, input.agreementId, input.digest, input.providerSignature, at.toISOString()],
    );
  }

  async recordVerification(
    tx: Queries,
    negotiationId: string,
    consumerSignature: string,
    at: Date,
  ): Promise<void> {
    await tx.run(
      'UPDATE agreement_signature SET consumer_signature = ?, updated_at = ? WHERE negotiation_id = ?',
      [consumerSignature, at.toISOString(), negotiationId],
    );
  }

  async get(negotiationId: string, tx?: Queries): Promise<AgreementSignatures | undefined> {
    const row = await (tx ?? this.db).get<SignatureRow>(
      'SELECT * FROM agreement_signature WHERE negotiation_id = ?',
      [negotiationId],
    );
    return row === undefined ? undefined : toSignatures(row);
  }
}
