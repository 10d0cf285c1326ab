import { expect } from 'chai';
import {
  ClaimsCache,
  InMemoryReplayCache,
  createIdToken,
  createPresentationJwt,
  createRequestToken,
  createRequestVerifier,
  issueCredential,
  openKeyStore,
  type DidResolver,
  type RequestVerifierOptions,
} from '../../connector/identity/index.js';
import { signJwt } from '../../connector/identity/util/jwt.js';
import {
  FakeWeb,
  PublishedStatusLists,
  T0,
  TestClock,
  clearanceClaims,
  createParty,
  membershipClaims,
  rejectsWithCode,
  removeTempDirs,
  resolverFor,
  sectorClaims,
  statusCheckerFor,
  tamperJwtPayload,
  tempDir,
  type Party,
} from './helpers.js';

describe('identity/tokens (DCP-style request identity)', () => {
  let web: FakeWeb;
  let clock: TestClock;
  let authority: Party;
  let alice: Party;
  let bob: Party;
  let lists: PublishedStatusLists;
  let credentials: string[];
  let resolved: string[];
  let options: RequestVerifierOptions;

  /** A resolver that records which DIDs it is asked for, to see what verification did. */
  function countingResolver(inner: DidResolver): DidResolver {
    return {
      resolve: (did) => {
        resolved.push(did);
        return inner.resolve(did);
      },
      refresh: (did) => inner.refresh(did),
      evict: (did) => inner.evict(did),
    };
  }

  async function issueAll(holder: Party, format: 'jwt' | 'data-integrity' = 'jwt') {
    const out: Array<string | Record<string, unknown>> = [];
    for (const claims of [
      membershipClaims(holder.did),
      sectorClaims(holder.did),
      clearanceClaims(holder.did),
    ]) {
      const issued = await issueCredential({
        claims,
        signer: authority.signer,
        format,
        credentialStatus: lists.authority.allocate().credentialStatus,
        clock: clock.now,
      });
      out.push(issued.format === 'jwt' ? issued.jwt : issued.credential);
    }
    return out;
  }

  function tokenFor(extra: Partial<Parameters<typeof createRequestToken>[0]> = {}) {
    return createRequestToken({
      signer: alice.signer,
      audience: bob.did,
      credentials,
      clock: clock.now,
      ...extra,
    });
  }

  beforeEach(async () => {
    web = new FakeWeb();
    clock = new TestClock();
    authority = await createParty(web, 'authority.example', clock);
    alice = await createParty(web, 'alice.example', clock);
    bob = await createParty(web, 'bob.example', clock);
    lists = new PublishedStatusLists(web, authority, clock);
    credentials = (await issueAll(alice)) as string[];
    await lists.publish();
    resolved = [];
    const resolver = countingResolver(resolverFor(web, clock));
    options = {
      ourDid: bob.did,
      resolver,
      trustList: [{ did: authority.did }],
      statusChecker: statusCheckerFor(web, clock, resolver),
      clock: clock.now,
      dataSpace: 'did:web:medical-dataspace.example',
    };
  });
  after(removeTempDirs);

  describe('happy paths', () => {
    it('verifies a token carrying JWT credentials and maps the claims', async () => {
      const verifier = createRequestVerifier(options);
      const result = await verifier.verifyAuthorization(`Bearer ${await tokenFor()}`);
      expect(result.fromCache).to.equal(false);
      expect(result.caller).to.equal(alice.did);
      expect(result.claims).to.deep.equal({
        participantId: alice.did,
        credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'],
        dataSpace: 'did:web:medical-dataspace.example',
        memberRole: 'participant',
        organisationName: 'Beijing Research Hospital',
        registrationNumber: '91440300708461136T',
        sectors: ['medical'],
        sectorRoles: ['hospital', 'research-institute'],
        dataGradeClearance: 'important',
      });
      expect(Object.isFrozen(result.claims)).to.equal(true);
    });

    it('verifies a token carrying Data Integrity credentials', async () => {
      const di = await issueAll(alice, 'data-integrity');
      await lists.publish();
      const verifier = createRequestVerifier(options);
      const result = await verifier.verify(await tokenFor({ credentials: di }));
      expect(result.claims.credentialTypes).to.have.length(3);
    });

    it('accepts the token of a caller that rotated its key (after the DID cache may refresh)', async () => {
      const verifier = createRequestVerifier(options);
      await verifier.verify(await tokenFor());
      await alice.keys.rotate();
      alice.publish();
      clock.advance(31_000);
      const result = await verifier.verify(await tokenFor());
      expect(result.caller).to.equal(alice.did);
    });
  });

  describe('cached verification', () => {
    it('skips credential verification for repeated requests but still checks every token', async () => {
      const verifier = createRequestVerifier(options);
      await verifier.verify(await tokenFor());
      expect(resolved).to.include(authority.did);

      resolved.length = 0;
      const second = await tokenFor();
      const cached = await verifier.verify(second);
      expect(cached.fromCache).to.equal(true);
      expect(cached.claims.participantId).to.equal(alice.did);
      expect(resolved).to.deep.equal([alice.did, alice.did]); // ID token and presentation only
      await rejectsWithCode(verifier.verify(second), 'ERR_TOKEN_REPLAYED');

      // Other credentials: full verification again.
      const fewer = await verifier.verify(await tokenFor({ credentials: credentials.slice(0, 2) }));
      expect(fewer.fromCache).to.equal(false);
    });

    it('never keeps claims beyond the earliest credential expiry', async () => {
      const shortLived = await issueCredential({
        claims: membershipClaims(alice.did),
        signer: authority.signer,
        validUntil: new Date(T0.getTime() + 120_000),
        clock: clock.now,
      });
      const creds = [shortLived.format === 'jwt' ? shortLived.jwt : '', ...credentials.slice(1)];
      const verifier = createRequestVerifier({
        ...options,
        claimsCache: new ClaimsCache({ clock: clock.now }),
      });
      await verifier.verify(await tokenFor({ credentials: creds }));
      clock.advance(60_000);
      expect((await verifier.verify(await tokenFor({ credentials: creds }))).fromCache).to.equal(true);
      clock.advance(100_000);
      await rejectsWithCode(
        verifier.verify(await tokenFor({ credentials: creds })),
        'ERR_CREDENTIAL_EXPIRED',
      );
    });

    it('picks up a revocation once the cached claims expire', async () => {
      const verifier = createRequestVerifier({
        ...options,
        claimsCache: new ClaimsCache({ clock: clock.now, maxTtlMs: 60_000 }),
      });
      await verifier.verify(await tokenFor());
      const index = Number(
        (
          JSON.parse(Buffer.from(credentials[0]?.split('.')[1] ?? '', 'base64url').toString()) as {
            credentialStatus: Array<{ statusListIndex: string }>;
          }
        ).credentialStatus[0]?.statusListIndex,
      );
      lists.authority.revoke(index);
      await lists.publish();
      clock.advance(5 * 60_000 + 1000); // beyond both the claims cache and the status list cache
      await rejectsWithCode(verifier.verify(await tokenFor()), 'ERR_CREDENTIAL_REVOKED');
    });
  });

  describe('ID token checks', () => {
    it('rejects a token for another audience without resolving anything', async () => {
      const carol = await createParty(web, 'carol.example', clock);
      const verifier = createRequestVerifier(options);
      await rejectsWithCode(
        verifier.verify(await tokenFor({ audience: carol.did })),
        'ERR_TOKEN_AUDIENCE_MISMATCH',
      );
      expect(resolved).to.deep.equal([]);
    });

    it('rejects a replayed token', async () => {
      const verifier = createRequestVerifier({ ...options, claimsCache: false });
      const token = await tokenFor();
      await verifier.verify(token);
      const error = await rejectsWithCode(verifier.verify(token), 'ERR_TOKEN_REPLAYED');
      expect(error.message).to.contain('new token');
    });

    it('rejects an expired token (beyond the clock skew)', async () => {
      const verifier = createRequestVerifier({ ...options, claimsCache: false });
      const token = await tokenFor({ lifetimeSeconds: 120 });
      const withinSkew = await tokenFor({ lifetimeSeconds: 120 });
      clock.advance(120_000 + 20_000);
      await verifier.verify(withinSkew);
      clock.advance(11_000);
      const error = await rejectsWithCode(verifier.verify(token), 'ERR_TOKEN_EXPIRED');
      expect(error.message).to.contain('fresh token');
    });

    it('rejects a token issued in the future', async () => {
      const verifier = createRequestVerifier(options);
      const future = await tokenFor({ clock: () => new Date(clock.now().getTime() + 120_000) });
      await rejectsWithCode(verifier.verify(future), 'ERR_TOKEN_NOT_YET_VALID');
    });

    it('rejects a token valid for longer than allowed', async () => {
      const verifier = createRequestVerifier(options);
      await rejectsWithCode(
        verifier.verify(await tokenFor({ lifetimeSeconds: 3600 })),
        'ERR_TOKEN_LIFETIME_TOO_LONG',
      );
    });

    it('rejects iss != sub and missing jti', async () => {
      const verifier = createRequestVerifier(options);
      const now = Math.floor(clock.now().getTime() / 1000);
      const base = { iss: alice.did, sub: alice.did, aud: bob.did, jti: 'j1', iat: now, exp: now + 60 };
      await rejectsWithCode(
        verifier.verify(await alice.signer.signJwt({ typ: 'JWT' }, { ...base, sub: bob.did })),
        'ERR_TOKEN_CLAIMS_INVALID',
      );
      const { jti: _jti, ...withoutJti } = base;
      await rejectsWithCode(
        verifier.verify(await alice.signer.signJwt({}, withoutJti)),
        'ERR_TOKEN_CLAIMS_INVALID',
      );
    });

    it('rejects a tampered token and a token signed by a key that is not the caller’s', async () => {
      const verifier = createRequestVerifier(options);
      const tampered = tamperJwtPayload(await tokenFor(), (payload) => {
        payload.exp = (payload.exp as number) + 60;
      });
      await rejectsWithCode(verifier.verify(tampered), 'ERR_TOKEN_SIGNATURE_INVALID');

      const attacker = await openKeyStore(await tempDir());
      const now = Math.floor(clock.now().getTime() / 1000);
      const forged = await signJwt(
        { typ: 'JWT', kid: alice.signer.keyId },
        { iss: alice.did, sub: alice.did, aud: bob.did, jti: 'forged', iat: now, exp: now + 60 },
        attacker.activeKey.signingKey(),
        'EdDSA',
      );
      await rejectsWithCode(verifier.verify(forged), 'ERR_TOKEN_SIGNATURE_INVALID');
    });

    it('refuses credentials or presentations passed off as ID tokens', async () => {
      const verifier = createRequestVerifier(options);
      await rejectsWithCode(verifier.verify(credentials[0]), 'ERR_INPUT_MALFORMED');
    });

    it('refuses new tokens when the replay cache is full instead of forgetting live ones', async () => {
      const verifier = createRequestVerifier({
        ...options,
        replayCache: new InMemoryReplayCache({ maxEntries: 1, clock: clock.now }),
      });
      await verifier.verify(await tokenFor());
      await rejectsWithCode(verifier.verify(await tokenFor()), 'ERR_REPLAY_CACHE_FULL');
      clock.advance(6 * 60_000);
      await verifier.verify(await tokenFor());
    });
  });

  describe('presentation checks', () => {
    async function tokenWithPresentation(vp: { audience?: string; nonce?: string; holder?: Party }) {
      const jti = 'request-1';
      const vpJwt = await createPresentationJwt({
        holder: (vp.holder ?? alice).signer,
        credentials,
        audience: vp.audience ?? bob.did,
        nonce: vp.nonce ?? jti,
        clock: clock.now,
      });
      const { token } = await createIdToken({
        signer: alice.signer,
        audience: bob.did,
        jti,
        claims: { vp_token: vpJwt },
        clock: clock.now,
      });
      return token;
    }

    it('rejects a presentation made for another audience', async () => {
      const verifier = createRequestVerifier(options);
      const token = await tokenWithPresentation({ audience: 'did:web:carol.example' });
      await rejectsWithCode(verifier.verify(token), 'ERR_PRESENTATION_AUDIENCE_MISMATCH');
    });

    it('rejects a presentation with the wrong nonce (taken from another request)', async () => {
      const verifier = createRequestVerifier(options);
      await rejectsWithCode(
        verifier.verify(await tokenWithPresentation({ nonce: 'other' })),
        'ERR_PRESENTATION_NONCE_MISMATCH',
      );
    });

    it('rejects a presentation by another holder', async () => {
      const mallory = await createParty(web, 'mallory.example', clock);
      const verifier = createRequestVerifier(options);
      await rejectsWithCode(
        verifier.verify(await tokenWithPresentation({ holder: mallory })),
        'ERR_PRESENTATION_HOLDER_MISMATCH',
      );
    });

    it('rejects a presentation signed by a key that is not the holder’s', async () => {
      const attacker = await openKeyStore(await tempDir());
      const now = Math.floor(clock.now().getTime() / 1000);
      const vp = await signJwt(
        { typ: 'vp+jwt', kid: alice.signer.keyId },
        {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiablePresentation'],
          holder: alice.did,
          verifiableCredential: [],
          aud: bob.did,
          nonce: 'request-2',
          iat: now,
          exp: now + 60,
        },
        attacker.activeKey.signingKey(),
        'EdDSA',
      );
      const { token } = await createIdToken({
        signer: alice.signer,
        audience: bob.did,
        jti: 'request-2',
        claims: { vp_token: vp },
        clock: clock.now,
      });
      await rejectsWithCode(
        createRequestVerifier(options).verify(token),
        'ERR_PRESENTATION_SIGNATURE_INVALID',
      );
    });

    it("rejects someone else's credential presented by the caller", async () => {
      const bobsMembership = await issueCredential({
        claims: membershipClaims(bob.did),
        signer: authority.signer,
        clock: clock.now,
      });
      const token = await tokenFor({
        credentials: [bobsMembership.format === 'jwt' ? bobsMembership.jwt : ''],
      });
      await rejectsWithCode(
        createRequestVerifier(options).verify(token),
        'ERR_PRESENTATION_SUBJECT_MISMATCH',
      );
    });

    it('requires a membership of our data space', async () => {
      const verifier = createRequestVerifier(options);
      await rejectsWithCode(
        verifier.verify(await tokenFor({ credentials: credentials.slice(1) })),
        'ERR_PRESENTATION_CREDENTIAL_MISSING',
      );
      const elsewhere = await issueCredential({
        claims: {
          ...membershipClaims(alice.did),
          subject: { ...membershipClaims(alice.did).subject, dataSpace: 'did:web:energy.example' },
        },
        signer: authority.signer,
        clock: clock.now,
      });
      await rejectsWithCode(
        verifier.verify(await tokenFor({ credentials: [elsewhere.format === 'jwt' ? elsewhere.jwt : ''] })),
        'ERR_CREDENTIAL_WRONG_DATA_SPACE',
      );
    });

    it('rejects a token whose credentials include a tampered one', async () => {
      const tampered = tamperJwtPayload(credentials[2] ?? '', (payload) => {
        (payload.credentialSubject as Record<string, unknown>).dataGradeClearance = 'core';
      });
      const token = await tokenFor({ credentials: [credentials[0] ?? '', credentials[1] ?? '', tampered] });
      await rejectsWithCode(createRequestVerifier(options).verify(token), 'ERR_CREDENTIAL_SIGNATURE_INVALID');
    });
  });

  describe('malformed and oversized tokens', () => {
    it('rejects malformed tokens and Authorization headers', async () => {
      const verifier = createRequestVerifier(options);
      for (const bad of ['', 'garbage', 'a.b.c', 'e30.W10.c2ln', 42, undefined]) {
        await rejectsWithCode(verifier.verify(bad), 'ERR_INPUT_MALFORMED');
      }
      await rejectsWithCode(verifier.verify('e30.e30.c2ln'), 'ERR_TOKEN_CLAIMS_INVALID');
      for (const header of [undefined, '', 'Basic abc', 'Bearer', 'Bearer two words']) {
        await rejectsWithCode(verifier.verifyAuthorization(header), 'ERR_INPUT_MALFORMED');
      }
      const { token } = await createIdToken({ signer: alice.signer, audience: bob.did, clock: clock.now });
      await rejectsWithCode(verifier.verify(token), 'ERR_INPUT_MALFORMED'); // no vp_token
    });

    it('rejects oversized tokens and presentations with too many credentials', async () => {
      const verifier = createRequestVerifier(options);
      await rejectsWithCode(verifier.verify(`${'a'.repeat(17_000)}.e30.c2ln`), 'ERR_INPUT_TOO_LARGE');
      const many = Array.from({ length: 9 }, () => credentials[0] ?? '');
      await rejectsWithCode(
        createRequestVerifier({ ...options, maxTokenBytes: 64 * 1024 }).verify(
          await tokenFor({ credentials: many }),
        ),
        'ERR_INPUT_TOO_LARGE',
      );
      expect(resolved.filter((did) => did === authority.did)).to.deep.equal([]);
    });
  });
});
