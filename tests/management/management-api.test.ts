// The management API on a real connector: the key file (generated once, owner-only, required on every
// call), assets and offers CRUD with the registry's refusals as problem+json with pointers, and the
// process resources' input checks.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import { request, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { assetInput, management, medicalContract, MEMBERS_ACCESS } from '../dsp/helpers.js';

describe('management API', function () {
  this.timeout(20_000);
  let space: LocalDataSpace;
  let connector: ControlPlaneConnector;
  const dir = (): string => join(space.dir, 'operator');

  before(async () => {
    space = await startLocalDataSpace();
    connector = await startControlPlaneConnector({
      dataDir: dir(),
      port: 0,
      authorityUrl: space.authority.url,
    });
  });
  after(async () => {
    await connector?.close();
    await space?.close();
  });

  it('generates the key once, owner-only, and keeps it across restarts', async () => {
    const file = join(dir(), 'management-api-key');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const key = connector.managementApiKey;
    expect(key).to.match(/^[A-Za-z0-9_-]{43}$/);
    const port = connector.server.port;
    await connector.close();
    connector = await startControlPlaneConnector({ dataDir: dir(), port, authorityUrl: space.authority.url });
    expect(connector.managementApiKey).to.equal(key);
  });

  it('refuses calls without the key or with another one', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-key-wrong-key',
      `Basic ${connector.managementApiKey}`,
    ]) {
      const answer = await request(`${connector.managementUrl}/assets`, {
        ...(authorization ? { headers: { authorization } } : {}),
      });
      expect(answer.status).to.equal(401);
      expect(answer.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(answer.headers.get('www-authenticate')).to.match(/^Bearer/);
      expect(String(answer.body.detail)).to.match(/management-api-key/);
    }
  });

  it('creates, reads, replaces and deletes assets, with the registry’s refusals as problems', async () => {
    const api = management(connector);
    const asset = assetInput('urn:dataset:m1', connector.did);
    expect((await api.post('/assets', asset)).status).to.equal(201);
    expect((await api.get(`/assets/${encodeURIComponent('urn:dataset:m1')}`)).body.title).to.equal(
      'Dataset urn:dataset:m1',
    );
    expect(((await api.get('/assets')).body.assets as unknown[]).length).to.equal(1);

    const again = await api.post('/assets', asset);
    expect(again.status).to.equal(409);
    expect(again.body.errors).to.deep.include({ pointer: '/id', reason: 'already registered' });

    const invalid = await api.post('/assets', {
      ...asset,
      id: 'urn:dataset:m2',
      sector: 'mining',
      dataGrade: 7,
    });
    expect(invalid.status).to.equal(400);
    const pointers = (invalid.body.errors as { pointer: string }[]).map((e) => e.pointer);
    expect(pointers).to.include.members(['/sector', '/dataGrade']);

    const replaced = await api.put(`/assets/${encodeURIComponent('urn:dataset:m1')}`, {
      ...asset,
      title: 'Renamed',
    });
    expect(replaced.status).to.equal(200);
    expect(replaced.body.title).to.equal('Renamed');
    expect((await api.get(`/assets/${encodeURIComponent('urn:dataset:none')}`)).status).to.equal(404);

    const offer = {
      id: 'm-offer',
      assetSelector: { assetIds: ['urn:dataset:m1'] },
      accessPolicy: MEMBERS_ACCESS,
      contractPolicy: medicalContract(),
    };
    const created = await api.post('/offers', offer);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.warnings).to.be.an('array');
    const inUse = await api.delete(`/assets/${encodeURIComponent('urn:dataset:m1')}`);
    expect(inUse.status).to.equal(409);
    expect(String(inUse.body.detail)).to.match(/m-offer/);

    const badPolicy = await api.put('/offers/m-offer', {
      ...offer,
      contractPolicy: {
        permission: [
          { action: 'use', constraint: [{ leftOperand: 'colour', operator: 'eq', rightOperand: 'red' }] },
        ],
      },
    });
    expect(badPolicy.status).to.equal(400);
    expect((badPolicy.body.errors as { pointer: string }[])[0]?.pointer).to.match(/^\/contractPolicy/);

    // A misspelt purpose would refuse every consumer: an error when publishing, unless allowUnknown=true.
    const misspelt = medicalContract();
    (misspelt.permission as { constraint: object[] }[])[0]?.constraint.push({
      leftOperand: 'purpose',
      operator: 'isA',
      rightOperand: 'scientific-reserch',
    });
    const refused = await api.put('/offers/m-offer', { ...offer, contractPolicy: misspelt });
    expect(refused.status).to.equal(400);
    const errors = refused.body.errors as { pointer: string; reason: string }[];
    expect(errors.map((e) => e.pointer)).to.deep.equal(['/contractPolicy/permission/0/constraint/3']);
    expect(errors[0]?.reason).to.match(/scientific-reserch.*allowUnknown=true/);
    const accepted = await api.put('/offers/m-offer?allowUnknown=true', {
      ...offer,
      contractPolicy: misspelt,
    });
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    expect(JSON.stringify(accepted.body.warnings)).to.include('scientific-reserch');
    expect((await api.put('/offers/m-offer?allowUnknown=yes', offer)).status).to.equal(400);

    expect((await api.delete('/offers/m-offer')).status).to.equal(204);
    expect((await api.delete(`/assets/${encodeURIComponent('urn:dataset:m1')}`)).status).to.equal(204);
    expect((await api.delete('/offers/m-offer')).status).to.equal(404);
  });

  it('checks a policy before publishing and explains a decision, storing nothing', async () => {
    const api = management(connector);
    const bad = await api.post('/policies/check', {
      policy: {
        uid: 'urn:x',
        permission: [
          { action: 'use', constraint: [{ leftOperand: 'colour', operator: 'eq', rightOperand: 'red' }] },
        ],
      },
    });
    expect(bad.status).to.equal(200);
    expect(bad.body.ok).to.equal(false);
    expect((bad.body.problems as { pointer: string }[])[0]?.pointer).to.equal(
      '/permission/0/constraint/0/leftOperand',
    );
    const template = JSON.parse(readFileSync('policies/templates/medical.json', 'utf8')) as object;
    expect((await api.post('/policies/check', { policy: template })).body.ok).to.equal(true);
    const decided = await api.post('/policies/evaluate', {
      policy: template,
      request: JSON.parse(readFileSync('policies/templates/requests/medical-deny.json', 'utf8')) as object,
    });
    expect(decided.status).to.equal(200);
    expect(decided.body).to.include({ decision: 'deny' });
    expect(String(decided.body.explanation)).to.have.length.greaterThan(40);
    expect((await api.post('/policies/evaluate', { policy: template })).status).to.equal(400);
  });

  it('refuses at registration a data address the data plane would never serve', async () => {
    const api = management(connector);
    for (const dataAddress of [
      { kind: 'file', path: '/etc/passwd' },
      { kind: 'http', url: 'http://169.254.169.254/latest/meta-data/' },
      { kind: 'ftp', url: 'ftp://example.com/x' },
    ]) {
      const refused = await api.post('/assets', {
        ...assetInput('urn:dataset:bad-address', connector.did),
        dataAddress,
      });
      expect(refused.status, JSON.stringify(dataAddress)).to.equal(400);
      expect((refused.body.errors as { pointer: string }[])[0]?.pointer).to.match(/^\/dataAddress/);
    }
    expect((await api.get(`/assets/${encodeURIComponent('urn:dataset:bad-address')}`)).status).to.equal(404);
  });

  it('checks negotiation and transfer input and says what is wrong', async () => {
    const api = management(connector);
    const missing = await api.post('/negotiations', { datasetId: 7 });
    expect(missing.status).to.equal(400);
    expect((missing.body.errors as { pointer: string }[]).map((e) => e.pointer)).to.include.members([
      '/counterPartyAddress',
      '/counterPartyId',
      '/datasetId',
    ]);

    const ssrf = await api.post('/negotiations', {
      counterPartyAddress: 'http://10.0.0.7/dsp',
      counterPartyId: 'did:web:peer.example',
      datasetId: 'urn:dataset:x',
      offer: { '@id': 'urn:offer:1', '@type': 'Offer', permission: [{ action: 'use' }] },
    });
    expect(ssrf.status).to.equal(400);
    expect(ssrf.body.errors).to.deep.include({
      pointer: '/counterPartyAddress',
      reason: String(ssrf.body.detail),
    });

    const unknown = await api.post(`/negotiations/${encodeURIComponent('urn:uuid:none')}/agree`);
    expect(unknown.status).to.equal(404);
    expect((await api.get(`/transfers/${encodeURIComponent('urn:uuid:none')}`)).status).to.equal(404);

    const noAgreement = await api.post('/transfers', {
      agreementId: 'urn:uuid:nothing',
      format: 'HttpData-PULL',
    });
    expect(noAgreement.status).to.equal(409);
    expect(noAgreement.body.type).to.match(/agreement-not-finalized$/);
    expect((await api.get('/negotiations?state=BOGUS')).status).to.equal(400);
    expect((await api.get('/transfers?limit=-1')).status).to.equal(400);
  });
});
