// The DCP TCK hooks in the test identity mode: the token-service step (an OAuth2 client-credentials form
// answered with a self-issued ID token carrying an access token for the named verifier and scopes), the
// storage step (a CredentialMessage from a configured issuer lands in the Credential Service), and the
// protected endpoint (the DSP catalog request) answering by the verifier's decision with the scopes from
// the configuration. Real authority and connectors on 127.0.0.1.
import { expect } from 'chai';
import { join } from 'node:path';
import {
  createIdToken,
  DCP_CONTEXT_URL,
  issueCredential,
  scopeForType,
} from '../../connector/identity/index.js';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  request,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { dsp, FAST_OUTBOX, startMember } from '../dsp/helpers.js';

const TOKEN = 'tck-static-token-0123456789';
const MEMBERSHIP = scopeForType('MembershipCredential');

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(jwt.split('.')[1]), 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

describe('identity/dcp: DCP TCK hooks (test identity mode)', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let sut: ControlPlaneConnector;
  let tckIssuer: ControlPlaneConnector;
  let member: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace();
    tckIssuer = await startMember(space, 'tck-issuer', bankApplication());
    member = await startMember(space, 'member', hospitalApplication());
    sut = await startControlPlaneConnector({
      dataDir: join(space.dir, 'sut'),
      port: 0,
      authorityUrl: space.authority.url,
      testIdentity: { enabled: true, token: TOKEN, participantId: 'TCK_PARTICIPANT' },
      dcp: { scopes: [MEMBERSHIP], trustedIssuers: [tckIssuer.did] },
      controlPlane: { outbox: FAST_OUTBOX },
    });
    space.connectors.push(sut);
  });
  after(async () => space?.close());

  function stsForm(fields: Record<string, string>) {
    return request(`${sut.url}/tck/dcp/sts/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async function storeAs(signer: ControlPlaneConnector, body: unknown) {
    const { token } = await createIdToken({ signer: signer.identity.signer(), audience: sut.did });
    return request(`${sut.identity.credentialServiceUrl}/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  }

  it('token-service step: issues an access token for the named verifier and scopes', async () => {
    const refused = await stsForm({
      grant_type: 'client_credentials',
      client_secret: 'wrong',
      audience: 'x',
    });
    expect(refused.status).to.equal(401);
    const answer = await stsForm({
      grant_type: 'client_credentials',
      client_id: 'tck',
      client_secret: TOKEN,
      audience: tckIssuer.did,
      bearer_access_scope: MEMBERSHIP,
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const idToken = payloadOf(String(answer.body.access_token));
    expect(idToken).to.include({ iss: sut.did, sub: sut.did, aud: tckIssuer.did });
    expect(payloadOf(String(idToken.token))).to.include({ sub: tckIssuer.did, scope: MEMBERSHIP });
  });

  it('storage step: a CredentialMessage from a configured issuer is stored and then presented', async () => {
    const issued = await issueCredential({
      claims: {
        type: 'MembershipCredential',
        subject: {
          id: sut.did,
          dataSpace: space.authority.did,
          organisationName: 'TCK holder',
          registrationNumber: 'CN-SHUYU:tck',
          role: 'participant',
        },
      },
      signer: tckIssuer.identity.signer(),
    });
    if (issued.format !== 'jwt') throw new Error('expected a vc+jwt');
    const message = {
      '@context': [DCP_CONTEXT_URL],
      type: 'CredentialMessage',
      credentials: [{ credentialType: 'MembershipCredential', payload: issued.jwt, format: 'vc20-bssl/jwt' }],
      issuerPid: 'issuer-1',
      holderPid: 'holder-1',
      status: 'ISSUED',
    };
    expect((await storeAs(member, message)).status).to.equal(403); // not a configured issuer
    expect((await storeAs(tckIssuer, { ...message, credentials: 'none' })).status).to.equal(400);
    const unauthenticated = await request(`${sut.identity.credentialServiceUrl}/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    expect(unauthenticated.status).to.equal(401);
    const stored = await storeAs(tckIssuer, message);
    expect(stored.status, JSON.stringify(stored.body)).to.equal(200);
    expect((await sut.wallet.list()).map((c) => c.issuer)).to.deep.equal([tckIssuer.did]);

    // The TCK (here: tckIssuer as the verifier) queries with the access token the STS step gave it.
    const sts = await stsForm({
      grant_type: 'client_credentials',
      client_secret: TOKEN,
      audience: tckIssuer.did,
      bearer_access_scope: MEMBERSHIP,
    });
    const accessToken = String(payloadOf(String(sts.body.access_token)).token);
    const { token } = await createIdToken({
      signer: tckIssuer.identity.signer(),
      audience: sut.did,
      claims: { token: accessToken },
    });
    const answer = await request(`${sut.identity.credentialServiceUrl}/presentations/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        '@context': [DCP_CONTEXT_URL],
        type: 'PresentationQueryMessage',
        scope: [MEMBERSHIP],
      }),
    });
    expect(answer.status).to.equal(200);
    const vp = payloadOf(String((answer.body.presentation as string[])[0]));
    expect(JSON.stringify(vp.verifiableCredential)).to.include(issued.jwt);
  });

  it('protected endpoint: the DSP catalog request answers 2xx or 4xx by the verifier’s decision', async () => {
    const catalogRequest = {
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@type': 'CatalogRequestMessage',
    };
    const allowed = await dsp(sut, '/catalog/request', { body: catalogRequest, caller: member });
    expect(allowed.status, JSON.stringify(allowed.body)).to.equal(200);
    const refused = await dsp(sut, '/catalog/request', { body: catalogRequest, raw: undefined });
    expect(refused.status).to.be.within(400, 499);
    const garbage = await request(`${sut.url}/dsp/catalog/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer a.b.c' },
      body: JSON.stringify(catalogRequest),
    });
    expect(garbage.status).to.be.within(400, 499);
  });
});
