// The claims object handed to the policy engine as `request.claims` (see policies/request/types.ts).

export interface VerifiedClaims {
  /** Holder DID. */
  participantId: string;
  /** e.g. ['MembershipCredential', 'SectorCredential', 'DataGradeClearance']. */
  credentialTypes: string[];
  dataSpace?: string;
  /** participant | catalog | admin */
  memberRole?: string;
  organisationName?: string;
  registrationNumber?: string;
  /** Plain ids: education | energy | finance | medical. */
  sectors: string[];
  /** Plain ids, e.g. hospital, bank, grid-operator. */
  sectorRoles: string[];
  /** general | important | core | JR-L1..JR-L5 (the highest if several). */
  dataGradeClearance?: string;
}
