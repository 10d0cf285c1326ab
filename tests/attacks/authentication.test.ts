// Attack catalogue, authentication: forged, tampered, expired, replayed and misaddressed tokens and
// credentials, first at the identity layer (whoami), then on the DSP, management and authority surfaces,
// where each refusal also leaves every record as it was. Over real HTTP; the processes keep serving.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  createDidSigner,
  createSecureTokenService,
  didKeyFromKey,
  Ed25519Key,
  issueCredential,
  openProcessIdentity,
  type DidSigner,
} from '../../connector/identity/index.js';
import type { RunningConnector } from '../../connector/process/connector.js';
import {
  bankApplication,
  hospitalApplication,
  onboard,
  request,
  startLocalDataSpace,
  whoami,
  USCC_B,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { datasetOffer, dspMessage } from '../dsp/scenario.js';
import { DATASET, expectDspError, leavesNoTrace, startAttackWorld, type AttackWorld } from './world.js';

describe('attacks: authentication of callers (identity layer, /identity/v1/whoami)', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let hospital: RunningConnector;
  let bank: RunningConnector;
  let authoritySigner: DidSigner;

  before(async () => {
    space = await startLocalDataSpace();
    hospital = await space.startConnector('hospital');
    bank = await space.startConnector('bank');
    await onboard(space, hospital, hospitalApplication());
    await onboard(space, bank, bankApplication());
    // The authority's own key, read from its data directory: lets tests mint credentials the real issuer
    // signed but with validity periods the service would never choose.
    const identity = await openProcessIdentity(join(space.dir, 'authority', 'keys'), space.authority.url);
    authoritySigner = identity.signer();
  });
  after(async () => space?.close());

  async function bankCredentials(): Promise<string[]> {
    return (await bank.wallet.presentable(new Date())).map((c) => c.credential);
  }

  async function membership(signer: DidSigner, validFrom: Date, validUntil: Date): Promise<string> {
    const issued = await issueCredential({
      claims: {
        type: 'MembershipCredential',
        subject: {
          id: bank.did,
          dataSpace: space.authority.did,
          organisationName: 'Haidian Commercial Bank',
          registrationNumber: USCC_B,
          role: 'participant',
        },
      },
      signer,
      validFrom,
      validUntil,
    });
    if (issued.format !== 'jwt') throw new Error('expected jwt');
    return issued.jwt;
  }

  /**
   * Under DCP the bank's own Credential Service presents what its wallet holds: an attacker controls it,
   * so each attack puts its forged credentials there, and the hospital forgets the bank's cached claims.
   */
  async function tokenWith(credentials: string[], audience = hospital.did) {
    await bank.db.run('DELETE FROM wallet_credentials');
    for (const [i, jwt] of credentials.entries()) {
      const payload = JSON.parse(Buffer.from(String(jwt.split('.')[1]), 'base64url').toString()) as {
        type: string[];
      };
      await bank.wallet.replaceFromIssuer(`attack-${i}`, [
        {
          id: `urn:attack:${i}`,
          type: payload.type.filter((t) => t !== 'VerifiableCredential')[0] ?? 'VerifiableCredential',
          format: 'jwt',
          issuer: `attack-${i}`,
          credential: jwt,
          receivedAt: new Date().toISOString(),
        },
      ]);
    }
    hospital.claimsCache.evict(bank.did);
    return bank.requestTokenFor(audience);
  }
  afterEach(async () => {
    await bank.db.run('DELETE FROM wallet_credentials');
    await bank.collectCredentials();
    hospital.claimsCache.evict(bank.did);
  });

  function expectRefused(
    answer: { status: number; body: Record<string, unknown> },
    status: number,
    type: RegExp,
  ) {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
    expect(String(answer.body.type)).to.match(type);
    expect(String(answer.body.detail)).to.have.length.greaterThan(10);
  }

  it('accepts the genuine member (the baseline for every attack below)', async () => {
    expect((await whoami(hospital, await tokenWith(await bankCredentials()))).status).to.equal(200);
  });

  it('refuses a tampered credential', async () => {
    const [first, ...rest] = await bankCredentials();
    const [header, payload, signature] = String(first).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    claims.validUntil = '2099-12-31T00:00:00Z';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expectRefused(
      await whoami(hospital, await tokenWith([tampered, ...rest])),
      403,
      /credential-signature-invalid$/,
    );
  });

  it('refuses a credential from an issuer outside the trust list', async () => {
    const rogueKey = await Ed25519Key.generate(new Date());
    const rogue = createDidSigner(didKeyFromKey(rogueKey), rogueKey);
    const forged = await membership(rogue, new Date(Date.now() - 60_000), new Date(Date.now() + 86_400_000));
    expectRefused(await whoami(hospital, await tokenWith([forged])), 403, /credential-issuer-untrusted$/);
  });

  it('refuses an expired and a not-yet-valid credential, even from the real issuer', async () => {
    const day = 86_400_000;
    const expired = await membership(
      authoritySigner,
      new Date(Date.now() - 10 * day),
      new Date(Date.now() - day),
    );
    expectRefused(await whoami(hospital, await tokenWith([expired])), 403, /credential-expired$/);
    const future = await membership(
      authoritySigner,
      new Date(Date.now() + day),
      new Date(Date.now() + 10 * day),
    );
    expectRefused(await whoami(hospital, await tokenWith([future])), 403, /credential-not-yet-valid$/);
  });

  it('refuses a token signed by a key that is not in the caller’s DID document', async () => {
    const strayKey = await Ed25519Key.generate(new Date());
    const impostor = createDidSigner(bank.did, strayKey); // claims to be the bank, holds another key
    const token = await createSecureTokenService({ signer: () => impostor }).tokenFor(hospital.did);
    const answer = await whoami(hospital, token);
    expect(answer.status).to.equal(401);
    expect(String(answer.body.detail)).to.match(/key|signature/i);
  });

  it('refuses a presentation made out for another connector', async () => {
    const forOther = await tokenWith(await bankCredentials(), bank.did);
    expectRefused(await whoami(hospital, forOther), 401, /token-audience-mismatch$/);
  });

  it('refuses a replayed token', async () => {
    const token = await tokenWith(await bankCredentials());
    expect((await whoami(hospital, token)).status).to.equal(200);
    const replay = await whoami(hospital, token);
    expect(replay.status).to.equal(401);
    expect(String(replay.body.detail)).to.match(/already|replay/i);
  });

  it('refuses an expired token', async () => {
    const token = await createSecureTokenService({
      signer: () => bank.identity.signer(),
      lifetimeSeconds: 60,
      clock: () => new Date(Date.now() - 10 * 60_000),
    }).tokenFor(hospital.did);
    expectRefused(await whoami(hospital, token), 401, /token-expired$/);
  });

  describe('a credential with an unknown JSON-LD context', () => {
    let server: Server;
    let hits = 0;
    before(async () => {
      server = createServer((_req, res) => {
        hits += 1;
        res.end('{"@context": {}}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is refused without any request to the context URL', async () => {
      const contextUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/evil-context.jsonld`;
      const [first] = await bankCredentials();
      const [header, payload, signature] = String(first).split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { '@context': string[] };
      claims['@context'].push(contextUrl);
      const withContext = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
      expectRefused(await whoami(hospital, await tokenWith([withContext])), 403, /context-not-allowed$/);
      expect(hits).to.equal(0);
    });
  });

  it('refuses a missing, malformed or oversized Authorization header', async () => {
    expectRefused(await whoami(hospital, undefined), 401, /input-malformed$/);
    expectRefused(
      await request(`${hospital.url}/identity/v1/whoami`, {
        headers: { authorization: 'Basic Zm9vOmJhcg==' },
      }),
      401,
      /input-malformed$/,
    );
    expectRefused(await whoami(hospital, 'not.a.jwt'), 401, /input-malformed$/);
    const huge = await whoami(hospital, 'a'.repeat(15_000) + '.b.c');
    expect(huge.status).to.be.within(400, 431);
  });

  it('refuses malformed JSON and oversized bodies at the authority, storing nothing', async () => {
    const before = await space.admin('GET', '/applications');
    const malformed = await request(`${space.authority.admin.url}/authority/v1/admin/applications/x/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${space.adminKey}`, 'content-type': 'application/json' },
      body: '{"reason": ',
    });
    expectRefused(malformed, 400, /malformed-json$/);
    const oversized = await request(`${space.authority.admin.url}/authority/v1/admin/applications/x/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${space.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'x'.repeat(300_000) }),
    });
    expectRefused(oversized, 413, /body-too-large$/);
    const unauthenticated = await request(`${space.authority.url}/authority/v1/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hospitalApplication()),
    });
    expect(unauthenticated.status).to.equal(401);
    expect((await space.admin('GET', '/applications')).body).to.deep.equal(before.body);
  });

  it('does not let a participant act as admin, nor apply twice while a member', async () => {
    const token = await tokenWith(await bankCredentials(), space.authority.did);
    const asAdmin = await request(`${space.authority.admin.url}/authority/v1/admin/applications`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asAdmin.status).to.equal(401);
    const again = await bank.authority.apply(bankApplication()).catch((e: Error) => e);
    expect(String(again)).to.match(/already a member/);
  });

  it('still serves genuine requests after all of the above', async () => {
    expect((await whoami(hospital, await tokenWith(await bankCredentials()))).status).to.equal(200);
    expect((await request(`${space.authority.url}/authority/v1`)).status).to.equal(200);
  });
});

describe('attacks: authentication on the DSP, management and authority surfaces', function () {
  this.timeout(60_000);
  let world: AttackWorld;

  before(async () => {
    world = await startAttackWorld();
  });
  after(async () => world?.close());

  /** A contract request for the seed dataset with `authorization` (or none). */
  const contractRequest = async (authorization: string | undefined) => {
    const offer = await datasetOffer(world.provider, world.consumer, DATASET);
    return request(`${world.provider.url}/dsp/negotiations/request`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(authorization !== undefined ? { authorization } : {}),
      },
      body: JSON.stringify(
        dspMessage('ContractRequestMessage', {
          consumerPid: `urn:uuid:${randomUUID()}`,
          callbackAddress: `${world.consumer.url}/dsp`,
          offer,
        }),
      ),
    });
  };

  it('refuses a DSP contract request without a token, storing nothing', async () => {
    const answer = await leavesNoTrace(world, () => contractRequest(undefined));
    expectDspError(answer, 401, 'ContractNegotiationError', /Authorization/);
  });

  it('refuses a DSP request with a token made out for another connector', async () => {
    const forOutsider = await world.consumer.requestTokenFor(world.outsider.did);
    const answer = await leavesNoTrace(world, () => contractRequest(`Bearer ${forOutsider}`));
    expectDspError(answer, 401, 'ContractNegotiationError', /The ID token is addressed to .*, not to /);
  });

  it('refuses a replayed DSP token (the first use succeeds)', async () => {
    const token = await world.consumer.requestTokenFor(world.provider.did);
    const catalog = (authorization: string) =>
      request(`${world.provider.url}/dsp/catalog/request`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(dspMessage('CatalogRequestMessage', {})),
      });
    expect((await catalog(`Bearer ${token}`)).status).to.equal(200);
    const replay = await leavesNoTrace(world, () => contractRequest(`Bearer ${token}`));
    expectDspError(replay, 401, 'ContractNegotiationError', /already|replay/i);
  });

  it('refuses an expired DSP token', async () => {
    const token = await createSecureTokenService({
      signer: () => world.consumer.identity.signer(),
      lifetimeSeconds: 60,
      clock: () => new Date(Date.now() - 10 * 60_000),
    }).tokenFor(world.provider.did);
    const answer = await leavesNoTrace(world, () => contractRequest(`Bearer ${token}`));
    expectDspError(answer, 401, 'ContractNegotiationError', /expired/i);
  });

  it('refuses a token signed by a key outside the claimed DID document on DSP', async () => {
    const impostor = createDidSigner(world.consumer.did, await Ed25519Key.generate(new Date()));
    const token = await createSecureTokenService({ signer: () => impostor }).tokenFor(world.provider.did);
    const answer = await leavesNoTrace(world, () => contractRequest(`Bearer ${token}`));
    expectDspError(answer, 401, 'ContractNegotiationError', /key|signature/i);
  });

  it('refuses the static test-identity token when the test mode is off', async () => {
    const answer = await leavesNoTrace(world, () => contractRequest('Bearer shuyu-test-identity-token'));
    expect(answer.status).to.equal(401);
  });

  it('refuses the management API without the key, with another key, or the key in the wrong place', async () => {
    const url = `${world.provider.managementUrl}/assets`;
    const key = world.provider.managementApiKey;
    const attempts: { headers?: Record<string, string> }[] = [
      {},
      { headers: { authorization: 'Bearer not-the-key-but-long-enough' } },
      { headers: { authorization: `Basic ${Buffer.from(`x:${key}`).toString('base64')}` } },
      { headers: { 'x-api-key': key } },
    ];
    for (const init of attempts) {
      const answer = await leavesNoTrace(world, () =>
        request(url, {
          method: 'POST',
          ...init,
          headers: { ...init.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ id: 'urn:dataset:planted' }),
        }),
      );
      expect(answer.status, JSON.stringify(init)).to.equal(401);
      expect(answer.body.type).to.equal('https://w3id.org/shuyu/v1/problems/management-key-required');
    }
    const inQuery = await leavesNoTrace(world, () => request(`${url}?key=${encodeURIComponent(key)}`));
    expect(inQuery.status).to.equal(401);
  });

  it('offers no management API on the DSP port, even with the right key', async () => {
    const answer = await leavesNoTrace(world, () =>
      request(`${world.provider.url}/management/v1/assets`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${world.provider.managementApiKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ id: 'urn:dataset:planted' }),
      }),
    );
    expect(answer.status).to.equal(404);
    expect(answer.body.type).to.equal('https://w3id.org/shuyu/v1/problems/not-found');
  });

  it('refuses an application at the authority with a token for another audience, storing nothing', async () => {
    const before = await world.space.admin('GET', '/applications');
    const token = await world.outsider.requestTokenFor(world.provider.did);
    const answer = await request(`${world.space.authority.url}/authority/v1/applications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(bankApplication({ organisationName: 'Again' })),
    });
    expect(answer.status).to.equal(401);
    expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect((await world.space.admin('GET', '/applications')).body).to.deep.equal(before.body);
  });
});
