// DCP 1.0 (profile vc20-bssl/jwt), written from the spec: the self-issued ID token and its access token
// (base protocol), the Credential Service's query rules (verifiable presentation protocol), the schema
// validity of every message, the verifier's cache, and two connectors negotiating and transferring with
// DCP only, one of them holding 20 credentials. Real authority and connectors on 127.0.0.1.
import { expect } from 'chai';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { join } from 'node:path';
import {
  createDcpVerifier,
  createDidSigner,
  createIdToken,
  createSecureTokenService,
  Ed25519Key,
  dcpMessageProblems,
  DCP_CONTEXT_URL,
  issueCredential,
  openProcessIdentity,
  scopeForType,
  type FetchLike,
} from '../../connector/identity/index.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  hospitalApplication,
  request,
  startLocalDataSpace,
  whoami,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  MEMBERS_ACCESS,
  medicalContract,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitForState,
} from '../dsp/helpers.js';

const DATASET = 'urn:dataset:dcp-visits';
const MEMBERSHIP = scopeForType('MembershipCredential');
const SECTOR = scopeForType('SectorCredential');

function decode(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = jwt.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>,
  };
}

describe('identity/dcp: Decentralized Claims Protocol 1.0', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    consumer = await startMember(space, 'consumer', hospitalApplication());
    await publish(
      provider,
      [assetInput(DATASET, provider.did)],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
  });
  after(async () => space?.close());

  /** POSTs a PresentationQueryMessage to the consumer's Credential Service as the provider (the verifier). */
  async function query(body: unknown, authorization?: string | null, granted = [MEMBERSHIP, SECTOR]) {
    let header = authorization;
    if (header === undefined) {
      const accessToken = await consumer.sts.accessTokenFor(provider.did, granted);
      const { token } = await createIdToken({
        signer: provider.identity.signer(),
        audience: consumer.did,
        claims: { token: accessToken },
      });
      header = `Bearer ${token}`;
    }
    return request(`${consumer.identity.credentialServiceUrl}/presentations/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(header ? { authorization: header } : {}) },
      body: JSON.stringify(body),
    });
  }

  const scopeQuery = (scope: string[]) => ({
    '@context': [DCP_CONTEXT_URL],
    type: 'PresentationQueryMessage',
    scope,
  });

  /** Credential types inside the vp+jwt presentations of a PresentationResponseMessage. */
  function presentedTypes(body: Record<string, unknown>): string[] {
    return (body.presentation as string[]).flatMap((vp) =>
      (decode(vp).payload.verifiableCredential as { id: string }[]).map((entry) => {
        const jwt = entry.id.slice(entry.id.indexOf(',') + 1);
        return (decode(jwt).payload.type as string[]).filter((t) => t !== 'VerifiableCredential')[0] ?? '';
      }),
    );
  }

  describe('self-issued ID token and access token (base protocol)', () => {
    it('carries iss = sub = caller DID, aud = verifier DID, jti, iat, short exp and the token claim', async () => {
      const token = await consumer.requestTokenFor(provider.did);
      const { header, payload } = decode(token);
      expect(header).to.include({ alg: 'EdDSA', typ: 'JWT' });
      expect(payload).to.include({ iss: consumer.did, sub: consumer.did, aud: provider.did });
      expect(payload.jti).to.be.a('string').with.length.greaterThan(0);
      expect(Number(payload.exp) - Number(payload.iat)).to.be.within(1, 600);
      const access = decode(String(payload.token));
      expect(access.header.typ).to.equal('at+jwt');
      expect(access.payload).to.include({ iss: consumer.did, aud: consumer.did, sub: provider.did });
      expect(String(access.payload.scope).split(' ')).to.include.members([MEMBERSHIP, SECTOR]);
      expect(Number(access.payload.exp) - Number(access.payload.iat)).to.be.within(1, 600);
      // A presentation-free token stays far below Node's 16 KiB header limit.
      expect(token.length).to.be.below(2048);
    });

    it('reuses the access token per verifier for half its lifetime, inside a fresh ID token every time', async () => {
      let now = new Date('2026-06-01T00:00:00Z');
      let signer = consumer.identity.signer();
      const sts = createSecureTokenService({ signer: () => signer, clock: () => now, lifetimeSeconds: 300 });
      const sent = async (verifier: string): Promise<{ jti: unknown; access: string }> => {
        const { payload } = decode(await sts.tokenFor(verifier));
        return { jti: payload.jti, access: String(payload.token) };
      };
      const first = await sent(provider.did);
      const second = await sent(provider.did);
      expect(second.access).to.equal(first.access);
      expect(second.jti).to.not.equal(first.jti);
      expect((await sent(space.authority.did)).access).to.not.equal(first.access); // another verifier
      now = new Date(now.getTime() + 149_000);
      expect((await sent(provider.did)).access).to.equal(first.access);
      now = new Date(now.getTime() + 1_000); // half of 300 s: a new one
      const renewed = await sent(provider.did);
      expect(renewed.access).to.not.equal(first.access);
      expect(Number(decode(renewed.access).payload.iat)).to.equal(Math.floor(now.getTime() / 1000));
      // A key rotation: the next access token is signed with the new key.
      signer = createDidSigner(consumer.did, await Ed25519Key.generate(now));
      const rotated = await sent(provider.did);
      expect(decode(rotated.access).header.kid).to.equal(signer.keyId);
      expect(rotated.access).to.not.equal(renewed.access);
    });

    it('is signed with a key the DID document lists under capabilityInvocation, and advertises the CS', async () => {
      const token = await consumer.requestTokenFor(provider.did);
      const { header } = decode(token);
      const doc = (await request(`${consumer.url}/.well-known/did.json`)).body as {
        verificationMethod: { id: string; publicKeyJwk: Record<string, string> }[];
        capabilityInvocation: string[];
        service: { type: string; serviceEndpoint: string }[];
      };
      expect(doc.capabilityInvocation).to.include(header.kid);
      const method = doc.verificationMethod.find((m) => m.id === header.kid);
      const [h, p, s] = token.split('.') as [string, string, string];
      const key = createPublicKey({ key: method!.publicKeyJwk, format: 'jwk' });
      expect(verifySignature(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).to.equal(
        true,
      );
      expect(doc.service).to.deep.include({
        id: `${consumer.did}#credential-service`,
        type: 'CredentialService',
        serviceEndpoint: `${consumer.url}/dcp/v1`,
      } as never);
    });

    it('is refused by the verifier without a token claim, for another audience, or when replayed', async () => {
      const { token: bare } = await createIdToken({
        signer: consumer.identity.signer(),
        audience: provider.did,
      });
      const noClaim = await whoami(provider, bare);
      expect(noClaim.status).to.equal(401);
      expect(String(noClaim.body.type)).to.match(/dcp-token-claim-missing$/);
      const other = await whoami(provider, await consumer.requestTokenFor(space.authority.did));
      expect(String(other.body.type)).to.match(/token-audience-mismatch$/);
      const token = await consumer.requestTokenFor(provider.did);
      expect((await whoami(provider, token)).status).to.equal(200);
      expect((await whoami(provider, token)).status).to.equal(401);
    });
  });

  describe('Credential Service: POST /presentations/query', () => {
    it('answers a scope query with a valid PresentationResponseMessage holding one vp+jwt', async () => {
      const answer = await query(scopeQuery([MEMBERSHIP, SECTOR]));
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      expect(dcpMessageProblems('PresentationResponseMessage', answer.body)).to.deep.equal([]);
      expect(answer.body.presentation).to.have.length(1);
      const vp = String((answer.body.presentation as string[])[0]);
      expect(decode(vp).header.typ).to.equal('vp+jwt');
      expect(decode(vp).payload).to.include({ holder: consumer.did, aud: provider.did });
      expect(presentedTypes(answer.body).sort()).to.deep.equal(['MembershipCredential', 'SectorCredential']);
    });

    it('accepts the vc.type scope without an access mode and the vc.id alias', async () => {
      const [membership] = (await consumer.wallet.list()).filter((c) => c.type === 'MembershipCredential');
      const byId = `org.eclipse.dspace.dcp.vc.id:${membership!.id}`;
      const answer = await query(scopeQuery([byId]), undefined, [byId]);
      expect(presentedTypes(answer.body)).to.deep.equal(['MembershipCredential']);
      const plain = await query(scopeQuery(['org.eclipse.dspace.dcp.vc.type:SectorCredential']));
      expect(presentedTypes(plain.body)).to.deep.equal(['SectorCredential']);
    });

    it('leaves out scopes the client is not entitled to, with a 2xx', async () => {
      const answer = await query(scopeQuery([MEMBERSHIP, SECTOR]), undefined, [MEMBERSHIP]);
      expect(answer.status).to.equal(200);
      expect(presentedTypes(answer.body)).to.deep.equal(['MembershipCredential']);
      const none = await query(scopeQuery([SECTOR]), undefined, [MEMBERSHIP]);
      expect(none.status).to.equal(200);
      expect(none.body.presentation).to.deep.equal([]);
      expect(dcpMessageProblems('PresentationResponseMessage', none.body)).to.deep.equal([]);
    });

    it('answers presentationDefinition 501, both at once 400, an empty scope list 4xx', async () => {
      const definition = { id: 'pd-1', input_descriptors: [] };
      const pd = await query({
        '@context': [DCP_CONTEXT_URL],
        type: 'PresentationQueryMessage',
        presentationDefinition: definition,
      });
      expect(pd.status).to.equal(501);
      const both = await query({ ...scopeQuery([MEMBERSHIP]), presentationDefinition: definition });
      expect(both.status).to.equal(400);
      const empty = await query(scopeQuery([]));
      expect(empty.status).to.be.within(400, 499);
      const wrongType = await query({ ...scopeQuery([MEMBERSHIP]), type: 'Nonsense' });
      expect(wrongType.status).to.equal(400);
      const unknownAlias = await query(scopeQuery(['com.example:whatever']));
      expect(unknownAlias.status).to.equal(400);
    });

    it('answers 401 without a token, with a bad one, or with an access token not granted to the bearer', async () => {
      expect((await query(scopeQuery([MEMBERSHIP]), null)).status).to.equal(401);
      expect((await query(scopeQuery([MEMBERSHIP]), 'Bearer not.a.jwt')).status).to.equal(401);
      // The verifier's ID token without the access token.
      const { token: bare } = await createIdToken({
        signer: provider.identity.signer(),
        audience: consumer.did,
      });
      expect((await query(scopeQuery([MEMBERSHIP]), `Bearer ${bare}`)).status).to.equal(401);
      // An access token granted to the authority, presented by the provider.
      const forOther = await consumer.sts.accessTokenFor(space.authority.did);
      const { token: stolen } = await createIdToken({
        signer: provider.identity.signer(),
        audience: consumer.did,
        claims: { token: forOther },
      });
      expect((await query(scopeQuery([MEMBERSHIP]), `Bearer ${stolen}`)).status).to.equal(401);
      // An access token the provider minted itself in the consumer's name.
      const forged = await createSecureTokenService({
        signer: () => provider.identity.signer(),
      }).accessTokenFor(provider.did);
      const { token: minted } = await createIdToken({
        signer: provider.identity.signer(),
        audience: consumer.did,
        claims: { token: forged },
      });
      expect((await query(scopeQuery([MEMBERSHIP]), `Bearer ${minted}`)).status).to.equal(401);
    });

    it('refuses schema-invalid messages (the validator is not vacuous)', () => {
      expect(
        dcpMessageProblems('PresentationQueryMessage', { type: 'PresentationQueryMessage' }),
      ).to.have.length.above(0);
      expect(dcpMessageProblems('PresentationQueryMessage', scopeQuery([MEMBERSHIP]))).to.deep.equal([]);
      expect(
        dcpMessageProblems('PresentationResponseMessage', {
          '@context': ['x'],
          type: 'PresentationResponseMessage',
        }),
      ).to.have.length.above(0);
    });
  });

  describe('verifier', () => {
    it('sends a schema-valid query, verifies the answer, and answers repeat callers from the cache', async () => {
      const sent: unknown[] = [];
      const received: unknown[] = [];
      const recording: FetchLike = async (url, init) => {
        if (init.body !== undefined) sent.push(JSON.parse(init.body));
        const response = await fetch(url, init);
        const text = await response.text();
        if (init.method === 'POST') received.push(JSON.parse(text));
        return new Response(text, { status: response.status, headers: response.headers });
      };
      const verifier = createDcpVerifier({
        ourDid: provider.did,
        signer: () => provider.identity.signer(),
        resolver: provider.verifiers.resolver,
        statusChecker: provider.verifiers.statusChecker,
        trustList: [{ did: space.authority.did }],
        dataSpace: space.authority.did,
        hostPolicy: provider.hostPolicy,
        fetch: recording,
      });
      const first = await verifier.verify(await consumer.requestTokenFor(provider.did));
      expect(first.fromCache).to.equal(false);
      expect(first.claims).to.include({ participantId: consumer.did, memberRole: 'participant' });
      expect(first.claims.sectors).to.deep.equal(['medical']);
      expect(sent).to.have.length(1);
      expect(dcpMessageProblems('PresentationQueryMessage', sent[0])).to.deep.equal([]);
      expect(dcpMessageProblems('PresentationResponseMessage', received[0])).to.deep.equal([]);
      const second = await verifier.verify(await consumer.requestTokenFor(provider.did));
      expect(second.fromCache).to.equal(true);
      expect(second.claims).to.deep.equal(first.claims);
      expect(sent).to.have.length(1); // a cache hit makes no Credential Service call
    });
  });

  describe('credential issuance (the authority as Issuer Service)', () => {
    const issuerBase = () => `${space.authority.url}/dcp/issuer`;
    async function requestAs(who: ControlPlaneConnector, body: unknown) {
      const { token } = await createIdToken({ signer: who.identity.signer(), audience: space.authority.did });
      return request(`${issuerBase()}/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    }
    const requestMessage = (ids: string[]) => ({
      '@context': [DCP_CONTEXT_URL],
      type: 'CredentialRequestMessage',
      holderPid: 'holder-request-1',
      credentials: ids.map((id) => ({ id })),
    });

    it('advertises an IssuerService with schema-valid metadata', async () => {
      const doc = (await request(`${space.authority.url}/.well-known/did.json`)).body as {
        service: { type: string; serviceEndpoint: string }[];
      };
      expect(doc.service.map((s) => s.type)).to.include('IssuerService');
      const metadata = await request(`${issuerBase()}/metadata`);
      expect(dcpMessageProblems('IssuerMetadata', metadata.body)).to.deep.equal([]);
      expect(
        (metadata.body.credentialsSupported as { credentialType: string }[]).map((c) => c.credentialType),
      ).to.have.members(['MembershipCredential', 'SectorCredential', 'DataGradeClearance']);
    });

    it('delivers requested credentials to the holder’s Credential Service, then answers 201 with the status', async () => {
      await consumer.db.run('DELETE FROM wallet_credentials WHERE issuer = ?', [space.authority.did]);
      const answer = await requestAs(
        consumer,
        requestMessage(['urn:shuyu:credential-object:MembershipCredential']),
      );
      expect(answer.status, JSON.stringify(answer.body)).to.equal(201);
      const held = (await consumer.wallet.list()).filter((c) => c.issuer === space.authority.did);
      expect(held.map((c) => c.type)).to.deep.equal(['MembershipCredential']);
      const location = String(answer.headers.get('location'));
      const { token } = await createIdToken({
        signer: consumer.identity.signer(),
        audience: space.authority.did,
      });
      const status = await request(new URL(location, space.authority.url).href, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(status.body).to.include({
        type: 'CredentialStatus',
        status: 'ISSUED',
        holderPid: 'holder-request-1',
      });
      expect(dcpMessageProblems('CredentialStatus', status.body)).to.deep.equal([]);
      const { token: other } = await createIdToken({
        signer: provider.identity.signer(),
        audience: space.authority.did,
      });
      const foreign = await request(new URL(location, space.authority.url).href, {
        headers: { authorization: `Bearer ${other}` },
      });
      expect(foreign.status).to.equal(404);
      // The connector's own collection goes the same way and restores all three.
      expect(await consumer.collectCredentials()).to.equal(3);
    });

    it('refuses unauthenticated and unknown requests, and deliveries from untrusted issuers', async () => {
      const unauthenticated = await request(`${issuerBase()}/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(requestMessage(['urn:shuyu:credential-object:MembershipCredential'])),
      });
      expect(unauthenticated.status).to.equal(401);
      expect((await requestAs(consumer, requestMessage(['urn:other:object']))).status).to.equal(400);
      expect((await requestAs(consumer, { type: 'CredentialRequestMessage' })).status).to.equal(400);
      // The provider delivering "credentials" to the consumer: not its issuer.
      const { token } = await createIdToken({ signer: provider.identity.signer(), audience: consumer.did });
      const delivery = await request(`${consumer.identity.credentialServiceUrl}/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          '@context': [DCP_CONTEXT_URL],
          type: 'CredentialMessage',
          issuerPid: 'x',
          status: 'ISSUED',
          credentials: [
            { credentialType: 'MembershipCredential', payload: 'a.b.c', format: 'vc20-bssl/jwt' },
          ],
        }),
      });
      expect(delivery.status).to.be.within(400, 403);
      expect(await consumer.wallet.presentable(new Date())).to.have.length(3);
    });
  });

  describe('end to end with DCP only', () => {
    it('a member holding 20 credentials negotiates and transfers (no 431)', async () => {
      // 17 more sector credentials from the real issuer: 20 in all.
      const issuer = (
        await openProcessIdentity(join(space.dir, 'authority', 'keys'), space.authority.url)
      ).signer();
      const extra = [];
      for (let i = 0; i < 17; i++) {
        const issued = await issueCredential({
          claims: {
            type: 'SectorCredential',
            subject: { id: consumer.did, sector: 'medical', sectorRoles: ['hospital'] },
          },
          signer: issuer,
          validFrom: new Date(Date.now() - 60_000),
          validUntil: new Date(Date.now() + 86_400_000),
        });
        if (issued.format !== 'jwt') throw new Error('expected a vc+jwt');
        extra.push({
          id: `urn:test:extra-sector:${i}`,
          type: 'SectorCredential',
          format: 'jwt' as const,
          issuer: 'extra',
          credential: issued.jwt,
          receivedAt: new Date().toISOString(),
        });
      }
      await consumer.wallet.replaceFromIssuer('extra', extra);
      expect(await consumer.wallet.presentable(new Date())).to.have.length(20);
      provider.claimsCache.evict(consumer.did);

      const who = await whoami(provider, await consumer.requestTokenFor(provider.did));
      expect(who.status, JSON.stringify(who.body)).to.equal(200);
      expect((who.body.claims as { credentialTypes: string[] }).credentialTypes).to.include(
        'SectorCredential',
      );

      const started = await startNegotiation(
        consumer,
        provider,
        DATASET,
        catalogOfferId('research', DATASET),
      );
      expect(started.status, JSON.stringify(started.body)).to.equal(201);
      const done = await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
      const transfer = await management(consumer).post('/transfers', {
        agreementId: String(done.agreementId),
        format: 'HttpData-PULL',
      });
      expect(transfer.status, JSON.stringify(transfer.body)).to.equal(201);
      await waitForState(consumer, `/transfers/${pid(String(transfer.body.id))}`, 'STARTED');
    });
  });
});
