// What the connector's listener answers outside its routes: oversized headers and malformed requests get
// a complete problem+json response (raw sockets), the start-up window a 503 problem+json with Retry-After,
// unknown paths a problem+json 404; never Express's HTML page, never a bare status or a reset.
import { expect } from 'chai';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import { request, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';

/** Sends `raw` on a fresh socket and returns everything the server wrote before closing. */
function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(raw);
  });
}

function parsed(response: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  return { status, headers: head.toLowerCase(), body: JSON.parse(body) as Record<string, unknown> };
}

describe('hardening: the listener outside its routes', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let connector: ControlPlaneConnector;
  const inWindow: Record<string, { status: number; type: string | null; retryAfter: string | null }> = {};
  const probes = [
    '/management/v1/assets',
    '/dsp/catalog/request',
    '/data/x',
    '/nowhere',
    '/.well-known/did.json',
  ];

  before(async () => {
    space = await startLocalDataSpace();
    connector = await startControlPlaneConnector({
      dataDir: join(space.dir, 'operator'),
      port: 0,
      authorityUrl: space.authority.url,
      beforeReady: async (url) => {
        for (const path of probes) {
          const answer = await fetch(`${url}${path}`);
          await answer.text();
          inWindow[path] = {
            status: answer.status,
            type: answer.headers.get('content-type'),
            retryAfter: answer.headers.get('retry-after'),
          };
        }
      },
    });
  });
  after(async () => {
    await connector?.close();
    await space?.close();
  });

  it('answers 503 problem+json with Retry-After while starting, but serves the DID document', () => {
    for (const path of probes.slice(0, 4)) {
      expect(inWindow[path], path).to.deep.equal({
        status: 503,
        type: 'application/problem+json; charset=utf-8',
        retryAfter: '1',
      });
    }
    expect(inWindow['/.well-known/did.json']?.status).to.equal(200);
  });

  it('answers unknown paths with a problem+json 404 once ready, never HTML', async () => {
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['POST', '/management/v1/nowhere'],
      ['DELETE', '/dsp'],
      ['GET', '/dcp/v1/nowhere'],
    ] as const) {
      const answer = await request(`${connector.url}${path}`, { method });
      expect(answer.headers.get('content-type'), path).to.match(/^application\/problem\+json/);
      expect(answer.status, path).to.be.oneOf([401, 404]);
    }
    const unknown = await request(`${connector.url}/nowhere`);
    expect(unknown.status).to.equal(404);
    expect(unknown.body.type).to.equal('https://w3id.org/shuyu/v1/problems/not-found');
  });

  it('answers oversized headers with 431 and a body naming the limit', async () => {
    const response = await rawExchange(
      connector.server.port,
      `GET /dsp/catalog/request HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const { status, headers, body } = parsed(response);
    expect(status).to.equal(431);
    expect(headers).to.include('content-type: application/problem+json');
    expect(headers).to.include('connection: close');
    expect(body.type).to.equal('https://w3id.org/shuyu/v1/problems/headers-too-large');
    expect(String(body.detail)).to.match(/larger than the \d+ bytes this server accepts; send fewer/);
  });

  it('answers a HEAD request with oversized headers with 431 and no body (found by the HTTP fuzzer)', async () => {
    const response = await rawExchange(
      connector.server.port,
      `HEAD /dsp/catalog/request HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    const [head = '', body] = response.split('\r\n\r\n');
    expect(head).to.match(/^HTTP\/1\.1 431 /);
    expect(head.toLowerCase()).to.include('content-length: 0');
    expect(body).to.equal('');
  });

  it('answers a malformed request line with 400 and a body instead of a reset', async () => {
    for (const raw of ['NOT HTTP AT ALL\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n']) {
      const { status, headers, body } = parsed(await rawExchange(connector.server.port, raw));
      expect(status, raw).to.equal(400);
      expect(headers).to.include('content-type: application/problem+json');
      expect(body.type).to.equal('https://w3id.org/shuyu/v1/problems/malformed-request');
    }
    // The server still answers normally afterwards.
    expect((await request(`${connector.url}/.well-known/did.json`)).status).to.equal(200);
  });
});
