// What the authority keeps about applicants and members, in the shapes its API returns (plain JSON).
import type { DataGrade, MemberRole, Sector, SectorRole } from '../../connector/identity/index.js';

export type ApplicationState = 'pending' | 'approved' | 'rejected';
export type MemberState = 'active' | 'suspended' | 'revoked';

export interface SectorMembership {
  sector: Sector;
  roles: SectorRole[];
}

/** What a participant submits. */
export interface ApplicationRequest {
  organisationName: string;
  /** Unified social credit code (or LEI / scheme-prefixed id, as in MembershipCredential). */
  registrationNumber: string;
  sectors: SectorMembership[];
  /** The highest data grade the applicant asks to receive; the admin may grant a lower one. */
  dataGradeClearance?: DataGrade;
  /** An e-mail address or phone number the admins can reach. */
  contact: string;
  /** The applicant connector's DSP endpoint, so the federated catalog can crawl it. */
  connectorUrl?: string;
}

export interface Application extends ApplicationRequest {
  id: string;
  applicantDid: string;
  state: ApplicationState;
  submittedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  /** Why it was rejected, or the admin's note on approval. */
  decisionNote?: string;
  /** The clearance actually granted on approval. */
  grantedDataGradeClearance?: DataGrade;
}

export interface Member {
  did: string;
  organisationName: string;
  registrationNumber: string;
  role: MemberRole;
  sectors: SectorMembership[];
  dataGradeClearance?: DataGrade;
  connectorUrl?: string;
  state: MemberState;
  applicationId: string;
  joinedAt: string;
  updatedAt: string;
  /** Reason of the last suspension or revocation. */
  reason?: string;
}

export interface IssuedCredentialRecord {
  id: string;
  memberDid: string;
  type: string;
  format: 'jwt';
  /** The vc+jwt. */
  credential: string;
  statusIndex: number;
  validFrom: string;
  validUntil: string;
  issuedAt: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  /** Who: "admin:<key name>" or the applicant's DID. */
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}
