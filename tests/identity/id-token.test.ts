// The self-issued ID token checks every DCP request goes through (tokens/id-token.ts, base protocol
// "Validating Self-Issued ID Tokens"), and the access token check of our Credential Service
// (dcp/sts.ts), one rule at a time. DID documents come from an in-memory web; the HTTP paths are
// covered end to end in dcp.test.ts.
import { expect } from 'chai';
import {
  createIdToken,
  createSecureTokenService,
  InMemoryReplayCache,
  openKeyStore,
  verifyAccessToken,
  verifyIdToken,
  type IdTokenVerificationOptions,
} from '../../connector/identity/index.js';
import { signJwt } from '../../connector/identity/util/jwt.js';
import {
  FakeWeb,
  TestClock,
  createParty,
  rejectsWithCode,
  removeTempDirs,
  resolverFor,
  tamperJwtPayload,
  tempDir,
  type Party,
} from './helpers.js';

describe('identity/id-token: self-issued ID tokens and DCP access tokens', () => {
  let web: FakeWeb;
  let clock: TestClock;
  let alice: Party;
  let bob: Party;
  let options: IdTokenVerificationOptions;
  let resolved: string[];

  const tokenFor = (extra: { audience?: string; lifetimeSeconds?: number; clock?: () => Date } = {}) =>
    createIdToken({
      signer: alice.signer,
      audience: extra.audience ?? bob.did,
      clock: extra.clock ?? clock.now,
      ...(extra.lifetimeSeconds !== undefined ? { lifetimeSeconds: extra.lifetimeSeconds } : {}),
    }).then((t) => t.token);

  beforeEach(async () => {
    web = new FakeWeb();
    clock = new TestClock();
    alice = await createParty(web, 'alice.example', clock);
    bob = await createParty(web, 'bob.example', clock);
    resolved = [];
    const inner = resolverFor(web, clock);
    options = {
      resolver: { ...inner, resolve: (did) => (resolved.push(did), inner.resolve(did)) },
      audience: bob.did,
      replayCache: new InMemoryReplayCache({ clock: clock.now }),
      clock: clock.now,
    };
  });
  after(removeTempDirs);

  it('accepts a fresh token and names the caller and key', async () => {
    const verified = await verifyIdToken(await tokenFor(), options);
    expect(verified).to.include({ caller: alice.did, keyId: alice.signer.keyId });
  });

  it('rejects a token for another audience without resolving anything', async () => {
    await rejectsWithCode(
      verifyIdToken(await tokenFor({ audience: 'did:web:carol.example' }), options),
      'ERR_TOKEN_AUDIENCE_MISMATCH',
    );
    expect(resolved).to.deep.equal([]);
  });

  it('rejects a replayed token', async () => {
    const token = await tokenFor();
    await verifyIdToken(token, options);
    await rejectsWithCode(verifyIdToken(token, options), 'ERR_TOKEN_REPLAYED');
  });

  it('rejects an expired token beyond the clock skew, accepts one within it', async () => {
    const token = await tokenFor({ lifetimeSeconds: 120 });
    const withinSkew = await tokenFor({ lifetimeSeconds: 120 });
    clock.advance(120_000 + 20_000);
    await verifyIdToken(withinSkew, options);
    clock.advance(11_000);
    await rejectsWithCode(verifyIdToken(token, options), 'ERR_TOKEN_EXPIRED');
  });

  it('rejects a token issued in the future and one valid for too long', async () => {
    const future = await tokenFor({ clock: () => new Date(clock.now().getTime() + 120_000) });
    await rejectsWithCode(verifyIdToken(future, options), 'ERR_TOKEN_NOT_YET_VALID');
    await rejectsWithCode(
      verifyIdToken(await tokenFor({ lifetimeSeconds: 3600 }), options),
      'ERR_TOKEN_LIFETIME_TOO_LONG',
    );
  });

  it('rejects iss != sub and a missing jti', async () => {
    const now = Math.floor(clock.now().getTime() / 1000);
    const base = { iss: alice.did, sub: alice.did, aud: bob.did, jti: 'j1', iat: now, exp: now + 60 };
    await rejectsWithCode(
      verifyIdToken(await alice.signer.signJwt({ typ: 'JWT' }, { ...base, sub: bob.did }), options),
      'ERR_TOKEN_CLAIMS_INVALID',
    );
    const { jti: _jti, ...withoutJti } = base;
    await rejectsWithCode(
      verifyIdToken(await alice.signer.signJwt({}, withoutJti), options),
      'ERR_TOKEN_CLAIMS_INVALID',
    );
  });

  it('rejects a tampered token and one signed by a key that is not in the caller’s DID document', async () => {
    const tampered = tamperJwtPayload(await tokenFor(), (payload) => {
      payload.exp = (payload.exp as number) + 60;
    });
    await rejectsWithCode(verifyIdToken(tampered, options), 'ERR_TOKEN_SIGNATURE_INVALID');
    const attacker = await openKeyStore(await tempDir());
    const now = Math.floor(clock.now().getTime() / 1000);
    const forged = await signJwt(
      { typ: 'JWT', kid: alice.signer.keyId },
      { iss: alice.did, sub: alice.did, aud: bob.did, jti: 'forged', iat: now, exp: now + 60 },
      attacker.activeKey.signingKey(),
      'EdDSA',
    );
    await rejectsWithCode(verifyIdToken(forged, options), 'ERR_TOKEN_SIGNATURE_INVALID');
  });

  it('refuses an access token passed off as an ID token (token confusion)', async () => {
    const access = await createSecureTokenService({
      signer: () => alice.signer,
      clock: clock.now,
    }).accessTokenFor(bob.did);
    await rejectsWithCode(verifyIdToken(access, options), 'ERR_INPUT_MALFORMED');
  });

  it('refuses new tokens when the replay cache is full instead of forgetting live ones', async () => {
    const full = { ...options, replayCache: new InMemoryReplayCache({ maxEntries: 1, clock: clock.now }) };
    await verifyIdToken(await tokenFor(), full);
    await rejectsWithCode(verifyIdToken(await tokenFor(), full), 'ERR_REPLAY_CACHE_FULL');
    clock.advance(6 * 60_000);
    await verifyIdToken(await tokenFor(), full);
  });

  describe('access tokens (checked by our own Credential Service)', () => {
    const check = () => ({
      ownDid: alice.did,
      ownKeys: alice.keys.publishedKeys,
      bearer: bob.did,
      clock: clock.now,
    });
    const sts = () => createSecureTokenService({ signer: () => alice.signer, clock: clock.now });

    it('grants the scopes to the verifier named in it, and only to it', async () => {
      const token = await sts().accessTokenFor(bob.did, [
        'org.eclipse.dspace.dcp.vc.type:SectorCredential:read',
      ]);
      expect(await verifyAccessToken(token, check())).to.deep.equal([
        { alias: 'type', value: 'SectorCredential' },
      ]);
      await rejectsWithCode(
        verifyAccessToken(token, { ...check(), bearer: 'did:web:carol.example' }),
        'ERR_DCP_ACCESS_TOKEN_INVALID',
      );
    });

    it('refuses an expired one, an ID token, and one signed by someone else', async () => {
      const token = await sts().accessTokenFor(bob.did);
      clock.advance(10 * 60_000);
      await rejectsWithCode(verifyAccessToken(token, check()), 'ERR_DCP_ACCESS_TOKEN_INVALID');
      await rejectsWithCode(verifyAccessToken(await tokenFor(), check()), 'ERR_DCP_ACCESS_TOKEN_INVALID');
      const bobs = await createSecureTokenService({
        signer: () => bob.signer,
        clock: clock.now,
      }).accessTokenFor(bob.did);
      await rejectsWithCode(verifyAccessToken(bobs, check()), 'ERR_DCP_ACCESS_TOKEN_INVALID');
    });

    it('refuses to grant a scope Shuyu could not read back', async () => {
      await rejectsWithCode(sts().accessTokenFor(bob.did, ['com.example:anything']), 'ERR_DCP_SCOPE_INVALID');
    });
  });
});
