// The management API (and what else operators reach) has its own listener, 127.0.0.1 by default, never the
// public DSP port; the authority's admin API and console likewise. Both listeners of both processes answer
// /health and /ready, and the CLI finds the management listener from the data directory.
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import {
  CONNECTOR_CONFIG_FILE,
  MANAGEMENT_URL_FILE,
  managementUrlOf,
} from '../../connector/process/connector.js';
import { ADMIN_URL_FILE, adminUrlOf } from '../../catalog/authority/process.js';
import { managementClient } from '../../cli/management-client.js';
import { adminClient } from '../../cli/member.js';
import { request, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';

/** A port nothing listens on now (bound and released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every management path, as the management API's OpenAPI document lists them (ids filled in). */
async function managementPaths(connector: ControlPlaneConnector): Promise<string[]> {
  const doc = await request(`${connector.managementUrl}/openapi.json`, {
    headers: { authorization: `Bearer ${connector.managementApiKey}` },
  });
  expect(doc.status).to.equal(200);
  return Object.keys(doc.body.paths as object).map(
    (path) => `/management/v1${path.replace(/\{[^}]+\}/g, 'x')}`,
  );
}

describe('hardening: the management listener', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let connector: ControlPlaneConnector;
  const inWindow: Record<string, { status: number; type: string | null }> = {};

  before(async () => {
    space = await startLocalDataSpace();
    connector = await startControlPlaneConnector({
      dataDir: join(space.dir, 'operator'),
      port: 0,
      authorityUrl: space.authority.url,
      beforeReady: async (_url, managementUrl) => {
        for (const path of ['/management/v1/assets', '/health', '/ready', '/nowhere']) {
          const answer = await fetch(`${managementUrl}${path}`);
          await answer.text();
          inWindow[path] = { status: answer.status, type: answer.headers.get('content-type') };
        }
      },
    });
  });
  after(async () => {
    await connector?.close();
    await space?.close();
  });

  it('listens on 127.0.0.1 on a port of its own, and the management API answers there', async () => {
    const management = new URL(connector.managementUrl);
    expect(management.hostname).to.equal('127.0.0.1');
    expect(Number(management.port)).to.not.equal(connector.server.port);
    expect(management.pathname).to.equal('/management/v1');
    const assets = await request(`${connector.managementUrl}/assets`, {
      headers: { authorization: `Bearer ${connector.managementApiKey}` },
    });
    expect(assets.status).to.equal(200);
  });

  it('answers every management path on the public DSP port with a problem+json 404, key or not', async () => {
    const paths = await managementPaths(connector);
    expect(paths.length).to.be.greaterThan(20);
    for (const path of [...paths, '/management/v1', '/management/v1/openapi.json']) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const answer = await request(`${connector.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${connector.managementApiKey}`,
            'content-type': 'application/json',
          },
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
        });
        expect(answer.status, `${method} ${path}`).to.equal(404);
        expect(answer.headers.get('content-type'), path).to.match(/^application\/problem\+json/);
        expect(answer.body.type).to.equal('https://w3id.org/shuyu/v1/problems/not-found');
      }
    }
  });

  it('keeps DSP, DCP, the DID document and the data plane off the management listener', async () => {
    const origin = new URL(connector.managementUrl).origin;
    for (const path of [
      '/.well-known/did.json',
      '/dsp/catalog/request',
      '/dcp/v1/presentations/query',
      '/data/x',
    ]) {
      const answer = await request(`${origin}${path}`, { method: path.startsWith('/dsp') ? 'POST' : 'GET' });
      expect(answer.status, path).to.equal(404);
      expect(answer.headers.get('content-type'), path).to.match(/^application\/problem\+json/);
    }
  });

  it('held everything but /health at 503 problem+json while starting, never HTML', () => {
    expect(inWindow['/health']).to.deep.equal({ status: 200, type: 'application/json; charset=utf-8' });
    for (const path of ['/management/v1/assets', '/ready', '/nowhere']) {
      expect(inWindow[path], path).to.deep.equal({
        status: 503,
        type: 'application/problem+json; charset=utf-8',
      });
    }
  });

  it('answers /health and /ready on both listeners once ready', async () => {
    for (const [origin, role] of [
      [connector.url, 'public'],
      [new URL(connector.managementUrl).origin, 'management'],
    ] as const) {
      const health = await request(`${origin}/health`);
      expect(health.status).to.equal(200);
      expect(health.body).to.deep.equal({ status: 'ok', listener: role });
      const ready = await request(`${origin}/ready`);
      expect(ready.status, role).to.equal(200);
      expect(ready.body).to.deep.equal({
        status: 'ready',
        listener: role,
        checks: ['routes', 'store', 'authority'],
      });
    }
  });

  it('answers unknown paths, bad JSON and missing keys on the management listener with problem+json', async () => {
    const origin = new URL(connector.managementUrl).origin;
    const unknown = await request(`${origin}/nowhere`);
    expect(unknown.status).to.equal(404);
    expect(unknown.headers.get('content-type')).to.match(/^application\/problem\+json/);
    const badJson = await request(`${connector.managementUrl}/assets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${connector.managementApiKey}`, 'content-type': 'application/json' },
      body: '{"id": ',
    });
    expect(badJson.status).to.equal(400);
    expect(badJson.body.type).to.equal('https://w3id.org/shuyu/v1/problems/malformed-json');
    const noKey = await request(`${connector.managementUrl}/openapi.json`);
    expect(noKey.status).to.equal(401);
    expect(noKey.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it('writes its URL to the data directory, where the CLI finds it', async () => {
    const file = join(connector.dataDir, MANAGEMENT_URL_FILE);
    expect(readFileSync(file, 'utf8').trim()).to.equal(new URL(connector.managementUrl).origin);
    expect(managementUrlOf(connector.dataDir)).to.equal(new URL(connector.managementUrl).origin);
    const client = managementClient({ dir: connector.dataDir });
    expect(client.base).to.equal(connector.managementUrl);
    expect(await client.call('GET', '/assets')).to.have.property('assets');
  });
});

describe('hardening: the management listener across restarts and when not ready', function () {
  this.timeout(40_000);
  let space: LocalDataSpace;

  before(async () => {
    space = await startLocalDataSpace();
  });
  after(async () => {
    await space?.close();
  });

  it('takes its port from connector.json "management", removes its URL file on a clean stop', async () => {
    const dir = join(space.dir, 'fixed');
    const port = await freePort();
    const publicPort = await freePort(); // the DID follows from the public URL: keep it across the restart
    const first = await startControlPlaneConnector({
      dataDir: dir,
      port: publicPort,
      authorityUrl: space.authority.url,
    });
    await first.close();
    expect(existsSync(join(dir, MANAGEMENT_URL_FILE))).to.equal(false);
    expect(managementUrlOf(dir)).to.equal(undefined);
    expect(() => managementClient({ dir })).to.throw(/no connector found/);
    writeFileSync(join(dir, CONNECTOR_CONFIG_FILE), JSON.stringify({ authorityUrl: space.authority.url }));
    expect(() => managementClient({ dir })).to.throw(/is not running/);
    writeFileSync(
      join(dir, CONNECTOR_CONFIG_FILE),
      JSON.stringify({ authorityUrl: space.authority.url, port: publicPort, management: { port } }),
    );
    // Configured, but stopped: the CLI still knows where to look.
    expect(managementUrlOf(dir)).to.equal(`http://127.0.0.1:${port}`);
    const second = await startControlPlaneConnector({ dataDir: dir });
    try {
      expect(second.managementUrl).to.equal(`http://127.0.0.1:${port}/management/v1`);
      expect((await request(`http://127.0.0.1:${port}/health`)).status).to.equal(200);
    } finally {
      await second.close();
    }
  });

  it('answers /ready 503 naming the authority check while the authority is down, /health 200', async () => {
    const port = await freePort();
    const connector = await startControlPlaneConnector({
      dataDir: join(space.dir, 'orphan'),
      port: 0,
      authorityUrl: `http://127.0.0.1:${port}`,
    });
    try {
      for (const origin of [connector.url, new URL(connector.managementUrl).origin]) {
        const ready = await request(`${origin}/ready`);
        expect(ready.status, origin).to.equal(503);
        expect(ready.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(ready.body.check).to.equal('authority');
        expect(String(ready.body.detail)).to.match(/cannot reach http:\/\/127\.0\.0\.1:\d+/);
        expect((await request(`${origin}/health`)).status).to.equal(200);
      }
    } finally {
      await connector.close();
    }
  });
});

describe('hardening: the authority admin listener', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;

  before(async () => {
    space = await startLocalDataSpace();
  });
  after(async () => {
    await space?.close();
  });

  it('serves the admin API and the console on 127.0.0.1 on a port of its own', async () => {
    const admin = new URL(space.authority.admin.url);
    expect(admin.hostname).to.equal('127.0.0.1');
    expect(Number(admin.port)).to.not.equal(space.authority.server.port);
    const members = await space.admin('GET', '/members');
    expect(members.status).to.equal(200);
    expect((await fetch(`${space.authority.admin.url}/console/login`)).status).to.equal(200);
  });

  it('answers admin and console paths on the public port with a problem+json 404, key or not', async () => {
    const before = (await space.admin('GET', '/audit')).body.entries as unknown[];
    for (const [method, path] of [
      ['GET', '/authority/v1/admin/applications'],
      ['GET', '/authority/v1/admin/members'],
      ['POST', '/authority/v1/admin/applications/x/approve'],
      ['POST', '/authority/v1/admin/members/did%3Aweb%3Ax/revoke'],
      ['GET', '/authority/v1/admin/audit'],
      ['GET', '/authority/v1/admin/products'],
      ['POST', '/authority/v1/admin/products/x/approve'],
      ['GET', '/console'],
      ['GET', '/console/login'],
      ['POST', '/console/login'],
    ] as const) {
      const answer = await request(`${space.authority.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${space.adminKey}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{"reason":"x"}' } : {}),
      });
      expect(answer.status, `${method} ${path}`).to.equal(404);
      expect(answer.headers.get('content-type'), path).to.match(/^application\/problem\+json/);
    }
    expect((await space.admin('GET', '/audit')).body.entries).to.deep.equal(before);
  });

  it('keeps what members call on the public port', async () => {
    for (const path of [
      '/authority/v1',
      '/authority/v1/profile',
      '/authority/v1/status/revocation',
      '/.well-known/did.json',
      '/catalog/v1/search?q=x',
      '/authority/v1/products',
    ]) {
      expect((await fetch(`${space.authority.url}${path}`)).status, path).to.equal(200);
    }
  });

  it('answers /health and /ready on both listeners', async () => {
    for (const [origin, role] of [
      [space.authority.url, 'public'],
      [space.authority.admin.url, 'admin'],
    ] as const) {
      expect((await request(`${origin}/health`)).body).to.deep.equal({ status: 'ok', listener: role });
      const ready = await request(`${origin}/ready`);
      expect(ready.status).to.equal(200);
      expect(ready.body.checks).to.deep.equal(['routes', 'store']);
    }
  });

  it('writes its admin URL to the data directory, where "shuyu member" finds it', async () => {
    const dir = join(space.dir, 'authority');
    expect(readFileSync(join(dir, ADMIN_URL_FILE), 'utf8').trim()).to.equal(space.authority.admin.url);
    expect(adminUrlOf(dir)).to.equal(space.authority.admin.url);
    process.env.SHUYU_ADMIN_KEY = space.adminKey;
    try {
      expect(await adminClient({ dir }).members()).to.be.an('array');
    } finally {
      delete process.env.SHUYU_ADMIN_KEY;
    }
  });
});
