import { expect } from 'chai';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {
  buildCredential,
  buildDidDocument,
  createDidSigner,
  createDocumentLoader,
  didWebToUrl,
  issueCredential,
  issueCredentialDataIntegrity,
  issueCredentialJwt,
  openKeyStore,
  verifyCredential,
  type CredentialVerificationOptions,
  type IssuedCredential,
} from '../../connector/identity/index.js';
import { signJwt } from '../../connector/identity/util/jwt.js';
import {
  FakeWeb,
  TestClock,
  T0,
  USCC,
  clearanceClaims,
  createParty,
  membershipClaims,
  rejectsWithCode,
  removeTempDirs,
  resolverFor,
  sectorClaims,
  tamperJwtPayload,
  tempDir,
  type Party,
} from './helpers.js';

const DAY = 86_400_000;

function secured(issued: IssuedCredential): string | Record<string, unknown> {
  return issued.format === 'jwt' ? issued.jwt : issued.credential;
}

describe('identity/credentials', () => {
  let web: FakeWeb;
  let clock: TestClock;
  let issuer: Party;
  let holder: Party;
  let options: CredentialVerificationOptions;

  beforeEach(async () => {
    web = new FakeWeb();
    clock = new TestClock();
    issuer = await createParty(web, 'authority.example', clock);
    holder = await createParty(web, 'hospital.example', clock);
    options = { resolver: resolverFor(web, clock), trustList: [{ did: issuer.did }], clock: clock.now };
  });
  after(removeTempDirs);

  describe('happy paths', () => {
    it('issues and verifies a VC-JOSE-COSE credential (the default format)', async () => {
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        validUntil: new Date(T0.getTime() + 365 * DAY),
        clock: clock.now,
      });
      expect(issued.format).to.equal('jwt');
      const jwt = issued.format === 'jwt' ? issued.jwt : '';
      const [headerPart, payloadPart] = jwt.split('.') as [string, string];
      const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString()) as Record<string, unknown>;
      const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString()) as Record<string, unknown>;
      expect(header).to.deep.equal({ typ: 'vc+jwt', cty: 'vc', kid: issuer.signer.keyId, alg: 'EdDSA' });
      expect(payload).not.to.have.property('vc');
      expect(payload).to.include({ iss: issuer.did, sub: holder.did, jti: issued.credential.id });

      const verified = await verifyCredential(jwt, options);
      expect(verified).to.deep.include({ format: 'jwt', type: 'MembershipCredential', issuer: issuer.did });
      expect(verified.subject).to.deep.equal(membershipClaims(holder.did).subject);
      expect(verified.validUntil?.toISOString()).to.equal(new Date(T0.getTime() + 365 * DAY).toISOString());
      // The same JWT is accepted as a data: URL and as an EnvelopedVerifiableCredential.
      await verifyCredential(`data:application/vc+jwt,${jwt}`, options);
      await verifyCredential(
        {
          '@context': 'https://www.w3.org/ns/credentials/v2',
          id: `data:application/vc+jwt,${jwt}`,
          type: 'EnvelopedVerifiableCredential',
        },
        options,
      );
    });

    it('issues and verifies a Data Integrity (eddsa-rdfc-2022) credential', async () => {
      const issued = await issueCredential({
        claims: sectorClaims(holder.did),
        signer: issuer.signer,
        format: 'data-integrity',
        clock: clock.now,
      });
      const credential = issued.credential as Record<string, unknown>;
      expect(credential.proof).to.deep.include({
        type: 'DataIntegrityProof',
        cryptosuite: 'eddsa-rdfc-2022',
        proofPurpose: 'assertionMethod',
        verificationMethod: issuer.signer.keyId,
      });
      const verified = await verifyCredential(credential, options);
      expect(verified).to.deep.include({
        format: 'data-integrity',
        type: 'SectorCredential',
        issuer: issuer.did,
      });
      expect(verified.subject).to.deep.equal(sectorClaims(holder.did).subject);
      // Serialised JSON works the same, and so does a Multikey DID document.
      issuer.publish('Multikey');
      await verifyCredential(JSON.stringify(credential), { ...options, resolver: resolverFor(web, clock) });
    });

    it('verifies every credential type in both formats', async () => {
      for (const claims of [
        membershipClaims(holder.did),
        sectorClaims(holder.did),
        clearanceClaims(holder.did),
      ]) {
        for (const format of ['jwt', 'data-integrity'] as const) {
          const issued = await issueCredential({ claims, signer: issuer.signer, format, clock: clock.now });
          expect((await verifyCredential(secured(issued), options)).type).to.equal(claims.type);
        }
      }
    });
  });

  describe('tampering and keys', () => {
    it('rejects a tampered JWT credential', async () => {
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        clock: clock.now,
      });
      const tampered = tamperJwtPayload(issued.format === 'jwt' ? issued.jwt : '', (payload) => {
        (payload.credentialSubject as Record<string, unknown>).role = 'admin';
      });
      await rejectsWithCode(verifyCredential(tampered, options), 'ERR_CREDENTIAL_SIGNATURE_INVALID');
    });

    it('rejects a tampered Data Integrity credential', async () => {
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        format: 'data-integrity',
        clock: clock.now,
      });
      const tampered = structuredClone(issued.credential) as { credentialSubject: Record<string, unknown> };
      tampered.credentialSubject.role = 'admin';
      const error = await rejectsWithCode(
        verifyCredential(tampered, options),
        'ERR_CREDENTIAL_SIGNATURE_INVALID',
      );
      expect(error.message).to.contain('altered');
    });

    it('rejects a JWT signed by another key that claims to be the issuer key', async () => {
      const attacker = await openKeyStore(await tempDir());
      const credential = buildCredential({
        claims: membershipClaims(holder.did, 'admin'),
        issuer: issuer.did,
        clock: clock.now,
      });
      const forged = await signJwt(
        { typ: 'vc+jwt', kid: issuer.signer.keyId },
        { ...credential, iss: issuer.did },
        attacker.activeKey.signingKey(),
        'EdDSA',
      );
      await rejectsWithCode(verifyCredential(forged, options), 'ERR_CREDENTIAL_SIGNATURE_INVALID');
    });

    it('rejects a Data Integrity proof made by another key that claims to be the issuer key', async () => {
      const attacker = await openKeyStore(await tempDir());
      const pair = await Ed25519Multikey.fromJwk({
        jwk: { ...attacker.activeKey.exportPrivateJwk() },
        secretKey: true,
        id: issuer.signer.keyId,
        controller: issuer.did,
      });
      const credential = buildCredential({
        claims: membershipClaims(holder.did, 'admin'),
        issuer: issuer.did,
        clock: clock.now,
      });
      const forged = await vc.issue({
        credential: { ...credential },
        suite: new DataIntegrityProof({ signer: pair.signer(), cryptosuite }),
        documentLoader: createDocumentLoader(),
      });
      await rejectsWithCode(verifyCredential(forged, options), 'ERR_CREDENTIAL_SIGNATURE_INVALID');
    });

    it('rejects a credential signed with a key of a different DID than its issuer', async () => {
      const credential = buildCredential({
        claims: membershipClaims(holder.did),
        issuer: issuer.did,
        clock: clock.now,
      });
      // Signed with the holder's own (genuine) key, but naming the trusted authority as issuer.
      const forged = await signJwt(
        { typ: 'vc+jwt', kid: holder.signer.keyId },
        { ...credential },
        holder.keys.activeKey.signingKey(),
        'EdDSA',
      );
      await rejectsWithCode(verifyCredential(forged, options), 'ERR_CREDENTIAL_ISSUER_KEY_MISMATCH');
    });

    it("rejects a key whose controller is not the issuer, even when the issuer's document lists it", async () => {
      const url = didWebToUrl(issuer.did).href;
      const document = buildDidDocument({ did: issuer.did, keys: issuer.keys.publishedKeys });
      const method = { ...document.verificationMethod[0], controller: holder.did };
      web.serve(url, { ...document, verificationMethod: [method] });
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        clock: clock.now,
      });
      await rejectsWithCode(verifyCredential(secured(issued), options), 'ERR_CREDENTIAL_ISSUER_KEY_MISMATCH');
    });

    it('rejects a key that is not an assertionMethod of the issuer', async () => {
      const url = didWebToUrl(issuer.did).href;
      const document = buildDidDocument({ did: issuer.did, keys: issuer.keys.publishedKeys });
      web.serve(url, { ...document, assertionMethod: [] });
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        clock: clock.now,
      });
      await rejectsWithCode(
        verifyCredential(secured(issued), options),
        'ERR_VERIFICATION_METHOD_NOT_AUTHORIZED',
      );
    });
  });

  describe('trust', () => {
    it('rejects an issuer that is not in the trust list, without resolving its DID', async () => {
      const stranger = await createParty(web, 'stranger.example', clock);
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: stranger.signer,
        clock: clock.now,
      });
      web.requests.length = 0;
      const error = await rejectsWithCode(
        verifyCredential(secured(issued), options),
        'ERR_CREDENTIAL_ISSUER_UNTRUSTED',
      );
      expect(error.message).to.contain(stranger.did);
      expect(web.requests).to.deep.equal([]);
    });

    it('honours per-type trust', async () => {
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        clock: clock.now,
      });
      const sectorOnly = {
        ...options,
        trustList: [{ did: issuer.did, credentialTypes: ['SectorCredential'] }],
      };
      const error = await rejectsWithCode(
        verifyCredential(secured(issued), sectorOnly),
        'ERR_CREDENTIAL_ISSUER_UNTRUSTED',
      );
      expect(error.message).to.contain('not for MembershipCredential');
    });
  });

  describe('validity period', () => {
    it('rejects an expired credential (JWT)', async () => {
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        validUntil: new Date(T0.getTime() + DAY),
        clock: clock.now,
      });
      clock.advance(DAY + 20_000);
      await verifyCredential(secured(issued), options); // within the 30 s clock skew
      clock.advance(20_000);
      await rejectsWithCode(verifyCredential(secured(issued), options), 'ERR_CREDENTIAL_EXPIRED');
    });

    it('rejects an expired credential (Data Integrity)', async () => {
      const issued = await issueCredential({
        claims: sectorClaims(holder.did),
        signer: issuer.signer,
        format: 'data-integrity',
        validUntil: new Date(T0.getTime() + DAY),
        clock: clock.now,
      });
      clock.advance(2 * DAY);
      await rejectsWithCode(verifyCredential(secured(issued), options), 'ERR_CREDENTIAL_EXPIRED');
    });

    it('rejects a credential that is not valid yet', async () => {
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        validFrom: new Date(T0.getTime() + DAY),
        clock: clock.now,
      });
      await rejectsWithCode(verifyCredential(secured(issued), options), 'ERR_CREDENTIAL_NOT_YET_VALID');
      clock.advance(DAY);
      await verifyCredential(secured(issued), options);
    });
  });

  describe('schema', () => {
    it('refuses to issue claims that break the schema', async () => {
      const bad = {
        ...membershipClaims(holder.did),
        subject: { ...membershipClaims(holder.did).subject, role: 'owner' },
      };
      await rejectsWithCode(
        issueCredential({ claims: bad as never, signer: issuer.signer, clock: clock.now }),
        'ERR_ISSUANCE_INVALID_INPUT',
      );
      const wrongSectorRole = {
        type: 'SectorCredential',
        subject: { id: holder.did, sector: 'energy', sectorRoles: ['hospital'] },
      };
      const error = await rejectsWithCode(
        issueCredential({ claims: wrongSectorRole as never, signer: issuer.signer, clock: clock.now }),
        'ERR_ISSUANCE_INVALID_INPUT',
      );
      expect(error.message).to.contain('grid-operator');
    });

    it('refuses malformed issuance input with a typed error', async () => {
      for (const claims of [undefined, {}, { type: 'OtherCredential', subject: { id: holder.did } }]) {
        await rejectsWithCode(
          issueCredential({ claims: claims as never, signer: issuer.signer, clock: clock.now }),
          'ERR_ISSUANCE_INVALID_INPUT',
        );
      }
      await rejectsWithCode(
        issueCredential({
          claims: membershipClaims(holder.did),
          signer: issuer.signer,
          validUntil: new Date('not a date'),
          clock: clock.now,
        }),
        'ERR_ISSUANCE_INVALID_INPUT',
      );
    });

    it('rejects a signed credential whose Shuyu claims break the schema, and accepts other claims beside them', async () => {
      const credential = buildCredential({
        claims: membershipClaims(holder.did),
        issuer: issuer.did,
        clock: clock.now,
      });
      const broken = await issueCredentialJwt(
        { ...credential, credentialSubject: { ...credential.credentialSubject, role: 'emperor' } },
        issuer.signer,
        { clock: clock.now },
      );
      const error = await rejectsWithCode(verifyCredential(broken, options), 'ERR_CREDENTIAL_SCHEMA_INVALID');
      expect(error.message).to.contain('credentialSubject.role must be one of');
      // The open model: a claim Shuyu does not read is no reason to refuse.
      const extended = await issueCredentialJwt(
        { ...credential, credentialSubject: { ...credential.credentialSubject, extra: 'x' } },
        issuer.signer,
        { clock: clock.now },
      );
      const verified = await verifyCredential(extended, options);
      expect(verified.subject).to.deep.include(credential.credentialSubject);
    });

    it('checks registration numbers: USCC with check character, LEI, or scheme-prefixed', async () => {
      const withNumber = (registrationNumber: string) => ({
        type: 'MembershipCredential' as const,
        subject: { ...membershipClaims(holder.did).subject, registrationNumber },
      });
      for (const good of [
        USCC,
        '91350100M000100Y43',
        '5493001KJTIIGC8Y1R12',
        'DE-HRB:123456',
        'GB:01234567',
      ]) {
        await issueCredential({ claims: withNumber(good), signer: issuer.signer, clock: clock.now });
      }
      for (const bad of ['91440300708461136X', '12345', 'not a number']) {
        await rejectsWithCode(
          issueCredential({ claims: withNumber(bad), signer: issuer.signer, clock: clock.now }),
          'ERR_ISSUANCE_INVALID_INPUT',
        );
      }
    });

    it('rejects credentials that are none (or several) of the Shuyu types', async () => {
      const credential = buildCredential({
        claims: membershipClaims(holder.did),
        issuer: issuer.did,
        clock: clock.now,
      });
      const none = await issueCredentialJwt(
        { ...credential, type: ['VerifiableCredential', 'OtherCredential'] },
        issuer.signer,
      );
      await rejectsWithCode(verifyCredential(none, options), 'ERR_CREDENTIAL_TYPE_UNSUPPORTED');
      const both = await issueCredentialJwt(
        { ...credential, type: ['VerifiableCredential', 'MembershipCredential', 'SectorCredential'] },
        issuer.signer,
      );
      await rejectsWithCode(verifyCredential(both, options), 'ERR_CREDENTIAL_TYPE_UNSUPPORTED');
    });

    it('rejects a JWT whose iss claim disagrees with the credential issuer', async () => {
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        clock: clock.now,
      });
      const jwt = tamperJwtPayload(issued.format === 'jwt' ? issued.jwt : '', (payload) => {
        payload.iss = holder.did;
      });
      await rejectsWithCode(verifyCredential(jwt, options), 'ERR_CREDENTIAL_SCHEMA_INVALID');
    });

    it('refuses a credential that uses an unbundled context, without any network request', async () => {
      const original = globalThis.fetch;
      const calls: string[] = [];
      globalThis.fetch = (async (input: unknown) => {
        calls.push(String(input));
        throw new Error('network access is forbidden in this test');
      }) as typeof globalThis.fetch;
      try {
        const extra = 'https://contexts.example/extra/v1';
        const credential = buildCredential({
          claims: sectorClaims(holder.did),
          issuer: issuer.did,
          clock: clock.now,
        });
        const signed = await issueCredentialDataIntegrity(
          { ...credential, '@context': [...credential['@context'], extra] },
          issuer.signer,
          {
            clock: clock.now,
            documentLoader: createDocumentLoader({
              extraContexts: new Map([[extra, { '@context': { note: 'https://contexts.example/note' } }]]),
            }),
          },
        );
        web.requests.length = 0;
        await rejectsWithCode(verifyCredential(signed, options), 'ERR_CONTEXT_NOT_ALLOWED');
        expect(calls).to.deep.equal([]);
        expect(web.requests).to.deep.equal([]);
      } finally {
        globalThis.fetch = original;
      }
    });
  });

  describe('malformed and oversized input', () => {
    it('rejects malformed JWTs and JSON with ERR_INPUT_MALFORMED', async () => {
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        clock: clock.now,
      });
      const jwt = issued.format === 'jwt' ? issued.jwt : '';
      const [header, payload] = jwt.split('.') as [string, string];
      const notJson = Buffer.from('{not json').toString('base64url');
      const array = Buffer.from('[1,2]').toString('base64url');
      const wrongTyp = Buffer.from(
        JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: issuer.signer.keyId }),
      ).toString('base64url');
      for (const bad of [
        'not-a-jwt',
        `${header}.${payload}`,
        `${header}.${payload}.`,
        `${header}.${payload}.sig.extra`,
        `${header}.${notJson}.c2ln`,
        `${header}.${array}.c2ln`,
        `${header}.pay!oad.c2ln`,
        `${wrongTyp}.${payload}.c2ln`,
        '{"truncated": ',
        '[]',
      ]) {
        await rejectsWithCode(verifyCredential(bad, options), 'ERR_INPUT_MALFORMED');
      }
      for (const bad of [
        42,
        null,
        ['a'],
        { type: 'EnvelopedVerifiableCredential', id: 'https://x.example' },
      ]) {
        await rejectsWithCode(verifyCredential(bad, options), 'ERR_INPUT_MALFORMED');
      }
    });

    it('rejects Data Integrity credentials without a single supported proof', async () => {
      const issued = await issueCredential({
        claims: sectorClaims(holder.did),
        signer: issuer.signer,
        format: 'data-integrity',
        clock: clock.now,
      });
      const credential = issued.credential as Record<string, unknown>;
      const { proof, ...unsigned } = credential;
      await rejectsWithCode(verifyCredential(unsigned, options), 'ERR_CREDENTIAL_SIGNATURE_INVALID');
      await rejectsWithCode(
        verifyCredential({ ...credential, proof: [proof, proof] }, options),
        'ERR_CREDENTIAL_SIGNATURE_INVALID',
      );
      await rejectsWithCode(
        verifyCredential(
          { ...credential, proof: { ...(proof as object), cryptosuite: 'ecdsa-rdfc-2019' } },
          options,
        ),
        'ERR_CREDENTIAL_SIGNATURE_INVALID',
      );
    });

    it('rejects oversized and deeply nested input before parsing it further', async () => {
      await rejectsWithCode(
        verifyCredential(`eyJ${'A'.repeat(20_000)}.e30.c2ln`, options),
        'ERR_INPUT_TOO_LARGE',
      );
      const issued = await issueCredential({
        claims: sectorClaims(holder.did),
        signer: issuer.signer,
        format: 'data-integrity',
        clock: clock.now,
      });
      const big = { ...(issued.credential as object), description: 'x'.repeat(20_000) };
      await rejectsWithCode(verifyCredential(big, options), 'ERR_INPUT_TOO_LARGE');
      let nested: Record<string, unknown> = {};
      const root = nested;
      for (let i = 0; i < 100; i += 1) {
        nested.next = {};
        nested = nested.next as Record<string, unknown>;
      }
      await rejectsWithCode(
        verifyCredential({ ...(issued.credential as object), evidence: root }, options),
        'ERR_INPUT_MALFORMED',
      );
      expect(web.requests).to.deep.equal([]);
    });

    it('fails closed when a credential has a status but no status checker is configured', async () => {
      const credentialStatus = [
        {
          id: 'https://authority.example/status/revocation#5',
          type: 'BitstringStatusListEntry' as const,
          statusPurpose: 'revocation' as const,
          statusListIndex: '5',
          statusListCredential: 'https://authority.example/status/revocation',
        },
      ];
      const issued = await issueCredential({
        claims: membershipClaims(holder.did),
        signer: issuer.signer,
        credentialStatus,
        clock: clock.now,
      });
      await rejectsWithCode(verifyCredential(secured(issued), options), 'ERR_CREDENTIAL_STATUS_UNAVAILABLE');
    });
  });

  it('rejects a credential signed by a signer of another DID at issuance', async () => {
    const credential = buildCredential({
      claims: membershipClaims(holder.did),
      issuer: issuer.did,
      clock: clock.now,
    });
    await rejectsWithCode(
      issueCredentialJwt(credential, createDidSigner(holder.did, holder.keys)),
      'ERR_ISSUANCE_INVALID_INPUT',
    );
  });
});
