// Shapes of Shuyu's credentials (VC Data Model 2.0) and their subjects.
import type { DataGrade, MemberRole, Sector, SectorRole, ShuyuCredentialType } from './vocabulary.js';

export interface MembershipSubject {
  /** DID of the member (the holder). */
  id: string;
  /** IRI of the data space (a DID or URL). */
  dataSpace: string;
  organisationName: string;
  /** Unified social credit code, LEI, or scheme-prefixed registration id (see schemas.ts). */
  registrationNumber: string;
  role: MemberRole;
}

export interface SectorSubject {
  id: string;
  sector: Sector;
  sectorRoles: SectorRole[];
}

export interface DataGradeClearanceSubject {
  id: string;
  /** The highest data grade the holder may receive. */
  dataGradeClearance: DataGrade;
}

/** A registered data product (数据产品登记): the subject is the product, not a member. */
export interface DataProductRegistrationSubject {
  /** urn:shuyu:product:<productId>. */
  id: string;
  /** The unified product identifier (catalog/authority/products/identifier.ts). */
  productId: string;
  /** The provider's DID. */
  provider: string;
  /** The provider's DSP dataset ids the product consists of. */
  datasets: string[];
  /** Its grade under GB/T 43697. */
  dataGrade: 'general' | 'important' | 'core';
  dataSpace: string;
}

export interface SubjectByType {
  MembershipCredential: MembershipSubject;
  SectorCredential: SectorSubject;
  DataGradeClearance: DataGradeClearanceSubject;
  DataProductRegistration: DataProductRegistrationSubject;
}

/** What a credential says, by type; the input for issuing. */
export type CredentialClaims = {
  [T in ShuyuCredentialType]: { type: T; subject: SubjectByType[T] };
}[ShuyuCredentialType];

export type StatusPurpose = 'revocation' | 'suspension';

export interface StatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  /** Decimal string, as the Bitstring Status List spec requires. */
  statusListIndex: string;
  statusListCredential: string;
}

export interface UnsignedCredential {
  '@context': string[];
  id: string;
  type: string[];
  issuer: string;
  validFrom: string;
  validUntil?: string;
  credentialSubject: SubjectByType[ShuyuCredentialType];
  credentialStatus?: StatusListEntry[];
}

/** `jwt` is VC-JOSE-COSE (`typ: vc+jwt`, EdDSA); `data-integrity` is eddsa-rdfc-2022. */
export type CredentialFormat = 'jwt' | 'data-integrity';
