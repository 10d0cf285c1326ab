// The open credential model against the W3C VC 2.0 data model's own example credentials
// (fixtures/vc20/, see its README for the source): each verifies when a trusted issuer signs it and its
// contexts are bundled or in the operator's context folder, as given and moved onto a MembershipCredential.
// Trusted issuers are per credential type.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDocumentLoader,
  issueCredentialJwt,
  readOperatorContextFolder,
  SHUYU_CONTEXT_V1_URL,
  verifyAnyCredential,
  verifyCredential,
  type CredentialVerificationOptions,
  type DocumentLoader,
  type StatusChecker,
  type TrustList,
} from '../../connector/identity/index.js';
import {
  FakeWeb,
  TestClock,
  T0,
  createParty,
  membershipClaims,
  rejectsWithCode,
  removeTempDirs,
  resolverFor,
  type Party,
} from './helpers.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/vc20/', import.meta.url));

interface Example {
  readonly file: string;
  readonly title: string;
  readonly credential: Record<string, unknown>;
}

function examples(): Example[] {
  const index = JSON.parse(readFileSync(join(FIXTURES, 'index.json'), 'utf8')) as {
    examples: { file: string; title: string }[];
  };
  return index.examples.map(({ file, title }) => ({
    file,
    title,
    credential: JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, unknown>,
  }));
}

/**
 * The example's status lists live on hosts of the spec's imagination; status checking itself is tested in
 * status-list.test.ts, so here the status is taken as "not revoked", and recorded.
 */
class StatusNotRevoked implements StatusChecker {
  checked = 0;
  async check(): Promise<void> {
    this.checked += 1;
  }
}

/** The example issued by `issuer`: its issuer id replaced (object form kept), its spec proof dropped. */
function issuedBy(
  example: Record<string, unknown>,
  issuer: string,
): Record<string, unknown> & { issuer: string | { id: string } } {
  const { proof: _specProof, ...credential } = structuredClone(example);
  const original = credential.issuer;
  const replaced = typeof original === 'object' && original !== null ? { ...original, id: issuer } : issuer;
  return { ...credential, issuer: replaced };
}

/** A moment inside the example's validity period. */
function within(credential: Record<string, unknown>): Date {
  if (typeof credential.validFrom === 'string') return new Date(Date.parse(credential.validFrom) + 60_000);
  if (typeof credential.validUntil === 'string') return new Date(Date.parse(credential.validUntil) - 60_000);
  return T0;
}

/** The example turned into a MembershipCredential: Shuyu's type, context and claims added, nothing removed. */
function asMembership(example: Record<string, unknown>, holder: string): Record<string, unknown> {
  const credential = structuredClone(example);
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  credential.type = [...types, 'MembershipCredential'];
  credential['@context'] = [...(credential['@context'] as unknown[]), SHUYU_CONTEXT_V1_URL];
  const claims = membershipClaims(holder).subject;
  const subject = credential.credentialSubject;
  credential.credentialSubject = Array.isArray(subject)
    ? [{ ...(subject[0] as object), ...claims }, ...subject.slice(1)]
    : { ...(subject as object), ...claims };
  return credential;
}

describe('identity: VC 2.0 data model examples (open credential model)', () => {
  let web: FakeWeb;
  let clock: TestClock;
  let issuer: Party;
  let holder: Party;
  let operatorLoader: DocumentLoader;
  const all = examples();

  before(async () => {
    web = new FakeWeb();
    clock = new TestClock();
    issuer = await createParty(web, 'national-ca.example', clock);
    holder = await createParty(web, 'hospital.example', clock);
    operatorLoader = createDocumentLoader({
      extraContexts: readOperatorContextFolder(join(FIXTURES, 'operator-contexts')),
    });
  });
  after(removeTempDirs);

  function optionsFor(credential: Record<string, unknown>, trustList: TrustList, loader = operatorLoader) {
    const options: CredentialVerificationOptions = {
      resolver: resolverFor(web, clock),
      trustList,
      documentLoader: loader,
      statusChecker: new StatusNotRevoked(),
      clock: () => within(credential),
    };
    return options;
  }

  it('accepts every example credential as given, signed by a trusted issuer, with the operator contexts', async () => {
    const accepted: string[] = [];
    const refused: string[] = [];
    for (const example of all) {
      const credential = issuedBy(example.credential, issuer.did);
      const jwt = await issueCredentialJwt(credential, issuer.signer, { clock: () => within(credential) });
      try {
        const verified = await verifyAnyCredential(jwt, optionsFor(credential, [{ did: issuer.did }]));
        expect(verified.issuer).to.equal(issuer.did);
        accepted.push(example.file);
      } catch (error) {
        refused.push(`${example.file}: ${(error as Error).message}`);
      }
    }
    console.log(`      VC 2.0 examples accepted as given: ${accepted.length} of ${all.length}`);
    expect(refused).to.deep.equal([]);
  });

  it('accepts every example moved onto a MembershipCredential, from an issuer trusted for memberships', async () => {
    const accepted: string[] = [];
    const refused: string[] = [];
    for (const example of all) {
      const credential = issuedBy(asMembership(example.credential, holder.did), issuer.did);
      const jwt = await issueCredentialJwt(credential, issuer.signer, { clock: () => within(credential) });
      const trust = [{ did: issuer.did, credentialTypes: ['MembershipCredential'] }];
      try {
        const verified = await verifyCredential(jwt, optionsFor(credential, trust));
        expect(verified.type).to.equal('MembershipCredential');
        expect(verified.subject.id).to.equal(holder.did);
        accepted.push(example.file);
      } catch (error) {
        refused.push(`${example.file}: ${(error as Error).message}`);
      }
    }
    console.log(
      `      VC 2.0 examples accepted as MembershipCredential: ${accepted.length} of ${all.length}`,
    );
    expect(refused).to.deep.equal([]);
  });

  it('refuses the examples whose contexts are neither bundled nor in the operator folder, naming the context', async () => {
    const bundledOnly = createDocumentLoader();
    let refused = 0;
    for (const example of all) {
      const contexts = example.credential['@context'] as unknown[];
      const unknown = contexts.find((c) => typeof c === 'string' && !bundledOnly.has(c));
      if (unknown === undefined) continue;
      const credential = issuedBy(example.credential, issuer.did);
      const jwt = await issueCredentialJwt(credential, issuer.signer, { clock: () => within(credential) });
      const error = await rejectsWithCode(
        verifyAnyCredential(jwt, optionsFor(credential, [{ did: issuer.did }], bundledOnly)),
        'ERR_CONTEXT_NOT_ALLOWED',
      );
      expect(error.message).to.contain(String(unknown));
      refused += 1;
    }
    expect(refused).to.be.greaterThan(20);
  });

  describe('trusted issuers per credential type', () => {
    it('accepts a membership from a second issuer trusted for memberships only, and nothing else from it', async () => {
      const authority = await createParty(web, 'authority.example', clock);
      const trust: TrustList = [
        { did: authority.did },
        { did: issuer.did, credentialTypes: ['MembershipCredential'] },
      ];
      const membership = {
        '@context': ['https://www.w3.org/ns/credentials/v2', SHUYU_CONTEXT_V1_URL],
        type: ['VerifiableCredential', 'MembershipCredential'],
        issuer: issuer.did,
        validFrom: T0.toISOString(),
        credentialSubject: membershipClaims(holder.did).subject,
      };
      const options = optionsFor(membership, trust);
      expect(
        (await verifyCredential(await issueCredentialJwt(membership, issuer.signer), options)).issuer,
      ).to.equal(issuer.did);
      const sector = {
        ...membership,
        type: ['VerifiableCredential', 'SectorCredential'],
        credentialSubject: { id: holder.did, sector: 'medical', sectorRoles: ['hospital'] },
      };
      const error = await rejectsWithCode(
        verifyCredential(await issueCredentialJwt(sector, issuer.signer), options),
        'ERR_CREDENTIAL_ISSUER_UNTRUSTED',
      );
      expect(error.message).to.contain('not for SectorCredential');
      // The authority, trusted for every type, may issue both.
      const fromAuthority = { ...sector, issuer: authority.did };
      expect(
        (await verifyCredential(await issueCredentialJwt(fromAuthority, authority.signer), options)).type,
      ).to.equal('SectorCredential');
    });

    it('refuses an issuer that is not in the trust list, for any type', async () => {
      const stranger = await createParty(web, 'stranger.example', clock);
      const credential = issuedBy(all[0]!.credential, stranger.did);
      const jwt = await issueCredentialJwt(credential, stranger.signer, { clock: () => within(credential) });
      await rejectsWithCode(
        verifyAnyCredential(jwt, optionsFor(credential, [{ did: issuer.did }])),
        'ERR_CREDENTIAL_ISSUER_UNTRUSTED',
      );
    });
  });
});
