// From verified credentials to the policy engine's claims object. Only verified credentials reach this point;
// the mapping itself decides nothing except how several credentials combine.
import type { VerifiedCredential } from '../credentials/verify.js';
import type { DataGrade } from '../credentials/vocabulary.js';
import { PresentationError } from '../errors.js';
import { highestDataGrade } from './grades.js';
import type { VerifiedClaims } from './types.js';

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

export function claimsFromCredentials(
  holder: string,
  credentials: readonly VerifiedCredential[],
): VerifiedClaims {
  const claims: VerifiedClaims = {
    participantId: holder,
    credentialTypes: unique(credentials.map((credential) => credential.type)),
    sectors: [],
    sectorRoles: [],
  };
  const grades: DataGrade[] = [];
  for (const credential of credentials) {
    if (credential.type === 'MembershipCredential') {
      const subject = (credential as VerifiedCredential<'MembershipCredential'>).subject;
      const membership = {
        dataSpace: subject.dataSpace,
        memberRole: subject.role,
        organisationName: subject.organisationName,
        registrationNumber: subject.registrationNumber,
      };
      // Two memberships that disagree would make every policy decision ambiguous: refuse instead of picking one.
      if (claims.dataSpace !== undefined) {
        const same =
          claims.dataSpace === membership.dataSpace &&
          claims.memberRole === membership.memberRole &&
          claims.organisationName === membership.organisationName &&
          claims.registrationNumber === membership.registrationNumber;
        if (!same) {
          throw new PresentationError(
            'ERR_CLAIMS_CONFLICT',
            `${holder} presented MembershipCredentials that disagree; present only the one for this data space.`,
            { details: { holder } },
          );
        }
      }
      Object.assign(claims, membership);
    } else if (credential.type === 'SectorCredential') {
      const subject = (credential as VerifiedCredential<'SectorCredential'>).subject;
      claims.sectors.push(subject.sector);
      claims.sectorRoles.push(...subject.sectorRoles);
    } else if (credential.type === 'DataGradeClearance') {
      grades.push((credential as VerifiedCredential<'DataGradeClearance'>).subject.dataGradeClearance);
    }
  }
  claims.sectors = unique(claims.sectors);
  claims.sectorRoles = unique(claims.sectorRoles);
  const grade = highestDataGrade(grades);
  if (grade !== undefined) claims.dataGradeClearance = grade;
  return claims;
}

/** A deeply frozen copy, so cached claims cannot be changed by whoever receives them. */
export function freezeClaims(claims: VerifiedClaims): Readonly<VerifiedClaims> {
  return Object.freeze({
    ...claims,
    credentialTypes: Object.freeze([...claims.credentialTypes]) as string[],
    sectors: Object.freeze([...claims.sectors]) as string[],
    sectorRoles: Object.freeze([...claims.sectorRoles]) as string[],
  });
}

/**
 * Which credential type fills each claim above, so a verifier can ask only for the credentials a policy
 * reads (dcp/policy-scopes.ts). `named`: credentialTypes, whose relevant types are the ones a policy names;
 * `token`: the caller's DID comes from its ID token, no credential needed.
 */
export const CLAIM_SOURCES: Readonly<Record<keyof VerifiedClaims, string>> = {
  participantId: 'token',
  credentialTypes: 'named',
  dataSpace: 'MembershipCredential',
  memberRole: 'MembershipCredential',
  organisationName: 'MembershipCredential',
  registrationNumber: 'MembershipCredential',
  sectors: 'SectorCredential',
  sectorRoles: 'SectorCredential',
  dataGradeClearance: 'DataGradeClearance',
};
