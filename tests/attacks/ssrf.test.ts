// Attack catalogue, SSRF. What a peer can make a connector reach in a local data space: callbacks only to the host:port of the
// caller's own DID document, pushes only to the consumer's DSP host:port (or hosts the operator allows),
// and DID documents fetched only for the DID a request token claims once its claims were checked.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  hospitalApplication,
  request,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { callbackHostRefusal } from '../../connector/control-plane/peers/address.js';
import { assetInput, dsp, management, pid, startMember, waitForState } from '../dsp/helpers.js';
import { expectDspError, leavesNoTrace, startAttackWorld, type AttackWorld } from './world.js';
import { datasetOffer, dspMessage, finalizedAgreement, publishDataset } from '../dsp/scenario.js';

/** A loopback HTTP server that counts what reaches it and answers 204. */
async function countingServer(): Promise<{ server: Server; url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An ID token with the given claims and a made-up signature (as an attacker would send). */
function forgedToken(payload: Record<string, unknown>): string {
  return `${b64({ alg: 'EdDSA', typ: 'JWT' })}.${b64(payload)}.${Buffer.alloc(64, 1).toString('base64url')}`;
}

describe('attacks: ssrf, loopback reach in local mode', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let target: Awaited<ReturnType<typeof countingServer>>;
  const DATASET = 'urn:dataset:reach';

  before(async () => {
    space = await startLocalDataSpace();
    target = await countingServer();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    consumer = await startMember(space, 'consumer', hospitalApplication());
    await publishDataset(provider, DATASET);
  });
  after(async () => {
    await space?.close();
    target?.server.closeAllConnections();
    await new Promise((resolve) => target?.server.close(resolve));
  });

  it('refuses a callbackAddress that is not on the host:port of the caller’s DID', async () => {
    const offer = await datasetOffer(provider, consumer, DATASET);
    const answer = await dsp(provider, '/negotiations/request', {
      caller: consumer,
      body: dspMessage('ContractRequestMessage', {
        consumerPid: `urn:uuid:${randomUUID()}`,
        callbackAddress: `${target.url}/dsp`,
        offer,
      }),
    });
    expect(answer.status).to.equal(400);
    expect(answer.body['@type']).to.equal('ContractNegotiationError');
    expect(JSON.stringify(answer.body.reason)).to.match(
      /callbackAddress: must be on the host of your DID document/,
    );
    expect((await management(provider).get('/negotiations')).body.negotiations).to.deep.equal([]);
    // The consumer's own DSP endpoint is accepted.
    const own = await dsp(provider, '/negotiations/request', {
      caller: consumer,
      body: dspMessage('ContractRequestMessage', {
        consumerPid: `urn:uuid:${randomUUID()}`,
        callbackAddress: `${consumer.url}/dsp`,
        offer,
      }),
    });
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
    expect(target.hits).to.deep.equal([]);
  });

  it('never pushes to a loopback port that is not the consumer’s DSP host:port', async () => {
    const agreementId = await finalizedAgreement(consumer, provider, DATASET);
    const requested = await management(consumer).post('/transfers', {
      agreementId,
      format: 'HttpData-PUSH',
      dataAddress: {
        '@type': 'DataAddress',
        endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
        endpoint: `${target.url}/internal/admin`,
        endpointProperties: [{ '@type': 'EndpointProperty', name: 'authorization', value: 'Bearer x' }],
      },
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const ended = await waitForState(
      consumer,
      `/transfers/${pid(String(requested.body.id))}`,
      'TERMINATED',
      20_000,
    ).catch((e: Error) => ({ error: e.message }));
    expect(JSON.stringify(ended)).to.match(/not on the consumer's DSP endpoint/);
    expect(target.hits).to.deep.equal([]);
  });

  it('fetches no DID document for a token whose claims fail, only the DID a well-formed token claims', async () => {
    const did = `did:web:127.0.0.1%3A${new URL(target.url).port}`;
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: did, sub: did, aud: provider.did, jti: randomUUID(), iat: now, exp: now + 60 };
    const refusedBeforeAnyFetch = [
      { ...claims, aud: 'did:web:someone.else' },
      { ...claims, exp: now - 600, iat: now - 700 },
      { ...claims, sub: 'did:web:127.0.0.1%3A1' },
      { ...claims, token: undefined }, // DCP: no access token for the Credential Service
    ];
    for (const payload of refusedBeforeAnyFetch) {
      const answer = await request(`${provider.url}/dsp/catalog/request`, {
        method: 'POST',
        headers: { authorization: `Bearer ${forgedToken(payload)}`, 'content-type': 'application/json' },
        body: JSON.stringify(dspMessage('CatalogRequestMessage', {})),
      });
      expect(answer.status, JSON.stringify(payload)).to.equal(401);
    }
    expect(target.hits).to.deep.equal([]);
    // A token whose claims hold leads to its own issuer's DID document only (and fails on the signature).
    const answer = await request(`${provider.url}/dsp/catalog/request`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${forgedToken({ ...claims, token: 'access' })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(dspMessage('CatalogRequestMessage', {})),
    });
    expect(answer.status).to.equal(401);
    expect(target.hits).to.deep.equal(['GET /.well-known/did.json']);
  });
});

describe('attacks: ssrf, callback hosts a DID document lists', () => {
  const did = 'did:web:identity.hospital.example';
  it('accepts a callbackAddress on the DID host or on the host of a listed service, nothing else', () => {
    expect(callbackHostRefusal(did, 'https://identity.hospital.example/dsp')).to.equal(undefined);
    const listed = ['https://dsp.hospital.example:8443/api/dsp', 'not a url'];
    expect(callbackHostRefusal(did, 'https://dsp.hospital.example:8443/api/dsp', listed)).to.equal(undefined);
    expect(callbackHostRefusal(did, 'https://dsp.hospital.example:9999/api/dsp', listed)).to.match(
      /or of a service it lists, not dsp.hospital.example:9999/,
    );
    expect(callbackHostRefusal(did, 'http://127.0.0.1:5432/', listed)).to.be.a('string');
  });
});

describe('attacks: ssrf, what a request can make a connector reach', function () {
  this.timeout(60_000);
  let world: AttackWorld;
  let target: Awaited<ReturnType<typeof countingServer>>;
  let elsewhere: Server;
  let elsewhereHits: string[];
  let elsewherePort: number;

  before(async () => {
    world = await startAttackWorld();
    target = await countingServer();
    // A second loopback address, not in the connectors' didHosts (127.0.0.1, localhost).
    elsewhereHits = [];
    elsewhere = createServer((req, res) => {
      elsewhereHits.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.2', resolve));
    elsewherePort = (elsewhere.address() as AddressInfo).port;
  });
  after(async () => {
    await world?.close();
    target?.server.closeAllConnections();
    await new Promise((resolve) => target?.server.close(resolve));
    elsewhere?.closeAllConnections();
    await new Promise((resolve) => elsewhere?.close(resolve));
  });

  it('refuses a transfer request whose callbackAddress is not the caller’s DSP host', async () => {
    const agreementId = await world.agreement();
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, '/transfers/request', {
        caller: world.consumer,
        body: dspMessage('TransferRequestMessage', {
          consumerPid: `urn:uuid:${randomUUID()}`,
          agreementId,
          format: 'HttpData-PULL',
          callbackAddress: `${target.url}/dsp`,
        }),
      }),
    );
    expectDspError(answer, 400, 'TransferError', /callbackAddress: must be on the host of your DID document/);
    expect(target.hits).to.deep.equal([]);
  });

  it('never pushes into the provider’s own management listener', async () => {
    const agreementId = await world.agreement();
    const assetsBefore = (await management(world.provider).get('/assets')).body;
    const requested = await management(world.consumer).post('/transfers', {
      agreementId,
      format: 'HttpData-PUSH',
      dataAddress: {
        '@type': 'DataAddress',
        endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
        endpoint: `${world.provider.managementUrl}/assets`,
        endpointProperties: [{ '@type': 'EndpointProperty', name: 'authorization', value: `Bearer guessed` }],
      },
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const ended = await waitForState(
      world.consumer,
      `/transfers/${pid(String(requested.body.id))}`,
      'TERMINATED',
      20_000,
    ).catch((e: Error) => ({ error: e.message }));
    expect(JSON.stringify(ended)).to.match(/not on the consumer's DSP endpoint/);
    expect((await management(world.provider).get('/assets')).body).to.deep.equal(assetsBefore);
  });

  it('refuses at registration an http backend outside the allow-list (cloud metadata, loopback)', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/iam',
      `${target.url}/internal`,
      `http://127.0.0.2:${elsewherePort}/`,
    ]) {
      const answer = await leavesNoTrace(world, () =>
        management(world.provider).post(
          '/assets',
          assetInput(`urn:dataset:ssrf-${randomUUID()}`, world.provider.did, {
            dataAddress: { kind: 'http', url },
          }),
        ),
      );
      expect(answer.status, url).to.equal(400);
      expect(JSON.stringify(answer.body.errors), url).to.include('/dataAddress');
    }
    expect(target.hits).to.deep.equal([]);
    expect(elsewhereHits).to.deep.equal([]);
  });

  it('fetches no DID document from a host outside didHosts, whatever a token claims', async () => {
    const did = `did:web:127.0.0.2%3A${elsewherePort}`;
    const now = Math.floor(Date.now() / 1000);
    const answer = await leavesNoTrace(world, () =>
      request(`${world.provider.url}/dsp/catalog/request`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${forgedToken({ iss: did, sub: did, aud: world.provider.did, jti: randomUUID(), iat: now, exp: now + 60, token: 'access' })}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(dspMessage('CatalogRequestMessage', {})),
      }),
    );
    expect(answer.status).to.equal(401);
    expect(answer.body['@type']).to.equal('CatalogError');
    expect(elsewhereHits).to.deep.equal([]);
  });
});
