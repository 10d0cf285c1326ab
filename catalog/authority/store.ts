// SQLite tables of the authority: applications, members, the credentials issued to them, the status list
// state, admin API keys (hashed) and the audit log. Every write the service makes goes through one
// transaction, so an approval either issues all of a member's credentials and records it, or nothing.
import type { Migration, Queries } from '../../connector/store/database.js';
import { PRODUCT_MIGRATIONS } from './products/store.js';
import { STATUS_EVENT_MIGRATIONS } from './status-events.js';
import type {
  Application,
  ApplicationState,
  AuditEntry,
  IssuedCredentialRecord,
  Member,
  MemberState,
} from './types.js';

export const AUTHORITY_MIGRATIONS: readonly Migration[] = [
  {
    id: 'authority/1',
    sql: `
      CREATE TABLE applications (
        id TEXT PRIMARY KEY,
        applicant_did TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
        body TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        decided_at TEXT,
        decided_by TEXT,
        decision_note TEXT,
        granted_grade TEXT
      );
      -- At most one open application per DID.
      CREATE UNIQUE INDEX applications_one_pending ON applications (applicant_did) WHERE state = 'pending';
      CREATE INDEX applications_by_state ON applications (state, submitted_at);

      CREATE TABLE members (
        did TEXT PRIMARY KEY,
        application_id TEXT NOT NULL REFERENCES applications (id),
        state TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'revoked')),
        body TEXT NOT NULL,
        joined_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        reason TEXT
      );

      CREATE TABLE credentials (
        id TEXT PRIMARY KEY,
        member_did TEXT NOT NULL REFERENCES members (did),
        type TEXT NOT NULL,
        credential TEXT NOT NULL,
        status_index INTEGER NOT NULL UNIQUE,
        valid_from TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        superseded INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX credentials_by_member ON credentials (member_did);

      CREATE TABLE status_lists (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state TEXT NOT NULL
      );

      CREATE TABLE admin_keys (
        name TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );

      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT
      );
    `,
  },
  ...STATUS_EVENT_MIGRATIONS,
  // The product registry shares the database: the federated catalog reads it for "registered".
  ...PRODUCT_MIGRATIONS,
];

interface ApplicationRow {
  id: string;
  applicant_did: string;
  state: ApplicationState;
  body: string;
  submitted_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_note: string | null;
  granted_grade: string | null;
}

function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    applicantDid: row.applicant_did,
    state: row.state,
    ...(JSON.parse(row.body) as object),
    submittedAt: row.submitted_at,
    ...(row.decided_at ? { decidedAt: row.decided_at } : {}),
    ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
    ...(row.decision_note ? { decisionNote: row.decision_note } : {}),
    ...(row.granted_grade ? { grantedDataGradeClearance: row.granted_grade } : {}),
  } as Application;
}

interface MemberRow {
  did: string;
  application_id: string;
  state: MemberState;
  body: string;
  joined_at: string;
  updated_at: string;
  reason: string | null;
}

function toMember(row: MemberRow): Member {
  return {
    did: row.did,
    ...(JSON.parse(row.body) as object),
    state: row.state,
    applicationId: row.application_id,
    joinedAt: row.joined_at,
    updatedAt: row.updated_at,
    ...(row.reason ? { reason: row.reason } : {}),
  } as Member;
}

interface CredentialRow {
  id: string;
  member_did: string;
  type: string;
  credential: string;
  status_index: number;
  valid_from: string;
  valid_until: string;
  issued_at: string;
}

function toCredential(row: CredentialRow): IssuedCredentialRecord {
  return {
    id: row.id,
    memberDid: row.member_did,
    type: row.type,
    format: 'jwt',
    credential: row.credential,
    statusIndex: row.status_index,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    issuedAt: row.issued_at,
  };
}

/** Member fields kept in the JSON body column (everything the table does not index). */
type MemberBody = Omit<Member, 'did' | 'state' | 'applicationId' | 'joinedAt' | 'updatedAt' | 'reason'>;

/** Typed statements over the authority tables; every method takes the transaction (or db) to run on. */
export const authorityTables = {
  async insertApplication(q: Queries, application: Application): Promise<void> {
    const { id, applicantDid, state, submittedAt, ...rest } = application;
    const body = {
      organisationName: rest.organisationName,
      registrationNumber: rest.registrationNumber,
      sectors: rest.sectors,
      contact: rest.contact,
      ...(rest.dataGradeClearance ? { dataGradeClearance: rest.dataGradeClearance } : {}),
      ...(rest.connectorUrl ? { connectorUrl: rest.connectorUrl } : {}),
    };
    await q.run(
      'INSERT INTO applications (id, applicant_did, state, body, submitted_at) VALUES (?, ?, ?, ?, ?)',
      [id, applicantDid, state, JSON.stringify(body), submittedAt],
    );
  },

  async decideApplication(
    q: Queries,
    id: string,
    decision: { state: ApplicationState; at: string; by: string; note?: string; grantedGrade?: string },
  ): Promise<boolean> {
    const result = await q.run(
      `UPDATE applications SET state = ?, decided_at = ?, decided_by = ?, decision_note = ?, granted_grade = ?
       WHERE id = ? AND state = 'pending'`,
      [decision.state, decision.at, decision.by, decision.note ?? null, decision.grantedGrade ?? null, id],
    );
    return result.changes === 1;
  },

  async application(q: Queries, id: string): Promise<Application | undefined> {
    const row = await q.get<ApplicationRow>('SELECT * FROM applications WHERE id = ?', [id]);
    return row ? toApplication(row) : undefined;
  },

  async applications(
    q: Queries,
    filter: { state?: ApplicationState; applicantDid?: string; limit: number; offset: number },
  ): Promise<Application[]> {
    const rows = await q.all<ApplicationRow>(
      `SELECT * FROM applications
       WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (CAST(?2 AS TEXT) IS NULL OR applicant_did = ?2)
       ORDER BY submitted_at, id LIMIT ?3 OFFSET ?4`,
      [filter.state ?? null, filter.applicantDid ?? null, filter.limit, filter.offset],
    );
    return rows.map(toApplication);
  },

  async upsertMember(q: Queries, member: Member): Promise<void> {
    const { did, state, applicationId, joinedAt, updatedAt, reason, ...body } = member;
    await q.run(
      `INSERT INTO members (did, application_id, state, body, joined_at, updated_at, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (did) DO UPDATE SET application_id = excluded.application_id, state = excluded.state,
         body = excluded.body, updated_at = excluded.updated_at, reason = excluded.reason`,
      [
        did,
        applicationId,
        state,
        JSON.stringify(body satisfies MemberBody),
        joinedAt,
        updatedAt,
        reason ?? null,
      ],
    );
  },

  async setMemberState(
    q: Queries,
    did: string,
    state: MemberState,
    at: string,
    reason?: string,
  ): Promise<void> {
    await q.run('UPDATE members SET state = ?, updated_at = ?, reason = ? WHERE did = ?', [
      state,
      at,
      reason ?? null,
      did,
    ]);
  },

  async member(q: Queries, did: string): Promise<Member | undefined> {
    const row = await q.get<MemberRow>('SELECT * FROM members WHERE did = ?', [did]);
    return row ? toMember(row) : undefined;
  },

  async members(
    q: Queries,
    filter: { state?: MemberState; limit: number; offset: number },
  ): Promise<Member[]> {
    const rows = await q.all<MemberRow>(
      `SELECT * FROM members WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) ORDER BY joined_at, did LIMIT ?2 OFFSET ?3`,
      [filter.state ?? null, filter.limit, filter.offset],
    );
    return rows.map(toMember);
  },

  async insertCredential(q: Queries, record: IssuedCredentialRecord): Promise<void> {
    await q.run(
      `INSERT INTO credentials (id, member_did, type, credential, status_index, valid_from, valid_until, issued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        record.id,
        record.memberDid,
        record.type,
        record.credential,
        record.statusIndex,
        record.validFrom,
        record.validUntil,
        record.issuedAt,
      ],
    );
  },

  /** Marks a member's current credentials as replaced (on re-admission after a revocation). */
  async supersedeCredentials(q: Queries, did: string): Promise<void> {
    await q.run('UPDATE credentials SET superseded = 1 WHERE member_did = ?', [did]);
  },

  async credentialsOf(q: Queries, did: string): Promise<IssuedCredentialRecord[]> {
    const rows = await q.all<CredentialRow>(
      'SELECT * FROM credentials WHERE member_did = ? AND superseded = 0 ORDER BY issued_at, type',
      [did],
    );
    return rows.map(toCredential);
  },

  async statusListState(q: Queries): Promise<unknown> {
    const row = await q.get<{ state: string }>('SELECT state FROM status_lists WHERE id = 1');
    return row ? (JSON.parse(row.state) as unknown) : undefined;
  },

  async saveStatusListState(q: Queries, state: unknown): Promise<void> {
    await q.run(
      `INSERT INTO status_lists (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state`,
      [JSON.stringify(state)],
    );
  },

  async insertAdminKey(q: Queries, name: string, keyHash: string, at: string): Promise<void> {
    await q.run('INSERT INTO admin_keys (name, key_hash, created_at) VALUES (?, ?, ?)', [name, keyHash, at]);
  },

  async adminKeyName(q: Queries, keyHash: string): Promise<string | undefined> {
    const row = await q.get<{ name: string }>('SELECT name FROM admin_keys WHERE key_hash = ?', [keyHash]);
    return row?.name;
  },

  async audit(
    q: Queries,
    entry: { at: string; actor: string; action: string; subject: string; detail?: Record<string, unknown> },
  ): Promise<void> {
    await q.run('INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)', [
      entry.at,
      entry.actor,
      entry.action,
      entry.subject,
      entry.detail ? JSON.stringify(entry.detail) : null,
    ]);
  },

  async auditLog(
    q: Queries,
    filter: { subject?: string; limit: number; beforeSeq?: number },
  ): Promise<AuditEntry[]> {
    const rows = await q.all<{
      seq: number;
      at: string;
      actor: string;
      action: string;
      subject: string;
      detail: string | null;
    }>(
      `SELECT * FROM audit_log WHERE (CAST(?1 AS TEXT) IS NULL OR subject = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR seq < ?2)
       ORDER BY seq DESC LIMIT ?3`,
      [filter.subject ?? null, filter.beforeSeq ?? null, filter.limit],
    );
    return rows.map((row) => ({
      seq: row.seq,
      at: row.at,
      actor: row.actor,
      action: row.action,
      subject: row.subject,
      ...(row.detail ? { detail: JSON.parse(row.detail) as Record<string, unknown> } : {}),
    }));
  },
};
