// Reviewing product applications: the admin API (keys, state filter, approve with a note, reject), the CLI's
// approve, the console's reject form, the public registry, and the member's standing at each step.
import { expect } from 'chai';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { request, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { management } from '../dsp/helpers.js';
import { DIAGNOSES, productDescription, startProvider, VISITS } from './helpers.js';
import { consoleSession } from '../console/session.js';

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(args, { line: (t = '') => lines.push(t), error: (t) => lines.push(t) } as Output);
  return { code, text: lines.join('\n') };
}

describe('data-product review', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  const savedKey = process.env.SHUYU_ADMIN_KEY;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startProvider(space);
    process.env.SHUYU_ADMIN_KEY = space.adminKey;
  });

  after(async () => {
    if (savedKey === undefined) delete process.env.SHUYU_ADMIN_KEY;
    else process.env.SHUYU_ADMIN_KEY = savedKey;
    await space?.close();
  });

  const apply = async (datasetIds: string[]): Promise<string> => {
    const r = await management(provider).post('/products', productDescription({ datasetIds }));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body.description).to.deep.include({ dspEndpoint: `${provider.url}/dsp` });
    return r.body.id as string;
  };

  it('needs the admin key, and checks the state filter', async () => {
    const id = await apply([VISITS]);
    expect((await space.admin('GET', '/products', undefined, 'shuyu_admin_wrong')).status).to.equal(401);
    const bad = await space.admin('GET', '/products?state=approved');
    expect(bad.status).to.equal(400);
    expect(bad.body.errors).to.deep.equal([
      { pointer: 'state', reason: 'must be one of pending, registered, rejected' },
    ]);
    const pending = await space.admin('GET', '/products?state=pending');
    expect((pending.body.products as { id: string }[]).map((p) => p.id)).to.deep.equal([id]);
    expect((await space.admin('GET', '/products/urn:uuid:nope')).status).to.equal(404);
    // Not public while pending.
    expect((await request(`${space.authority.url}/authority/v1/products/${id}`)).status).to.equal(404);
  });

  it('registers through the CLI with a note; the public registry shows it, without the reviewer', async () => {
    const [pending] = (await space.admin('GET', '/products?state=pending')).body.products as { id: string }[];
    const approved = await run([
      'product',
      'approve',
      pending?.id ?? '',
      '--note',
      'description checked',
      '--admin-url',
      space.authority.admin.url,
      '--authority-dir',
      join(space.dir, 'none'),
    ]);
    expect(approved.code, approved.text).to.equal(0);
    const productId = /as (SY-DS-\d{4}-000001-[0-9A-Z])/.exec(approved.text)?.[1] ?? '';
    expect(productId).to.not.equal('');
    const listed = await request(`${space.authority.url}/authority/v1/products`);
    const products = listed.body.products as Record<string, unknown>[];
    expect(products.map((p) => p.productId)).to.deep.equal([productId]);
    expect(products[0]).to.not.have.property('credential');
    expect(products[0]).to.not.have.property('decidedBy');
    expect(products[0]).to.deep.include({ decisionNote: 'description checked' });
    expect(products[0]?.provider).to.deep.include({ organisationName: 'Beijing Research Hospital' });
    const credential = await fetch(`${space.authority.url}/authority/v1/products/${productId}/credential`);
    expect(credential.headers.get('content-type')).to.match(/^application\/vc\+jwt/);
    // Decided once.
    const again = await space.admin('POST', `/products/${pending?.id ?? ''}/approve`, {});
    expect(again.status).to.equal(409);
  });

  it('rejects in the console with a reason; a reason is required', async () => {
    const id = await apply([DIAGNOSES]);
    const session = await consoleSession(space.authority.admin.url, space.adminKey);
    const post = async (form: Record<string, string>) => {
      await session.post('/console/admin/products/reject', form);
      return session.get('/console/admin'); // the notice shows on the next page
    };
    const noReason = await post({ id, reason: ' ' });
    expect(noReason).to.include('A rejection needs a reason');
    expect((await space.admin('GET', `/products/${id}`)).body.state).to.equal('pending');
    const rejected = await post({ id, reason: 'the scope names no period' });
    expect(rejected).to.include('Rejected');
    const record = (await space.admin('GET', `/products/${id}`)).body;
    expect(record).to.deep.include({ state: 'rejected', decisionNote: 'the scope names no period' });
    expect(record.decidedBy).to.equal('admin:test-admin');
    // The provider sees the reason.
    const mine = await management(provider).get(`/products/${encodeURIComponent(id)}`);
    expect(mine.body).to.deep.include({ state: 'rejected', decisionNote: 'the scope names no period' });
  });

  it('takes applications from active members only', async () => {
    // The rejected dataset may be applied for again.
    const id = await apply([DIAGNOSES]);
    const suspended = await space.admin('POST', `/members/${encodeURIComponent(provider.did)}/suspend`, {
      reason: 'audit',
    });
    expect(suspended.status).to.equal(200);
    const refused = await space.admin('POST', `/products/${id}/approve`, {});
    expect(refused.status).to.equal(409);
    expect(refused.body.detail).to.include('suspended');
    const applied = await management(provider).post(
      '/products',
      productDescription({ datasetIds: [VISITS] }),
    );
    expect(applied.status).to.equal(403);
    await space.admin('POST', `/members/${encodeURIComponent(provider.did)}/reinstate`, {});
    const registered = await space.admin('POST', `/products/${id}/approve`, {});
    expect(registered.status, JSON.stringify(registered.body)).to.equal(200);
    expect(registered.body.productId).to.match(/^SY-DS-\d{4}-000002-/);
  });
});
