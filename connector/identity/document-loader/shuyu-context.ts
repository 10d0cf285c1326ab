// Shuyu's JSON-LD vocabulary for its credential types and claims. VC 2.0 has no @vocab, so every claim a
// Shuyu credential carries must be defined here (Data Integrity canonicalisation runs in safe mode and fails on
// undefined terms). The terms used by the policy engine (policies/jsonld/contexts/shuyu-v1.json) are repeated
// with identical definitions, so both describe the same vocabulary; @protected stops later contexts in a
// credential from redefining them.

export const SHUYU_CONTEXT_V1_URL = 'https://w3id.org/shuyu/v1';

const NS = 'https://w3id.org/shuyu/v1#';

export const SHUYU_CONTEXT_V1 = {
  '@context': {
    '@version': 1.1,
    '@protected': true,
    shuyu: NS,
    // Credential types.
    MembershipCredential: `${NS}MembershipCredential`,
    SectorCredential: `${NS}SectorCredential`,
    DataGradeClearance: `${NS}DataGradeClearance`,
    // MembershipCredential subject. dataSpace is an IRI (a DID or URL naming the data space).
    dataSpace: { '@id': `${NS}dataSpace`, '@type': '@id' },
    organisationName: { '@id': `${NS}organisationName` },
    registrationNumber: { '@id': `${NS}registrationNumber` },
    role: { '@id': `${NS}memberRole` },
    // SectorCredential subject.
    sector: { '@id': `${NS}sector` },
    sectorRoles: { '@id': `${NS}sectorRole`, '@container': '@set' },
    // DataGradeClearance subject: the highest data grade the holder is cleared for.
    dataGradeClearance: { '@id': `${NS}dataGradeClearance` },
    // Policy-side terms (same IRIs as above), so one context serves credentials and policies.
    credentialType: { '@id': `${NS}credentialType` },
    memberRole: { '@id': `${NS}memberRole` },
    sectorRole: { '@id': `${NS}sectorRole` },
    dataGrade: { '@id': `${NS}dataGrade` },
  },
} as const;
