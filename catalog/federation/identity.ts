// The federated catalog's identity. It is the authority (same DID and keys) acting as a member with
// the "catalog" role: the authority issues itself a MembershipCredential (role catalog), one
// SectorCredential per sector with every role of the sector, and a DataGradeClearance. Providers'
// access policies decide what it may index, exactly as for any member; with these credentials it
// passes the usual "members of sector X cleared for grade G" policies, and a provider that wants to
// keep an offer out of the federated catalog says so (`shuyu:memberRole neq catalog`). What the
// catalog sees is never shown as is: every asker gets only what its own credentials would show.
//
// It speaks DCP like every connector: its Secure Token Service signs the tokens the crawler sends, and its
// Credential Service (the authority's /dcp/v1, see federation.ts) presents these credentials to the
// provider that queries them, all in one presentation.
//
// The credentials are kept in federation_credentials (authority.sqlite) and renewed before expiry;
// the old set is revoked in the same transaction. Nothing of them ever leaves the process except in
// presentations to a verifier our STS granted access to.
import type { AuthorityService } from '../authority/service.js';
import type { IssuedCredentialRecord } from '../authority/types.js';
import {
  createSecureTokenService,
  DATA_GRADES,
  SECTOR_ROLES,
  SECTORS,
  systemClock,
  type Clock,
  type CredentialClaims,
  type DataGrade,
  type HeldCredential,
  type ProcessIdentity,
  type SecureTokenService,
  type Sector,
} from '../../connector/identity/index.js';
import type { Store, Queries } from '../../connector/store/database.js';

export interface CatalogIdentityOptions {
  readonly service: AuthorityService;
  readonly identity: ProcessIdentity;
  readonly db: Store;
  readonly clock?: Clock;
  /** Default "Federated catalog". */
  readonly organisationName?: string;
  /** Default "CN-SHUYU:federated-catalog" (a scheme-prefixed id; the catalog has no business licence of its own). */
  readonly registrationNumber?: string;
  /** Sectors it holds a SectorCredential for (every role of each). Default all four. */
  readonly sectors?: readonly Sector[];
  /** Default "core": it may see every grade a provider's policy would show it. */
  readonly dataGradeClearance?: DataGrade;
  /** Renew this long before the earliest expiry (at most a third of the validity). Default 30 days. */
  readonly renewBeforeMs?: number;
}

interface Row {
  id: string;
  type: string;
  sector: string | null;
  credential: string;
  status_index: number;
  valid_from: string;
  valid_until: string;
  issued_at: string;
}

interface Current {
  readonly rows: readonly Row[];
  readonly renewAt: number;
}

export class CatalogIdentity {
  readonly did: string;
  readonly #options: CatalogIdentityOptions;
  readonly #clock: Clock;
  #current: Current | undefined;
  #pending: Promise<Current> | undefined;
  readonly #sts: SecureTokenService;

  constructor(options: CatalogIdentityOptions) {
    this.#options = options;
    this.did = options.identity.did;
    this.#clock = options.clock ?? systemClock;
    this.#sts = createSecureTokenService({ signer: () => options.identity.signer(), clock: this.#clock });
    const grade = options.dataGradeClearance;
    if (grade !== undefined && !(DATA_GRADES as readonly string[]).includes(grade)) {
      throw new Error(`dataGradeClearance must be one of ${DATA_GRADES.join(', ')}, not "${grade}".`);
    }
  }

  /** The claims the catalog's credentials carry. */
  claims(): CredentialClaims[] {
    const o = this.#options;
    return [
      {
        type: 'MembershipCredential',
        subject: {
          id: this.did,
          dataSpace: o.service.dataSpace,
          organisationName: o.organisationName ?? 'Federated catalog',
          registrationNumber: o.registrationNumber ?? 'CN-SHUYU:federated-catalog',
          role: 'catalog',
        },
      },
      ...(o.sectors ?? SECTORS).map((sector): CredentialClaims => ({
        type: 'SectorCredential',
        subject: { id: this.did, sector, sectorRoles: [...SECTOR_ROLES[sector]] },
      })),
      {
        type: 'DataGradeClearance',
        subject: { id: this.did, dataGradeClearance: o.dataGradeClearance ?? 'core' },
      },
    ];
  }

  /** The current credentials, issuing or renewing them first when needed (what the Credential Service holds). */
  async credentials(): Promise<readonly HeldCredential[]> {
    let current = this.#current;
    if (current === undefined || this.#clock().getTime() >= current.renewAt) {
      this.#pending ??= this.#refresh().finally(() => {
        this.#pending = undefined;
      });
      current = await this.#pending;
    }
    return current.rows.map((r) => ({ id: r.id, type: r.type, credential: r.credential }));
  }

  /** The sectors the catalog holds a SectorCredential for. */
  get sectors(): readonly Sector[] {
    return this.#options.sectors ?? SECTORS;
  }

  /** A DCP token for `audience` (a member's DID) granting it read access to the catalog's credentials. */
  requestTokenFor(audience: string): Promise<string> {
    return this.#sts.tokenFor(audience);
  }

  /** The stored, current credential records (for admins and tests). */
  async records(): Promise<Row[]> {
    return this.#options.db.all<Row>(
      'SELECT * FROM federation_credentials WHERE superseded = 0 ORDER BY issued_at, type',
    );
  }

  async #refresh(): Promise<Current> {
    const rows = await this.records();
    const now = this.#clock().getTime();
    const existing = rows.length > 0 ? current(rows, this.#renewBefore()) : undefined;
    // Renew early when the configured sectors changed since the credentials were issued.
    const held = rows
      .flatMap((r) => (r.sector === null ? [] : [r.sector]))
      .sort()
      .join();
    const sameSectors = held === [...this.sectors].sort().join();
    if (existing !== undefined && now < existing.renewAt && sameSectors) return (this.#current = existing);
    const claims = this.claims();
    const sectorOf = (i: number): string | null => {
      const claim = claims[i];
      return claim?.type === 'SectorCredential' ? claim.subject.sector : null;
    };
    const issued = await this.#options.service.issueOwnCredentials(claims, {
      replacing: rows.map((r) => r.status_index),
      record: (tx, credentials) =>
        this.#record(
          tx,
          credentials.map((c, i) => toRow(c, sectorOf(i))),
        ),
    });
    return (this.#current = current(
      issued.map((c, i) => toRow(c, sectorOf(i))),
      this.#renewBefore(),
    ));
  }

  #renewBefore(): number {
    return this.#options.renewBeforeMs ?? 30 * 86_400_000;
  }

  async #record(tx: Queries, rows: readonly Row[]): Promise<void> {
    await tx.run('UPDATE federation_credentials SET superseded = 1 WHERE superseded = 0');
    for (const r of rows) {
      await tx.run(
        `INSERT INTO federation_credentials
           (id, type, sector, credential, status_index, valid_from, valid_until, issued_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [r.id, r.type, r.sector, r.credential, r.status_index, r.valid_from, r.valid_until, r.issued_at],
      );
    }
  }
}

function toRow(c: IssuedCredentialRecord, sector: string | null): Row {
  return {
    id: c.id,
    type: c.type,
    sector,
    credential: c.credential,
    status_index: c.statusIndex,
    valid_from: c.validFrom,
    valid_until: c.validUntil,
    issued_at: c.issuedAt,
  };
}

/** Renew `renewBefore` ahead of the earliest expiry, but never later than two thirds into the validity. */
function current(rows: readonly Row[], renewBefore: number): Current {
  const renewAt = Math.min(
    ...rows.map((r) => {
      const from = Date.parse(r.valid_from);
      const until = Date.parse(r.valid_until);
      return until - Math.min(renewBefore, (until - from) / 3);
    }),
  );
  return { rows, renewAt };
}
