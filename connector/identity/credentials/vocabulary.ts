// The closed vocabularies of Shuyu's credentials. Adding a sector role is a code change on purpose: the policy
// engine matches these ids literally, so an unknown role must not slip in through a credential.

export const SHUYU_CREDENTIAL_TYPES = [
  'MembershipCredential',
  'SectorCredential',
  'DataGradeClearance',
  // Issued about a data product, not a member: the authority's registration of it (catalog/authority/products).
  'DataProductRegistration',
] as const;
export type ShuyuCredentialType = (typeof SHUYU_CREDENTIAL_TYPES)[number];

export const MEMBER_ROLES = ['participant', 'catalog', 'admin'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const SECTORS = ['education', 'energy', 'finance', 'medical'] as const;
export type Sector = (typeof SECTORS)[number];

/**
 * Roles allowed per sector, using the role ids of the policy engine's hierarchy (policies/vocabulary/sectors.ts).
 * Insurers appear in finance (insurance companies) and medical (health insurers).
 */
export const SECTOR_ROLES = {
  education: ['education-authority', 'university', 'school', 'edtech'],
  energy: ['grid-operator', 'ev-charging-operator'],
  finance: ['bank', 'credit-bureau', 'fintech', 'insurer', 'commercial-insurer'],
  medical: [
    'hospital',
    'research-institute',
    'medical-research-institute',
    'insurer',
    'commercial-insurer',
    'health-insurance-centre',
  ],
} as const satisfies Record<Sector, readonly string[]>;
export type SectorRole = (typeof SECTOR_ROLES)[Sector][number];

export const ALL_SECTOR_ROLES: readonly SectorRole[] = [...new Set(Object.values(SECTOR_ROLES).flat())];

/**
 * Data grades: the national scheme (general < important < core, Data Security Law) and the financial scheme of
 * JR/T 0197-2020 (levels 1..5). See claims/grades.ts for how the two are ordered together.
 */
export const DATA_GRADES = [
  'general',
  'important',
  'core',
  'JR-L1',
  'JR-L2',
  'JR-L3',
  'JR-L4',
  'JR-L5',
] as const;
export type DataGrade = (typeof DATA_GRADES)[number];
