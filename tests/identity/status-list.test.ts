import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import {
  StatusBitstring,
  StatusListAuthority,
  createStatusListChecker,
  issueCredential,
  verifyCredential,
  type CredentialVerificationOptions,
  type StatusAllocation,
} from '../../connector/identity/index.js';
import {
  FakeWeb,
  OPEN_POLICY,
  PublishedStatusLists,
  TestClock,
  createParty,
  membershipClaims,
  rejectsWithCode,
  removeTempDirs,
  resolverFor,
  statusCheckerFor,
  tamperJwtPayload,
  throwsWithCode,
  type Party,
} from './helpers.js';

describe('identity/status-list', () => {
  let web: FakeWeb;
  let clock: TestClock;
  let issuer: Party;
  let holder: Party;
  let lists: PublishedStatusLists;

  beforeEach(async () => {
    web = new FakeWeb();
    clock = new TestClock();
    issuer = await createParty(web, 'authority.example', clock);
    holder = await createParty(web, 'hospital.example', clock);
    lists = new PublishedStatusLists(web, issuer, clock);
  });
  after(removeTempDirs);

  /** A fresh verifier each time, so no status list is cached between steps. */
  function freshOptions(): CredentialVerificationOptions {
    const resolver = resolverFor(web, clock);
    return {
      resolver,
      trustList: [{ did: issuer.did }],
      statusChecker: statusCheckerFor(web, clock, resolver),
      clock: clock.now,
    };
  }

  async function issueWithStatus(format: 'jwt' | 'data-integrity' = 'jwt'): Promise<{
    allocation: StatusAllocation;
    credential: string | Record<string, unknown>;
  }> {
    const allocation = lists.authority.allocate();
    const issued = await issueCredential({
      claims: membershipClaims(holder.did),
      signer: issuer.signer,
      credentialStatus: allocation.credentialStatus,
      format,
      clock: clock.now,
    });
    return { allocation, credential: issued.format === 'jwt' ? issued.jwt : issued.credential };
  }

  it('allocates random distinct indexes with revocation and suspension entries', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50; i += 1) seen.add(lists.authority.allocate().index);
    expect(seen.size).to.equal(50);
    const sorted = [...seen].sort((a, b) => a - b);
    expect(sorted).not.to.deep.equal(sorted.map((_, i) => i));
    const { index, credentialStatus } = lists.authority.allocate();
    expect(credentialStatus).to.deep.equal([
      {
        id: `https://authority.example/status/revocation#${index}`,
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: String(index),
        statusListCredential: 'https://authority.example/status/revocation',
      },
      {
        id: `https://authority.example/status/suspension#${index}`,
        type: 'BitstringStatusListEntry',
        statusPurpose: 'suspension',
        statusListIndex: String(index),
        statusListCredential: 'https://authority.example/status/suspension',
      },
    ]);
  });

  it('revokes: the credential is refused once the re-issued list is published', async () => {
    const { allocation, credential } = await issueWithStatus();
    await lists.publish();
    await verifyCredential(credential, freshOptions());
    lists.authority.revoke(allocation.index);
    await lists.publish();
    const error = await rejectsWithCode(
      verifyCredential(credential, freshOptions()),
      'ERR_CREDENTIAL_REVOKED',
    );
    expect(error.message).to.contain('revoked');
    throwsWithCode(() => lists.authority.reinstate(allocation.index), 'ERR_STATUS_REVOCATION_PERMANENT');
  });

  it('suspends and reinstates', async () => {
    const { allocation, credential } = await issueWithStatus('data-integrity');
    lists.authority.suspend(allocation.index);
    await lists.publish();
    await rejectsWithCode(verifyCredential(credential, freshOptions()), 'ERR_CREDENTIAL_SUSPENDED');
    lists.authority.reinstate(allocation.index);
    await lists.publish();
    await verifyCredential(credential, freshOptions());
    expect(lists.authority.statusOf(allocation.index)).to.deep.equal({ revoked: false, suspended: false });
  });

  it('reads lists secured with Data Integrity too', async () => {
    const { allocation, credential } = await issueWithStatus();
    lists.authority.revoke(allocation.index);
    await lists.publish('data-integrity');
    await rejectsWithCode(verifyCredential(credential, freshOptions()), 'ERR_CREDENTIAL_REVOKED');
  });

  it('caches a list for a bounded time only', async () => {
    const { allocation, credential } = await issueWithStatus();
    await lists.publish();
    const resolver = resolverFor(web, clock);
    const options = {
      resolver,
      trustList: [{ did: issuer.did }],
      statusChecker: createStatusListChecker({
        fetch: web.fetch,
        hostPolicy: OPEN_POLICY,
        resolver,
        clock: clock.now,
        cacheTtlMs: 60_000,
      }),
      clock: clock.now,
    };
    await verifyCredential(credential, options);
    const fetches = web.requests.length;
    lists.authority.revoke(allocation.index);
    await lists.publish();
    await verifyCredential(credential, options); // still the cached list
    expect(web.requests.length).to.equal(fetches);
    clock.advance(61_000);
    await rejectsWithCode(verifyCredential(credential, options), 'ERR_CREDENTIAL_REVOKED');
  });

  it('rejects a list signed by someone other than the credential issuer', async () => {
    const { credential } = await issueWithStatus();
    const impostor = new PublishedStatusLists(web, holder, clock);
    const list = await impostor.authority.issueListCredential('revocation', holder.signer, {
      clock: clock.now,
    });
    web.serve(lists.authority.listUrl('revocation'), list);
    await rejectsWithCode(verifyCredential(credential, freshOptions()), 'ERR_STATUS_LIST_ISSUER_MISMATCH');
  });

  it('rejects a tampered list', async () => {
    const { allocation, credential } = await issueWithStatus();
    lists.authority.revoke(allocation.index);
    await lists.publish();
    const url = lists.authority.listUrl('revocation');
    const clean = StatusBitstring.create(131_072).encode();
    const tampered = tamperJwtPayload(web.documents.get(url)?.body ?? '', (payload) => {
      (payload.credentialSubject as Record<string, unknown>).encodedList = clean;
    });
    web.serve(url, tampered, 'application/vc+jwt');
    await rejectsWithCode(verifyCredential(credential, freshOptions()), 'ERR_STATUS_LIST_INVALID');
  });

  it('rejects an expired list and fails closed when the list is unavailable', async () => {
    const { credential } = await issueWithStatus();
    await lists.publish();
    clock.advance(2 * 86_400_000);
    await rejectsWithCode(verifyCredential(credential, freshOptions()), 'ERR_STATUS_LIST_INVALID');
    web.documents.delete(lists.authority.listUrl('revocation'));
    await rejectsWithCode(verifyCredential(credential, freshOptions()), 'ERR_CREDENTIAL_STATUS_UNAVAILABLE');
  });

  it('refuses list URLs outside the host policy without fetching them', async () => {
    const { credential } = await issueWithStatus();
    await lists.publish();
    const resolver = resolverFor(web, clock);
    const checker = createStatusListChecker({
      fetch: web.fetch,
      hostPolicy: { allow: ['other.example'] },
      resolver,
      clock: clock.now,
    });
    web.requests.length = 0;
    await rejectsWithCode(
      verifyCredential(credential, {
        resolver,
        trustList: [{ did: issuer.did }],
        statusChecker: checker,
        clock: clock.now,
      }),
      'ERR_CREDENTIAL_STATUS_UNAVAILABLE',
    );
    expect(web.requests.filter((url) => url.includes('/status/'))).to.deep.equal([]);
  });

  it('keeps its state across a save and reload', async () => {
    const a = lists.authority.allocate();
    const b = lists.authority.allocate();
    lists.authority.revoke(a.index);
    lists.authority.suspend(b.index);
    const restored = StatusListAuthority.fromState(JSON.parse(JSON.stringify(lists.authority.toState())));
    expect(restored.statusOf(a.index)).to.deep.equal({ revoked: true, suspended: false });
    expect(restored.statusOf(b.index)).to.deep.equal({ revoked: false, suspended: true });
    const unallocated = [0, 1, 2].find((index) => index !== a.index && index !== b.index) ?? 0;
    throwsWithCode(() => restored.revoke(unallocated), 'ERR_STATUS_INDEX_INVALID');
    throwsWithCode(() => StatusListAuthority.fromState({ version: 2 }), 'ERR_STATUS_LIST_INVALID');
  });

  it('encodes lists the way the Bitstring Status List spec (and @digitalbazaar) reads them', async () => {
    const bits = StatusBitstring.create(131_072);
    for (const index of [0, 7, 8, 1000, 131_071]) bits.set(index, true);
    const list = await decodeList({ encodedList: bits.encode() });
    for (const index of [0, 7, 8, 1000, 131_071]) expect(list.getStatus(index)).to.equal(true);
    for (const index of [1, 6, 9, 999, 131_070]) expect(list.getStatus(index)).to.equal(false);
    expect(bits.encode().startsWith('u')).to.equal(true);
  });

  it('refuses lists that decompress beyond the size limit', () => {
    const bomb = `u${gzipSync(new Uint8Array(4 * 1024 * 1024)).toString('base64url')}`;
    throwsWithCode(() => StatusBitstring.decode(bomb), 'ERR_STATUS_LIST_INVALID');
    throwsWithCode(() => StatusBitstring.decode('zNotBase64url'), 'ERR_STATUS_LIST_INVALID');
    throwsWithCode(() => StatusBitstring.decode('uAAAA'), 'ERR_STATUS_LIST_INVALID');
  });

  it('refuses lists below the herd-privacy minimum and reports a full list', () => {
    throwsWithCode(
      () =>
        StatusListAuthority.create({
          issuer: issuer.did,
          revocationListUrl: 'https://a.example/r',
          suspensionListUrl: 'https://a.example/s',
          length: 1024,
        }),
      'ERR_STATUS_LIST_INVALID',
    );
    const authority = lists.authority;
    for (let i = 0; i < authority.length; i += 1) authority.allocate();
    throwsWithCode(() => authority.allocate(), 'ERR_STATUS_LIST_FULL');
  });

  it('refuses to sign a list with another DID', async () => {
    await rejectsWithCode(
      lists.authority.issueListCredential('revocation', holder.signer),
      'ERR_STATUS_LIST_ISSUER_MISMATCH',
    );
  });
});
