import { expect } from 'chai';
import {
  claimsFromCredentials,
  compareDataGrades,
  highestDataGrade,
  type VerifiedCredential,
} from '../../connector/identity/index.js';
import { throwsWithCode } from './helpers.js';

const HOLDER = 'did:web:hospital.example';

function verified(type: VerifiedCredential['type'], subject: Record<string, unknown>): VerifiedCredential {
  return {
    format: 'jwt',
    id: `urn:uuid:${type}`,
    type,
    issuer: 'did:web:authority.example',
    subject: { id: HOLDER, ...subject } as VerifiedCredential['subject'],
    validFrom: undefined,
    validUntil: undefined,
    credential: {},
  };
}

const membership = verified('MembershipCredential', {
  dataSpace: 'did:web:medical-dataspace.example',
  organisationName: 'Beijing Research Hospital',
  registrationNumber: '91440300708461136T',
  role: 'catalog',
});

describe('identity/claims', () => {
  it('maps membership, sector and clearance credentials to the policy claims object', () => {
    const claims = claimsFromCredentials(HOLDER, [
      membership,
      verified('SectorCredential', { sector: 'medical', sectorRoles: ['hospital', 'research-institute'] }),
      verified('SectorCredential', { sector: 'finance', sectorRoles: ['insurer'] }),
      verified('DataGradeClearance', { dataGradeClearance: 'general' }),
      verified('DataGradeClearance', { dataGradeClearance: 'important' }),
    ]);
    expect(claims).to.deep.equal({
      participantId: HOLDER,
      credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'],
      dataSpace: 'did:web:medical-dataspace.example',
      memberRole: 'catalog',
      organisationName: 'Beijing Research Hospital',
      registrationNumber: '91440300708461136T',
      sectors: ['medical', 'finance'],
      sectorRoles: ['hospital', 'research-institute', 'insurer'],
      dataGradeClearance: 'important',
    });
  });

  it('leaves optional claims out when no credential provides them', () => {
    expect(claimsFromCredentials(HOLDER, [])).to.deep.equal({
      participantId: HOLDER,
      credentialTypes: [],
      sectors: [],
      sectorRoles: [],
    });
  });

  it('refuses memberships that disagree but accepts duplicates', () => {
    expect(claimsFromCredentials(HOLDER, [membership, membership]).memberRole).to.equal('catalog');
    const admin = verified('MembershipCredential', { ...membership.subject, role: 'admin' });
    throwsWithCode(() => claimsFromCredentials(HOLDER, [membership, admin]), 'ERR_CLAIMS_CONFLICT');
  });

  it('orders data grades like the policy engine (JR-L1..4 within general, JR-L5 = important)', () => {
    expect(highestDataGrade(['JR-L2', 'JR-L4', 'JR-L1'])).to.equal('JR-L4');
    expect(highestDataGrade(['JR-L4', 'general'])).to.equal('general');
    expect(highestDataGrade(['JR-L5', 'general'])).to.equal('JR-L5');
    expect(highestDataGrade(['important', 'JR-L5'])).to.equal('important');
    expect(highestDataGrade(['core', 'JR-L5', 'important'])).to.equal('core');
    expect(highestDataGrade([])).to.equal(undefined);
    expect(compareDataGrades('general', 'important')).to.be.lessThan(0);
    expect(compareDataGrades('JR-L3', 'JR-L3')).to.equal(0);
  });
});
