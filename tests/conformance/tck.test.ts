// What the official DSP TCK needs of Shuyu, over real HTTP: the test-only identity mode (a static
// token authenticates as the configured participant with the configured claims; loopback binds
// only), the two hooks (start a negotiation, start a transfer, from plain JSON) driving a second,
// ordinary connector, and the seed file of datasets, offers and agreements with the TCK's ids. A
// small HTTP server stands in for the TCK where it plays the counterparty.
import { expect } from 'chai';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
  type ControlPlaneConnectorOptions,
} from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  onboard,
  request,
  startLocalDataSpace,
  type HttpResult,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  FAST_OUTBOX,
  management,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  waitFor,
  waitForState,
} from '../dsp/helpers.js';

const TOKEN = 'tck-static-token-0123456789';
const TCK = 'TCK_PARTICIPANT';
const SEED = fileURLToPath(new URL('./fixtures/tck-seed.json', import.meta.url));
const DATASET = 'urn:dataset:tck-hooked';

const testIdentity = {
  enabled: true,
  token: TOKEN,
  participantId: TCK,
  claims: { credentialTypes: ['MembershipCredential'], sectors: ['medical'], memberRole: 'participant' },
  seed: 'tck-seed.json',
};

/** Stands in for the TCK: records what it is sent and acknowledges it. */
class FakeTck {
  readonly received: { method: string; path: string; body: Record<string, unknown> }[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeTck> {
    const server = createServer();
    const tck = new FakeTck(server);
    server.on('request', (req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        tck.received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          body: text ? JSON.parse(text) : {},
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return tck;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** A POST as the TCK makes it: plain JSON, its configured Authorization header ("Bearer <token>"). */
function asTck(url: string, body: unknown, token = `Bearer ${TOKEN}`): Promise<HttpResult> {
  return request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify(body),
  });
}

describe('conformance: DSP TCK support', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let cut: ControlPlaneConnector; // the connector under test, in the test identity mode
  let tck: FakeTck;
  let cutOptions: ControlPlaneConnectorOptions;

  before(async () => {
    space = await startLocalDataSpace();
    tck = await FakeTck.start();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    await publish(
      provider,
      [assetInput(DATASET, provider.did)],
      [
        {
          id: 'tck',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          // The TCK's own terms: use, unconstrained.
          contractPolicy: { '@type': 'Offer', permission: [{ action: 'use' }] },
        },
      ],
    );
    const dir = join(space.dir, 'cut');
    mkdirSync(dir, { recursive: true });
    copyFileSync(SEED, join(dir, 'tck-seed.json'));
    cutOptions = {
      dataDir: dir,
      port: 0,
      authorityUrl: space.authority.url,
      testIdentity,
      controlPlane: { outbox: FAST_OUTBOX },
    };
    cut = await startControlPlaneConnector(cutOptions);
    space.connectors.push(cut);
    // Also a member, so it can negotiate with the ordinary provider (which verifies real tokens).
    await onboard(space, cut, bankApplication({ sectors: [{ sector: 'medical', roles: ['hospital'] }] }));
  });
  after(async () => {
    await tck?.close();
    await space?.close();
  });

  let agreementId: string;

  it('starts a negotiation from the hook, against a second connector, to FINALIZED', async () => {
    const started = await asTck(`${cut.url}/tck/negotiations/requests`, {
      providerId: provider.did,
      offerId: catalogOfferId('tck', DATASET),
      datasetId: DATASET,
      connectorAddress: `${provider.url}/dsp`,
    });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const id = String(started.body.id);
    const done = await waitForState(cut, `/negotiations/${pid(id)}`, 'FINALIZED');
    expect(done).to.include({ role: 'consumer', counterPartyId: provider.did, datasetId: DATASET });
    // What the provider received carried the TCK's ids verbatim.
    expect(done.offer).to.include({ '@id': catalogOfferId('tck', DATASET), target: DATASET });
    agreementId = String(done.agreementId);
    await waitForState(provider, `/negotiations/${pid(String(done.providerPid))}`, 'FINALIZED');
  });

  it('starts a transfer from the hook under that agreement', async () => {
    const started = await asTck(`${cut.url}/tck/transfers/requests`, {
      providerId: provider.did,
      agreementId,
      format: 'HttpData-PULL',
      connectorAddress: `${provider.url}/dsp`,
    });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(cut, `/transfers/${pid(String(started.body.id))}`, 'STARTED');
    expect(done).to.include({ role: 'consumer', agreementId, format: 'HttpData-PULL' });
  });

  it('authenticates the static token as the configured participant with the configured claims', async () => {
    const who = await request(`${cut.url}/identity/v1/whoami`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(who.status).to.equal(200);
    expect(who.body.caller).to.equal(TCK);
    expect(who.body.claims).to.deep.include({ participantId: TCK, sectors: ['medical'] });
    // The catalog shows the TCK what its claims let it see: the seeded dataset (members only).
    const catalog = await asTck(`${cut.url}/dsp/catalog/request`, {
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@type': 'CatalogRequestMessage',
    });
    expect(catalog.status, JSON.stringify(catalog.body)).to.equal(200);
    const ids = ([catalog.body.dataset].flat() as { '@id': string }[]).map((d) => d['@id']);
    expect(ids).to.include('urn:tck:dataset:ACN0101');
    // Any other token is checked as a request token, and is nobody.
    const other = await asTck(
      `${cut.url}/dsp/catalog/request`,
      { '@type': 'CatalogRequestMessage' },
      'Bearer x.y.z',
    );
    expect(other.status).to.equal(401);
  });

  it('answers the TCK as consumer on seeded offers and agreements, in its message style', async () => {
    // A contract request as the TCK writes it: extra top-level @id, its offer terms, its callback.
    const consumerPid = 'urn:uuid:7d3f0a52-tck-cn-0101';
    const requested = await asTck(`${cut.url}/dsp/negotiations/request`, {
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@id': 'c8a6f5d2-tck-message-id',
      '@type': 'ContractRequestMessage',
      consumerPid,
      offer: {
        '@id': catalogOfferId('tck', 'urn:tck:dataset:ACN0101'),
        target: 'urn:tck:dataset:ACN0101',
        '@type': 'Offer',
        permission: [{ action: 'use', constraint: [] }],
      },
      callbackAddress: tck.url,
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    expect(requested.body).to.include({ consumerPid, state: 'REQUESTED' });
    // The automatic provider agrees, after answering.
    const agreement = await waitFor('the agreement at the TCK', async () =>
      tck.received.find((r) => r.path === `/negotiations/${pid(consumerPid)}/agreement`),
    );
    expect((agreement.body.agreement as Record<string, unknown>).assignee).to.equal(TCK);

    // A transfer request under the seeded provider agreement.
    const transferPid = 'urn:uuid:7d3f0a52-tck-tp-0101';
    const transfer = await asTck(`${cut.url}/dsp/transfers/request`, {
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@type': 'TransferRequestMessage',
      consumerPid: transferPid,
      agreementId: 'urn:tck:agreement:ATP0101',
      format: 'HttpData-PULL',
      callbackAddress: tck.url,
    });
    expect(transfer.status, JSON.stringify(transfer.body)).to.equal(201);
    await waitFor('the transfer start at the TCK', async () =>
      tck.received.find((r) => r.path === `/transfers/${pid(transferPid)}/start`),
    );
  });

  it('stores seeded agreements as FINALIZED, once, however often it starts', async () => {
    const api = () => management(cut);
    const seeded = await api().get(`/agreements/${pid('urn:tck:agreement:ATPC0101')}`);
    expect(seeded.status).to.equal(200);
    expect(seeded.body).to.include({ role: 'consumer', counterPartyId: TCK, negotiationState: 'FINALIZED' });
    const before = ((await api().get('/agreements?limit=500')).body.agreements as unknown[]).length;
    const port = cut.server.port;
    space.connectors.splice(space.connectors.indexOf(cut), 1);
    await cut.close();
    cut = await startControlPlaneConnector({ ...cutOptions, port });
    space.connectors.push(cut);
    expect(((await api().get('/agreements?limit=500')).body.agreements as unknown[]).length).to.equal(before);
  });

  it('requires the static token on the hooks and refuses incomplete bodies', async () => {
    const hook = `${cut.url}/tck/negotiations/requests`;
    const none = await asTck(hook, {}, '');
    expect(none.status).to.equal(401);
    expect((await asTck(hook, {}, 'Bearer wrong-token-0123456789')).status).to.equal(401);
    const incomplete = await asTck(hook, { providerId: TCK, datasetId: ' ' });
    expect(incomplete.status).to.equal(400);
    expect((incomplete.body.errors as { pointer: string }[]).map((e) => e.pointer)).to.deep.equal([
      '/offerId',
      '/datasetId',
      '/connectorAddress',
    ]);
    const unknown = await asTck(`${cut.url}/tck/transfers/requests`, {
      providerId: TCK,
      agreementId: 'urn:tck:agreement:none',
      format: 'HttpData-PULL',
      connectorAddress: tck.url,
    });
    expect(unknown.status).to.equal(409);
  });

  it('has no hooks and no static token without the mode', async () => {
    const hook = await asTck(`${provider.url}/tck/negotiations/requests`, {
      providerId: TCK,
      offerId: 'offerX',
      datasetId: 'X',
      connectorAddress: tck.url,
    });
    expect(hook.status).to.equal(404);
    expect((await asTck(`${provider.url}/tck/transfers/requests`, {})).status).to.equal(404);
    const catalog = await asTck(`${provider.url}/dsp/catalog/request`, { '@type': 'CatalogRequestMessage' });
    expect(catalog.status).to.equal(401);
  });

  it('refuses to start the mode on a non-loopback bind, or unless enabled', async () => {
    const dir = join(space.dir, 'exposed');
    for (const host of ['0.0.0.0', '::']) {
      let code: string | undefined;
      await startControlPlaneConnector({
        dataDir: dir,
        host,
        port: 0,
        authorityUrl: space.authority.url,
        testIdentity,
      }).then(
        async (c) => c.close(),
        (e: { code?: string }) => (code = e.code),
      );
      expect(code, host).to.equal('ERR_TEST_IDENTITY_NOT_LOOPBACK');
    }
    let code: string | undefined;
    await startControlPlaneConnector({
      dataDir: dir,
      port: 0,
      authorityUrl: space.authority.url,
      testIdentity: { ...testIdentity, enabled: false },
    }).then(
      async (c) => c.close(),
      (e: { code?: string }) => (code = e.code),
    );
    expect(code).to.equal('ERR_TEST_IDENTITY_DISABLED');
  });
});
