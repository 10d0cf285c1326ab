// The data space authority: applications, decisions, the credentials approval issues, suspension and
// revocation through the Bitstring Status List, and the audit log. Each operation is one SQLite transaction
// (including the status list state), so a crash leaves either all of it or none of it.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  issueCredential,
  StatusListAuthority,
  systemClock,
  type Clock,
  type CredentialClaims,
  type DataGrade,
  type ProcessIdentity,
  type StatusPurpose,
} from '../../connector/identity/index.js';
import { HttpProblem } from '../../connector/http/problem.js';
import type { Store, Queries } from '../../connector/store/database.js';
import { StatusEventLog } from './status-events.js';
import { authorityTables as tables } from './store.js';
import type {
  Application,
  ApplicationRequest,
  ApplicationState,
  AuditEntry,
  IssuedCredentialRecord,
  Member,
  MemberState,
} from './types.js';
import type { ApprovalRequest } from './validate.js';

export interface AuthorityServiceOptions {
  db: Store;
  identity: ProcessIdentity;
  /** The data space IRI written into every MembershipCredential (default: the authority's DID). */
  dataSpace?: string;
  /** The authority's public base URL; the status list URLs are derived from it. */
  publicUrl: string;
  /** Default 365 days. */
  credentialValidityDays?: number;
  /** How long a published status list stays valid; default 1 day, re-signed after half of it. */
  statusListValidityMs?: number;
  clock?: Clock;
}

export const AUTHORITY_API_PREFIX = '/authority/v1';
const ADMIN_KEY_PREFIX = 'shuyu_admin_';
const MAX_PAGE = 500;

export interface Page {
  limit?: number;
  offset?: number;
}

function page(p: Page): { limit: number; offset: number } {
  return {
    limit: Math.min(Math.max(Math.trunc(p.limit ?? 50), 1), MAX_PAGE),
    offset: Math.max(Math.trunc(p.offset ?? 0), 0),
  };
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

interface SignedList {
  readonly jwt: string;
  readonly signedAt: number;
}

export class AuthorityService {
  readonly did: string;
  readonly dataSpace: string;
  readonly #db: Store;
  readonly #identity: ProcessIdentity;
  readonly #clock: Clock;
  readonly #validityMs: number;
  readonly #listValidityMs: number;
  #lists: StatusListAuthority;
  readonly #signedLists = new Map<StatusPurpose, SignedList>();
  /** Signed member status changes, pushed to members (GET /authority/v1/status/events). */
  readonly statusEvents: StatusEventLog;

  private constructor(options: AuthorityServiceOptions, lists: StatusListAuthority) {
    this.#db = options.db;
    this.statusEvents = new StatusEventLog(options.db);
    this.#identity = options.identity;
    this.did = options.identity.did;
    this.dataSpace = options.dataSpace ?? options.identity.did;
    this.#clock = options.clock ?? systemClock;
    this.#validityMs = (options.credentialValidityDays ?? 365) * 86_400_000;
    this.#listValidityMs = options.statusListValidityMs ?? 86_400_000;
    this.#lists = lists;
  }

  /** Opens the service on a migrated database, creating the status lists on first start. */
  static async open(options: AuthorityServiceOptions): Promise<AuthorityService> {
    const base = options.publicUrl.replace(/\/+$/, '') + AUTHORITY_API_PREFIX + '/status';
    const lists = await options.db.transaction(async (tx) => {
      const state = await tables.statusListState(tx);
      if (state !== undefined) {
        const loaded = StatusListAuthority.fromState(state);
        if (loaded.issuer !== options.identity.did) {
          throw new Error(
            `The authority's status lists belong to ${loaded.issuer}, but its DID is now ${options.identity.did}; ` +
              'the public URL changed. Start it with the original public URL (credentials name it).',
          );
        }
        return loaded;
      }
      const created = StatusListAuthority.create({
        issuer: options.identity.did,
        revocationListUrl: `${base}/revocation`,
        suspensionListUrl: `${base}/suspension`,
      });
      await tables.saveStatusListState(tx, created.toState());
      return created;
    });
    return new AuthorityService(options, lists);
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  // ---- admin keys ----------------------------------------------------------------------------------------

  /** Creates an admin API key; the key itself is returned once and only its hash is stored. */
  async createAdminKey(name: string): Promise<string> {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) {
      throw new HttpProblem(
        400,
        'invalid-name',
        'An admin key name is 1-64 letters, digits, ".", "_" or "-".',
      );
    }
    const key = ADMIN_KEY_PREFIX + randomBytes(32).toString('base64url');
    await this.#db.transaction(async (tx) => {
      if (await tx.get('SELECT 1 FROM admin_keys WHERE name = ?', [name])) {
        throw new HttpProblem(409, 'admin-key-exists', `An admin key named "${name}" exists already.`);
      }
      await tables.insertAdminKey(tx, name, hashKey(key), this.#now());
      await tables.audit(tx, {
        at: this.#now(),
        actor: 'authority',
        action: 'admin-key.create',
        subject: name,
      });
    });
    return key;
  }

  /** The key's name when `key` is a valid admin key. */
  async adminKeyName(key: string): Promise<string | undefined> {
    if (!key.startsWith(ADMIN_KEY_PREFIX) || key.length > 128) return undefined;
    // Looked up by its SHA-256: the stored value is never compared with the key itself, so timing tells nothing.
    return tables.adminKeyName(this.#db, hashKey(key));
  }

  // ---- applications ----------------------------------------------------------------------------------------

  async apply(applicantDid: string, request: ApplicationRequest): Promise<Application> {
    return this.#db.transaction(async (tx) => {
      const member = await tables.member(tx, applicantDid);
      if (member && member.state !== 'revoked') {
        throw new HttpProblem(
          409,
          'already-member',
          `${applicantDid} is already a member (${member.state}); fetch your credentials instead of applying.`,
        );
      }
      const [pending] = await tables.applications(tx, {
        applicantDid,
        state: 'pending',
        limit: 1,
        offset: 0,
      });
      if (pending) {
        throw new HttpProblem(
          409,
          'application-pending',
          `${applicantDid} already has a pending application (${pending.id}); wait for the admins' decision.`,
        );
      }
      const application: Application = {
        id: `urn:uuid:${randomUUID()}`,
        applicantDid,
        state: 'pending',
        submittedAt: this.#now(),
        ...request,
      };
      await tables.insertApplication(tx, application);
      await tables.audit(tx, {
        at: application.submittedAt,
        actor: applicantDid,
        action: 'application.submit',
        subject: application.id,
        detail: { organisationName: request.organisationName },
      });
      return application;
    });
  }

  applicationsOf(did: string, p: Page = {}): Promise<Application[]> {
    return tables.applications(this.#db, { applicantDid: did, ...page(p) });
  }

  listApplications(filter: { state?: ApplicationState } & Page = {}): Promise<Application[]> {
    return tables.applications(this.#db, {
      ...(filter.state ? { state: filter.state } : {}),
      ...page(filter),
    });
  }

  async application(id: string): Promise<Application> {
    const application = await tables.application(this.#db, id);
    if (!application) throw new HttpProblem(404, 'not-found', `There is no application ${id}.`);
    return application;
  }

  async #pendingApplication(tx: Queries, id: string): Promise<Application> {
    const application = await tables.application(tx, id);
    if (!application) throw new HttpProblem(404, 'not-found', `There is no application ${id}.`);
    if (application.state !== 'pending') {
      throw new HttpProblem(
        409,
        'already-decided',
        `Application ${id} was already ${application.state} by ${application.decidedBy ?? '?'} at ` +
          `${application.decidedAt ?? '?'}.`,
      );
    }
    return application;
  }

  /** Approves an application: the member is admitted and its credentials are issued, in one transaction. */
  async approve(
    id: string,
    actor: string,
    approval: ApprovalRequest = {},
  ): Promise<{ application: Application; member: Member; credentials: IssuedCredentialRecord[] }> {
    const result = await this.#db.transaction(async (tx) => {
      const application = await this.#pendingApplication(tx, id);
      const lists = StatusListAuthority.fromState(await tables.statusListState(tx));
      const now = this.#clock();
      const at = now.toISOString();
      const grade: DataGrade | undefined = approval.dataGradeClearance ?? application.dataGradeClearance;
      const subject = application.applicantDid;
      const claims: CredentialClaims[] = [
        {
          type: 'MembershipCredential',
          subject: {
            id: subject,
            dataSpace: this.dataSpace,
            organisationName: application.organisationName,
            registrationNumber: application.registrationNumber,
            role: approval.role ?? 'participant',
          },
        },
        ...application.sectors.map((membership): CredentialClaims => ({
          type: 'SectorCredential',
          subject: { id: subject, sector: membership.sector, sectorRoles: membership.roles },
        })),
        ...(grade
          ? [{ type: 'DataGradeClearance', subject: { id: subject, dataGradeClearance: grade } } as const]
          : []),
      ];
      const credentials = await this.#issue(lists, subject, claims, now);
      const previous = await tables.member(tx, subject);
      const member: Member = {
        did: subject,
        organisationName: application.organisationName,
        registrationNumber: application.registrationNumber,
        role: approval.role ?? 'participant',
        sectors: application.sectors,
        ...(grade ? { dataGradeClearance: grade } : {}),
        ...(application.connectorUrl ? { connectorUrl: application.connectorUrl } : {}),
        state: 'active',
        applicationId: application.id,
        joinedAt: previous?.joinedAt ?? at,
        updatedAt: at,
      };
      await tables.supersedeCredentials(tx, subject);
      await tables.upsertMember(tx, member);
      for (const credential of credentials) await tables.insertCredential(tx, credential);
      await tables.decideApplication(tx, id, {
        state: 'approved',
        at,
        by: actor,
        ...(approval.note ? { note: approval.note } : {}),
        ...(grade ? { grantedGrade: grade } : {}),
      });
      await tables.saveStatusListState(tx, lists.toState());
      await tables.audit(tx, {
        at,
        actor,
        action: 'application.approve',
        subject: id,
        detail: {
          member: subject,
          credentials: credentials.map((c) => `${c.type} ${c.id}`),
          ...(grade ? { dataGradeClearance: grade } : {}),
          ...(approval.note ? { note: approval.note } : {}),
        },
      });
      const decided = (await tables.application(tx, id)) as Application;
      return { application: decided, member, credentials, lists };
    });
    this.#lists = result.lists;
    return { application: result.application, member: result.member, credentials: result.credentials };
  }

  /** Signs `claims` about `subject`, each with its own status entries allocated from `lists`. */
  async #issue(
    lists: StatusListAuthority,
    subject: string,
    claims: readonly CredentialClaims[],
    now: Date,
  ): Promise<IssuedCredentialRecord[]> {
    const signer = this.#identity.signer();
    const at = now.toISOString();
    const validUntil = new Date(now.getTime() + this.#validityMs);
    const credentials: IssuedCredentialRecord[] = [];
    for (const claim of claims) {
      const allocation = lists.allocate();
      const credentialId = `urn:uuid:${randomUUID()}`;
      const issued = await issueCredential({
        claims: claim,
        signer,
        format: 'jwt',
        id: credentialId,
        validFrom: now,
        validUntil,
        credentialStatus: allocation.credentialStatus,
        clock: this.#clock,
      });
      if (issued.format !== 'jwt') throw new Error('expected a vc+jwt');
      credentials.push({
        id: credentialId,
        memberDid: subject,
        type: claim.type,
        format: 'jwt',
        credential: issued.jwt,
        statusIndex: allocation.index,
        validFrom: at,
        validUntil: validUntil.toISOString(),
        issuedAt: at,
      });
    }
    return credentials;
  }

  /**
   * Runs `work` in one transaction with `issue`, which signs credentials about any subject with status entries
   * from the shared lists; the lists are saved in the same transaction, so a failure in `work` leaves no
   * allocated entry behind (the product registry issues DataProductRegistration credentials this way).
   */
  async issuing<T>(
    work: (
      tx: Queries,
      issue: (subject: string, claims: readonly CredentialClaims[]) => Promise<IssuedCredentialRecord[]>,
      now: Date,
    ) => Promise<T>,
  ): Promise<T> {
    const result = await this.#db.transaction(async (tx) => {
      const lists = StatusListAuthority.fromState(await tables.statusListState(tx));
      const now = this.#clock();
      const value = await work(tx, (subject, claims) => this.#issue(lists, subject, claims, now), now);
      await tables.saveStatusListState(tx, lists.toState());
      return { value, lists };
    });
    this.#lists = result.lists;
    return result.value;
  }

  /**
   * Issues credentials to the authority itself (the federated catalog crawls members as a member with
   * the catalog role). Status entries come from the same lists as members' credentials; the ones at
   * `replacing` (the credentials being renewed) are revoked. `record` stores the new credentials in the
   * same transaction, so a crash leaves either the old set or the new one.
   */
  async issueOwnCredentials(
    claims: readonly CredentialClaims[],
    options: {
      replacing?: readonly number[];
      record: (tx: Queries, credentials: readonly IssuedCredentialRecord[]) => Promise<void>;
    },
  ): Promise<IssuedCredentialRecord[]> {
    const result = await this.#db.transaction(async (tx) => {
      const lists = StatusListAuthority.fromState(await tables.statusListState(tx));
      const now = this.#clock();
      const credentials = await this.#issue(lists, this.did, claims, now);
      for (const index of options.replacing ?? []) lists.revoke(index);
      await options.record(tx, credentials);
      await tables.saveStatusListState(tx, lists.toState());
      await tables.audit(tx, {
        at: now.toISOString(),
        actor: 'authority',
        action: 'catalog.credentials.issue',
        subject: this.did,
        detail: {
          credentials: credentials.map((c) => `${c.type} ${c.id}`),
          ...(options.replacing?.length ? { revokedStatusIndexes: [...options.replacing] } : {}),
        },
      });
      return { credentials, lists };
    });
    this.#lists = result.lists;
    this.#signedLists.clear();
    return result.credentials;
  }

  async reject(id: string, actor: string, reason: string): Promise<Application> {
    return this.#db.transaction(async (tx) => {
      await this.#pendingApplication(tx, id);
      const at = this.#now();
      await tables.decideApplication(tx, id, { state: 'rejected', at, by: actor, note: reason });
      await tables.audit(tx, { at, actor, action: 'application.reject', subject: id, detail: { reason } });
      return (await tables.application(tx, id)) as Application;
    });
  }

  // ---- members -----------------------------------------------------------------------------------------------

  listMembers(filter: { state?: MemberState } & Page = {}): Promise<Member[]> {
    return tables.members(this.#db, { ...(filter.state ? { state: filter.state } : {}), ...page(filter) });
  }

  async member(did: string): Promise<Member> {
    const member = await tables.member(this.#db, did);
    if (!member) throw new HttpProblem(404, 'not-found', `${did} is not a member of this data space.`);
    return member;
  }

  suspend(did: string, actor: string, reason: string): Promise<Member> {
    return this.#changeMemberState(
      did,
      actor,
      'member.suspend',
      ['active'],
      'suspended',
      reason,
      (lists, i) => lists.suspend(i),
    );
  }

  reinstate(did: string, actor: string, note?: string): Promise<Member> {
    return this.#changeMemberState(
      did,
      actor,
      'member.reinstate',
      ['suspended'],
      'active',
      note,
      (lists, i) => lists.reinstate(i),
    );
  }

  revoke(did: string, actor: string, reason: string): Promise<Member> {
    return this.#changeMemberState(
      did,
      actor,
      'member.revoke',
      ['active', 'suspended'],
      'revoked',
      reason,
      (lists, i) => lists.revoke(i),
    );
  }

  async #changeMemberState(
    did: string,
    actor: string,
    action: string,
    from: readonly MemberState[],
    to: MemberState,
    reason: string | undefined,
    flip: (lists: StatusListAuthority, index: number) => void,
  ): Promise<Member> {
    const result = await this.#db.transaction(async (tx) => {
      const member = await tables.member(tx, did);
      if (!member) throw new HttpProblem(404, 'not-found', `${did} is not a member of this data space.`);
      if (!from.includes(member.state)) {
        throw new HttpProblem(
          409,
          'invalid-member-state',
          `${did} is ${member.state}; ${action.replace('member.', '')} applies only to ${from.join(' or ')} members.`,
        );
      }
      const lists = StatusListAuthority.fromState(await tables.statusListState(tx));
      const credentials = await tables.credentialsOf(tx, did);
      for (const credential of credentials) flip(lists, credential.statusIndex);
      const at = this.#now();
      await tables.setMemberState(tx, did, to, at, reason);
      await tables.saveStatusListState(tx, lists.toState());
      await tables.audit(tx, {
        at,
        actor,
        action,
        subject: did,
        detail: { ...(reason ? { reason } : {}), credentials: credentials.length },
      });
      const event = await this.statusEvents.record(tx, this.#identity.signer(), {
        member: did,
        state: to,
        at: new Date(at),
      });
      return { member: (await tables.member(tx, did)) as Member, lists, event };
    });
    this.#lists = result.lists;
    this.#signedLists.clear();
    // After the commit and after the lists changed: a member acting on the event fetches the new lists.
    this.statusEvents.publish(result.event);
    return result.member;
  }

  /** What a member collects for its wallet. Revoked members get nothing. */
  async credentialsOf(did: string): Promise<{ member: Member; credentials: IssuedCredentialRecord[] }> {
    const member = await tables.member(this.#db, did);
    if (!member) {
      const [latest] = (
        await tables.applications(this.#db, { applicantDid: did, limit: MAX_PAGE, offset: 0 })
      ).slice(-1);
      throw new HttpProblem(
        404,
        'not-a-member',
        latest
          ? `${did} is not a member yet: its application ${latest.id} is ${latest.state}.`
          : `${did} is not a member and has not applied; apply first.`,
      );
    }
    if (member.state === 'revoked') {
      throw new HttpProblem(
        403,
        'member-revoked',
        `${did}'s membership was revoked: ${member.reason ?? ''}`.trim(),
      );
    }
    return { member, credentials: await tables.credentialsOf(this.#db, did) };
  }

  auditLog(filter: { subject?: string; limit?: number; beforeSeq?: number } = {}): Promise<AuditEntry[]> {
    return tables.auditLog(this.#db, {
      ...(filter.subject ? { subject: filter.subject } : {}),
      ...(filter.beforeSeq !== undefined ? { beforeSeq: filter.beforeSeq } : {}),
      limit: page({ limit: filter.limit ?? 100 }).limit,
    });
  }

  // ---- status lists ----------------------------------------------------------------------------------------

  /** The signed status list credential (vc+jwt), re-signed after a change or after half its validity. */
  async statusListCredential(purpose: StatusPurpose): Promise<string> {
    const now = this.#clock().getTime();
    const cached = this.#signedLists.get(purpose);
    if (cached && now - cached.signedAt < this.#listValidityMs / 2) return cached.jwt;
    const jwt = await this.#lists.issueListCredential(purpose, this.#identity.signer(), {
      format: 'jwt',
      validForMs: this.#listValidityMs,
      clock: this.#clock,
    });
    if (typeof jwt !== 'string') throw new Error('expected a vc+jwt status list');
    this.#signedLists.set(purpose, { jwt, signedAt: now });
    return jwt;
  }

  statusListUrl(purpose: StatusPurpose): string {
    return this.#lists.listUrl(purpose);
  }
}
