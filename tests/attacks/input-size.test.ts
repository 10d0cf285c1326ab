// Attack catalogue, input size: oversized headers, bodies, URLs and fields, and deeply nested JSON, on the
// DSP port, the management listener and the authority's listeners. Each gets a complete 4xx answer with a
// reason (never a 5xx, a reset or HTML) and nothing is stored.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { request, type HttpResult } from '../authority/helpers.js';
import { assetInput, dsp, management } from '../dsp/helpers.js';
import { datasetOffer, dspMessage } from '../dsp/scenario.js';
import {
  DATASET,
  expectDspError,
  expectProblem,
  leavesNoTrace,
  startAttackWorld,
  type AttackWorld,
} from './world.js';

/** Sends `raw` on a fresh socket; resolves with everything the server wrote before closing. */
function rawExchange(url: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(raw);
  });
}

/** `depth` nested arrays: `[[[...]]]`. */
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('attacks: input size', function () {
  this.timeout(60_000);
  let world: AttackWorld;

  before(async () => {
    world = await startAttackWorld();
  });
  after(async () => world?.close());

  const postJson = (url: string, body: string, bearer?: string): Promise<HttpResult> =>
    request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body,
    });

  it('answers oversized headers with 431 and a body on every listener of both processes', async () => {
    const origins = [
      world.provider.url,
      new URL(world.provider.managementUrl).origin,
      world.space.authority.url,
      world.space.authority.admin.url,
    ];
    for (const origin of origins) {
      const response = await rawExchange(
        origin,
        `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(response, origin).to.match(/^HTTP\/1\.1 431 /);
      expect(response).to.include('application/problem+json');
      expect(response).to.include('headers-too-large');
    }
  });

  it('refuses a DSP body over the limit with a DSP error, storing nothing', async () => {
    const offer = await datasetOffer(world.provider, world.consumer, DATASET);
    const body = JSON.stringify(
      dspMessage('ContractRequestMessage', {
        consumerPid: `urn:uuid:${randomUUID()}`,
        callbackAddress: `${world.consumer.url}/dsp`,
        offer: { ...offer, padding: 'x'.repeat(300_000) },
      }),
    );
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, '/negotiations/request', { caller: world.consumer, raw: body }),
    );
    expectDspError(answer, 413, 'ContractNegotiationError', /larger than/);
  });

  it('refuses deeply nested JSON on DSP without a 5xx, storing nothing', async () => {
    const bare = await leavesNoTrace(world, () =>
      dsp(world.provider, '/negotiations/request', { caller: world.consumer, raw: nested(50_000) }),
    );
    expectDspError(bare, 400, 'ContractNegotiationError', /must be a JSON object \(one DSP message\)/);
    const inside = await leavesNoTrace(world, () =>
      dsp(world.provider, '/negotiations/request', {
        caller: world.consumer,
        raw: `{"@context":["https://w3id.org/dspace/2025/1/context.jsonld"],"@type":"ContractRequestMessage","consumerPid":"urn:uuid:${randomUUID()}","callbackAddress":"${world.consumer.url}/dsp","offer":${nested(50_000)}}`,
      }),
    );
    expectDspError(inside, 400, 'ContractNegotiationError', /offer/);
  });

  it('refuses a management body over the limit with 413 problem+json', async () => {
    const answer = await leavesNoTrace(world, () =>
      postJson(
        `${world.provider.managementUrl}/assets`,
        JSON.stringify(
          assetInput('urn:dataset:huge', world.provider.did, { description: 'x'.repeat(300_000) }),
        ),
        world.provider.managementApiKey,
      ),
    );
    expectProblem(answer, 413, 'body-too-large', /larger than the \d+ bytes allowed/);
  });

  it('refuses deeply nested JSON on the management API with 400', async () => {
    const deep = `{"id":"urn:dataset:deep","title":"t","dataAddress":${nested(40_000)}}`;
    const answer = await leavesNoTrace(world, () =>
      postJson(`${world.provider.managementUrl}/assets`, deep, world.provider.managementApiKey),
    );
    expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
    expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it('refuses an over-long field within the body limit, naming the field', async () => {
    const answer = await leavesNoTrace(world, () =>
      postJson(
        `${world.provider.managementUrl}/assets`,
        JSON.stringify(
          assetInput('urn:dataset:long-title', world.provider.did, { title: 't'.repeat(100_000) }),
        ),
        world.provider.managementApiKey,
      ),
    );
    expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
    expect(JSON.stringify(answer.body.errors)).to.include('/title');
  });

  it('refuses an over-long id in a management path without a 5xx', async () => {
    const answer = await leavesNoTrace(world, () =>
      management(world.provider).get(`/negotiations/${'n'.repeat(7_000)}`),
    );
    expectProblem(answer, 404, 'negotiation-not-found');
  });

  it('refuses an over-long URL on the DSP port with a complete answer', async () => {
    const answer = await leavesNoTrace(world, () =>
      dsp(world.provider, `/negotiations/${'p'.repeat(15_000)}`, { caller: world.consumer }),
    );
    expect(answer.status).to.equal(431);
    expect(answer.body.type).to.equal('https://w3id.org/shuyu/v1/problems/headers-too-large');
  });

  it('refuses an oversized application at the authority, storing nothing', async () => {
    const before = await world.space.admin('GET', '/applications');
    const token = await world.outsider.authority.idToken();
    const answer = await request(`${world.space.authority.url}/authority/v1/applications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ organisationName: 'x'.repeat(400_000) }),
    });
    expectProblem(answer, 413, 'body-too-large');
    expect((await world.space.admin('GET', '/applications')).body).to.deep.equal(before.body);
  });

  it('refuses an over-long catalog search at the authority with 400 and a reason', async () => {
    const answer = await request(`${world.space.authority.url}/catalog/v1/search?q=${'q'.repeat(5_000)}`);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
    expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it('refuses malformed JSON on the admin listener with 400 problem+json', async () => {
    const answer = await postJson(
      `${world.space.authority.admin.url}/authority/v1/admin/applications/x/reject`,
      '{"reason": ',
      world.space.adminKey,
    );
    expectProblem(answer, 400, 'malformed-json');
  });
});
