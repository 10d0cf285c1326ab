// One test per VC 2.0 data model rule (https://www.w3.org/TR/vc-data-model-2.0/): the valid form verifies,
// and each invalid variant is refused with ERR_CREDENTIAL_SCHEMA_INVALID for that rule (details.rule), before
// any signature or status is looked at. The valid form uses every optional property the model defines.
import { expect } from 'chai';
import {
  verifyAnyCredential,
  type CredentialVerificationOptions,
  type DataModelRule,
  type StatusChecker,
} from '../../connector/identity/index.js';
import {
  FakeWeb,
  TestClock,
  createParty,
  rejectsWithCode,
  removeTempDirs,
  resolverFor,
  type Party,
} from './helpers.js';

const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const UNDEFINED_TERMS = 'https://www.w3.org/ns/credentials/undefined-terms/v2';

/** Status checking is tested in status-list.test.ts; here only its being asked for matters. */
const notRevoked: StatusChecker = { check: async () => undefined };

function validForm(issuer: string): Record<string, unknown> {
  return {
    '@context': [VC_V2, UNDEFINED_TERMS, { favouriteCheese: 'https://vocab.example/favouriteCheese' }],
    id: 'urn:uuid:2f1a6b4e-7f4e-4d5e-9a51-0c1d2e3f4a5b',
    type: ['VerifiableCredential', 'ExampleCredential'],
    name: [
      { '@value': 'Example credential', '@language': 'en' },
      { '@value': '示例凭证', '@language': 'zh-Hans' },
    ],
    description: { '@value': 'مثال', '@language': 'ar', '@direction': 'rtl' },
    issuer: { id: issuer, name: 'National CA', image: 'https://ca.example/logo.png', country: 'CN' },
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00+08:00',
    credentialSubject: [
      { id: 'did:web:hospital.example', favouriteCheese: 'Gouda' },
      { id: 'did:web:clinic.example', favouriteCheese: 'Comté' },
    ],
    credentialStatus: [
      {
        id: 'https://ca.example/status/1#94567',
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '94567',
        statusListCredential: 'https://ca.example/status/1',
      },
    ],
    credentialSchema: [{ id: 'https://ca.example/schemas/example.json', type: 'JsonSchema' }],
    refreshService: { type: 'VerifiableCredentialRefreshService2021', url: 'https://ca.example/refresh' },
    termsOfUse: [{ type: 'TrustFrameworkPolicy', policyId: 'https://ca.example/policies/1' }],
    evidence: [{ id: 'https://ca.example/evidence/1', type: ['Evidence'], verifier: 'https://ca.example' }],
    relatedResource: [{ id: 'https://ca.example/logo.png', digestSRI: 'sha384-abc' }],
  };
}

type Mutation = (credential: Record<string, unknown>) => void;

const INVALID: readonly { rule: DataModelRule; variant: string; mutate: Mutation }[] = [
  { rule: 'context', variant: '@context missing', mutate: (c) => delete c['@context'] },
  {
    rule: 'context',
    variant: '@context a string, not an ordered set',
    mutate: (c) => (c['@context'] = VC_V2),
  },
  {
    rule: 'context',
    variant: 'first @context entry is not the VC 2.0 context',
    mutate: (c) => (c['@context'] = [UNDEFINED_TERMS, VC_V2]),
  },
  {
    rule: 'context',
    variant: 'VC 1.1 context first',
    mutate: (c) => (c['@context'] = ['https://www.w3.org/2018/credentials/v1']),
  },
  {
    rule: 'context',
    variant: 'a later @context entry is a number',
    mutate: (c) => (c['@context'] = [VC_V2, 42]),
  },
  { rule: 'id', variant: 'id is not a URL', mutate: (c) => (c.id = 'credential 42') },
  { rule: 'type', variant: 'type missing', mutate: (c) => delete c.type },
  {
    rule: 'type',
    variant: 'type without VerifiableCredential',
    mutate: (c) => (c.type = ['ExampleCredential']),
  },
  { rule: 'type', variant: 'type an empty set', mutate: (c) => (c.type = []) },
  { rule: 'name-description', variant: 'name a number', mutate: (c) => (c.name = 42) },
  {
    rule: 'name-description',
    variant: 'description with a malformed language tag',
    mutate: (c) => (c.description = { '@value': 'x', '@language': 'not a tag!' }),
  },
  {
    rule: 'name-description',
    variant: 'name value object with an unknown direction',
    mutate: (c) => (c.name = { '@value': 'x', '@direction': 'up' }),
  },
  { rule: 'issuer', variant: 'issuer not a URL', mutate: (c) => (c.issuer = 'University of Example') },
  {
    rule: 'issuer',
    variant: 'issuer object whose id is not a URL',
    mutate: (c) => (c.issuer = { id: 'ca' }),
  },
  {
    rule: 'credential-subject',
    variant: 'credentialSubject missing',
    mutate: (c) => delete c.credentialSubject,
  },
  {
    rule: 'credential-subject',
    variant: 'credentialSubject an empty set',
    mutate: (c) => (c.credentialSubject = []),
  },
  {
    rule: 'credential-subject',
    variant: 'credentialSubject a string',
    mutate: (c) => (c.credentialSubject = 'did:web:x.example'),
  },
  {
    rule: 'credential-subject',
    variant: 'credentialSubject without claims',
    mutate: (c) => (c.credentialSubject = {}),
  },
  {
    rule: 'credential-subject',
    variant: 'credentialSubject id not a URL',
    mutate: (c) => (c.credentialSubject = { id: 'hospital', favouriteCheese: 'Gouda' }),
  },
  {
    rule: 'validity',
    variant: 'validFrom a date, not a dateTime',
    mutate: (c) => (c.validFrom = '2026-01-01'),
  },
  {
    rule: 'validity',
    variant: 'validFrom without a time zone',
    mutate: (c) => (c.validFrom = '2026-01-01T00:00:00'),
  },
  { rule: 'validity', variant: 'validUntil not a dateTime', mutate: (c) => (c.validUntil = 'next year') },
  {
    rule: 'validity',
    variant: 'validUntil before validFrom',
    mutate: (c) => {
      c.validFrom = '2026-06-01T00:00:00Z';
      c.validUntil = '2026-05-01T00:00:00Z';
    },
  },
  {
    rule: 'credential-status',
    variant: 'credentialStatus entry without type',
    mutate: (c) => (c.credentialStatus = [{ id: 'https://ca.example/status/1#1' }]),
  },
  {
    rule: 'credential-status',
    variant: 'credentialStatus id not a URL',
    mutate: (c) => (c.credentialStatus = { id: 'status 1', type: 'BitstringStatusListEntry' }),
  },
  {
    rule: 'credential-schema',
    variant: 'credentialSchema without id',
    mutate: (c) => (c.credentialSchema = { type: 'JsonSchema' }),
  },
  {
    rule: 'credential-schema',
    variant: 'credentialSchema without type',
    mutate: (c) => (c.credentialSchema = { id: 'https://ca.example/schemas/example.json' }),
  },
  {
    rule: 'refresh-service',
    variant: 'refreshService without type',
    mutate: (c) => (c.refreshService = { url: 'https://ca.example/refresh' }),
  },
  {
    rule: 'terms-of-use',
    variant: 'termsOfUse without type',
    mutate: (c) => (c.termsOfUse = { policyId: 'p' }),
  },
  { rule: 'terms-of-use', variant: 'termsOfUse an empty set', mutate: (c) => (c.termsOfUse = []) },
  {
    rule: 'evidence',
    variant: 'evidence without type',
    mutate: (c) => (c.evidence = [{ id: 'https://ca.example/e' }]),
  },
  { rule: 'evidence', variant: 'evidence a string', mutate: (c) => (c.evidence = 'a video') },
  {
    rule: 'related-resource',
    variant: 'relatedResource without a digest',
    mutate: (c) => (c.relatedResource = [{ id: 'https://ca.example/logo.png' }]),
  },
];

describe('identity: VC 2.0 data model rules', () => {
  let web: FakeWeb;
  let clock: TestClock;
  let issuer: Party;
  let options: CredentialVerificationOptions;

  before(async () => {
    web = new FakeWeb();
    clock = new TestClock(new Date('2026-03-01T00:00:00Z'));
    issuer = await createParty(web, 'ca.example', clock);
    options = {
      resolver: resolverFor(web, clock),
      trustList: [{ did: issuer.did }],
      statusChecker: notRevoked,
      clock: clock.now,
    };
  });
  after(removeTempDirs);

  /** Signed as a vc+jwt whose payload is exactly the credential (no registered claims to disagree with it). */
  const sign = (credential: Record<string, unknown>): Promise<string> =>
    issuer.signer.signJwt({ typ: 'vc+jwt', cty: 'vc' }, credential);

  it('verifies the valid form, with every optional property the data model defines', async () => {
    const verified = await verifyAnyCredential(await sign(validForm(issuer.did)), options);
    expect(verified.types).to.deep.equal(['VerifiableCredential', 'ExampleCredential']);
    expect(verified.subjects).to.have.length(2);
    expect(verified.validUntil?.toISOString()).to.equal('2026-12-31T16:00:00.000Z');
  });

  for (const { rule, variant, mutate } of INVALID) {
    it(`refuses ${variant} (rule ${rule})`, async () => {
      const credential = validForm(issuer.did);
      mutate(credential);
      const error = (await rejectsWithCode(
        verifyAnyCredential(await sign(credential), options),
        'ERR_CREDENTIAL_SCHEMA_INVALID',
      )) as Error & { details?: { rule?: string } };
      expect(error.details?.rule, error.message).to.equal(rule);
    });
  }

  it('checks the rules before the signature: a forged invalid credential is refused for its shape', async () => {
    const credential = validForm(issuer.did);
    delete credential.credentialSubject;
    const jwt = await sign(credential);
    const forged = `${jwt.slice(0, jwt.lastIndexOf('.'))}.${'A'.repeat(86)}`;
    const error = (await rejectsWithCode(
      verifyAnyCredential(forged, options),
      'ERR_CREDENTIAL_SCHEMA_INVALID',
    )) as Error & {
      details?: { rule?: string };
    };
    expect(error.details?.rule).to.equal('credential-subject');
  });

  it('refuses an otherwise valid credential whose signature does not verify', async () => {
    const jwt = await sign(validForm(issuer.did));
    const forged = `${jwt.slice(0, jwt.lastIndexOf('.'))}.${'A'.repeat(86)}`;
    await rejectsWithCode(verifyAnyCredential(forged, options), 'ERR_CREDENTIAL_SIGNATURE_INVALID');
  });

  it('refuses a valid credential outside its validity period', async () => {
    const credential = {
      ...validForm(issuer.did),
      validUntil: '2026-02-01T00:00:00Z',
    };
    await rejectsWithCode(verifyAnyCredential(await sign(credential), options), 'ERR_CREDENTIAL_EXPIRED');
  });
});
