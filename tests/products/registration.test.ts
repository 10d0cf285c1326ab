// Data-product registration end to end, over HTTP with real SQLite: a provider applies through the CLI (its
// connector's management API signs and submits), a reviewer registers it in the console, the provider's DSP
// dataset then references the credential, the federated catalog shows it as registered (facet and dataset),
// and the credential verifies offline. Rejection carries the reviewer's reason; invalid descriptions are
// refused with JSON pointers and nothing is stored.
import { expect } from 'chai';
import jsonld from 'jsonld';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { parseProductId } from '../../catalog/authority/products/identifier.js';
import { DSP_DOCUMENT_LOADER, parseDspMessage } from '../../connector/dsp/messages/index.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { bankApplication, request, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { dsp, management, startMember } from '../dsp/helpers.js';
import { DIAGNOSES, productDescription, startProvider, VISITS } from './helpers.js';
import { consoleSession } from '../console/session.js';

const SHUYU = 'https://w3id.org/shuyu/v1#';

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(args, { line: (t = '') => lines.push(t), error: (t) => lines.push(t) } as Output);
  return { code, text: lines.join('\n') };
}

describe('data-product registration', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let cli: string[];
  let adminCli: string[];
  const savedKey = process.env.SHUYU_ADMIN_KEY;

  const file = (name: string, value: unknown): string => {
    const path = join(space.dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startProvider(space);
    consumer = await startMember(space, 'bank', bankApplication());
    cli = ['--dir', join(space.dir, 'hospital'), '--url', provider.management.url];
    process.env.SHUYU_ADMIN_KEY = space.adminKey;
    adminCli = ['--admin-url', space.authority.admin.url, '--authority-dir', join(space.dir, 'none')];
  });

  after(async () => {
    if (savedKey === undefined) delete process.env.SHUYU_ADMIN_KEY;
    else process.env.SHUYU_ADMIN_KEY = savedKey;
    await space?.close();
  });

  it('refuses an invalid description with a pointer per problem and stores nothing', async () => {
    const bad = productDescription({
      name: { zh: '门诊就诊统计' },
      dataGrade: 'secret',
      updateFrequency: 'sometimes',
      complianceAssessment: { summary: { zh: '评估', en: 'assessed' }, assessor: 'X', date: '2999-01-01' },
      colour: 'blue',
    });
    const result = await run([
      'product',
      'apply',
      ...cli,
      '--dataset',
      VISITS,
      '--file',
      file('bad.json', bad),
    ]);
    expect(result.code, result.text).to.equal(1);
    for (const pointer of ['/name/en', '/dataGrade', '/updateFrequency', '/colour']) {
      expect(result.text).to.include(`${pointer}:`);
    }
    // The date is judged once the shape is right: alone, it is the one problem.
    const future = productDescription({
      complianceAssessment: { summary: { zh: '评估', en: 'assessed' }, assessor: 'X', date: '2999-01-01' },
    });
    const dated = await run(['product', 'apply', ...cli, '--file', file('future.json', future)]);
    expect(dated.code).to.equal(1);
    expect(dated.text).to.include('/complianceAssessment/date: lies in the future');
    // A dataset the connector does not hold is refused before the authority is asked.
    const unknown = await run([
      'product',
      'apply',
      ...cli,
      '--dataset',
      'urn:dataset:nope',
      '--file',
      file('ok.json', productDescription()),
    ]);
    expect(unknown.code).to.equal(1);
    expect(unknown.text).to.include('/datasetIds/0: urn:dataset:nope is not one of this connector');

    const atAuthority = await space.admin('GET', '/products');
    expect(atAuthority.body.products).to.deep.equal([]);
    const atConnector = await management(provider).get('/products');
    expect(atConnector.body.products).to.deep.equal([]);
  });

  it('refuses applications from non-members and unauthenticated callers', async () => {
    const anonymous = await request(`${space.authority.url}/authority/v1/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(productDescription({ dspEndpoint: 'http://x.example/dsp' })),
    });
    expect(anonymous.status).to.equal(401);
  });

  let productId = '';
  let credentialId = '';

  it('registers a product applied for through the CLI, approved in the console', async () => {
    const applied = await run([
      'product',
      'apply',
      ...cli,
      '--dataset',
      VISITS,
      '--file',
      file('product.json', productDescription()),
    ]);
    expect(applied.code, applied.text).to.equal(0);
    const applicationId = /application (urn:uuid:[0-9a-f-]+)/.exec(applied.text)?.[1] ?? '';
    expect(applicationId).to.not.equal('');

    const pending = await run(['product', 'pending', ...adminCli]);
    expect(pending.code, pending.text).to.equal(0);
    expect(pending.text).to.include(applicationId).and.include('Beijing Research Hospital');

    const session = await consoleSession(space.authority.admin.url, space.adminKey);
    const adminPage = await session.get('/console/admin');
    expect(adminPage).to.include(applicationId).and.include('门诊就诊统计');
    const approved = await session.post('/console/admin/products/approve', { id: applicationId });
    expect(approved.status).to.equal(303);
    expect(await session.get('/console/admin')).to.match(/Registered .* as SY-DS-\d{4}-000001-/);

    const shown = await run(['product', 'show', applicationId, ...cli, '--json']);
    expect(shown.code, shown.text).to.equal(0);
    const record = JSON.parse(shown.text) as Record<string, string>;
    expect(record.state).to.equal('registered');
    productId = record.productId ?? '';
    credentialId = record.credentialId ?? '';
    expect(parseProductId(productId)).to.deep.include({ code: 'DS', sequence: 1 });

    // The provider's DSP dataset references the registration, with full IRIs (they survive expansion).
    const dataset = await dsp(provider, `/catalog/datasets/${encodeURIComponent(VISITS)}`, {
      caller: consumer,
    });
    expect(dataset.status, JSON.stringify(dataset.body)).to.equal(200);
    expect(dataset.body[`${SHUYU}registration`]).to.deep.equal({
      '@id': credentialId,
      [`${SHUYU}productId`]: productId,
      [`${SHUYU}credentialUrl`]: {
        '@id': `${space.authority.url}/authority/v1/products/${productId}/credential`,
      },
    });
    // Still a valid DSP Dataset, and JSON-LD expansion with the bundled contexts keeps the registration.
    const parsed = await parseDspMessage('Dataset', structuredClone(dataset.body));
    expect(parsed.ok, JSON.stringify(parsed)).to.equal(true);
    const [expanded] = (await jsonld.expand(
      structuredClone(dataset.body) as jsonld.JsonLdDocument,
      {
        documentLoader: DSP_DOCUMENT_LOADER,
      } as unknown as jsonld.Options.Expand,
    )) as Record<string, unknown>[];
    expect(expanded?.[`${SHUYU}registration`]).to.deep.equal([
      {
        '@id': credentialId,
        [`${SHUYU}productId`]: [{ '@value': productId }],
        [`${SHUYU}credentialUrl`]: [
          { '@id': `${space.authority.url}/authority/v1/products/${productId}/credential` },
        ],
      },
    ]);
    const other = await dsp(provider, `/catalog/datasets/${encodeURIComponent(DIAGNOSES)}`, {
      caller: consumer,
    });
    expect(other.body[`${SHUYU}registration`]).to.equal(undefined);

    const audit = await space.admin('GET', `/audit?subject=${encodeURIComponent(applicationId)}`);
    expect((audit.body.entries as { action: string }[]).map((e) => e.action)).to.deep.equal([
      'product.register',
      'product.apply',
    ]);
  });

  it('shows the registration in the federated catalog: facet, dataset and console', async () => {
    await space.authority.federation.crawlNow();
    const search = await request(`${space.authority.url}/catalog/v1/search?registered=registered`, {
      headers: { authorization: `Bearer ${space.adminKey}` },
    });
    expect(search.status, JSON.stringify(search.body)).to.equal(200);
    const results = search.body.results as { datasetId: string; registration?: { productId: string } }[];
    expect(results.map((r) => r.datasetId)).to.deep.equal([VISITS]);
    expect(results[0]?.registration?.productId).to.equal(productId);
    const facets = search.body.facets as Record<string, { value: string; count: number }[]>;
    expect(facets.registered).to.deep.include({ value: 'registered', count: 1 });

    const detail = await request(
      `${space.authority.url}/catalog/v1/datasets/${encodeURIComponent(provider.did)}/${encodeURIComponent(VISITS)}`,
      { headers: { authorization: `Bearer ${space.adminKey}` } },
    );
    expect((detail.body.registration as { productId: string }).productId).to.equal(productId);

    const session = await consoleSession(space.authority.admin.url, space.adminKey);
    const page = await session.get(
      `/console/dataset?provider=${encodeURIComponent(provider.did)}&id=${encodeURIComponent(VISITS)}`,
    );
    expect(page)
      .to.include(productId)
      .and.include('门诊就诊统计')
      .and.include('Beijing Data Compliance Ltd.');
    const products = await session.get('/console/products');
    expect(products).to.include(productId).and.include('Outpatient visit statistics');
  });

  it('issues a credential that verifies offline', async () => {
    const jwt = await (
      await fetch(`${space.authority.url}/authority/v1/products/${productId}/credential`)
    ).text();
    const didDocument = await (await fetch(`${space.authority.url}/.well-known/did.json`)).text();
    const verified = await run([
      'credential',
      'verify',
      file('registration.jwt', jwt),
      '--trust',
      space.authority.did,
      '--did-document',
      file('authority-did.json', didDocument),
    ]);
    expect(verified.code, verified.text).to.equal(0);
    expect(verified.text).to.include('DataProductRegistration').and.include(`urn:shuyu:product:${productId}`);
  });

  it("rejects with the reviewer's reason, and keeps a dataset in one product at a time", async () => {
    const twice = await run([
      'product',
      'apply',
      ...cli,
      '--dataset',
      VISITS,
      '--file',
      file('again.json', productDescription()),
    ]);
    expect(twice.code).to.equal(1);
    expect(twice.text).to.include('/datasetIds/0: is in product application');

    const applied = await run([
      'product',
      'apply',
      ...cli,
      '--dataset',
      DIAGNOSES,
      '--file',
      file('diag.json', productDescription()),
    ]);
    const applicationId = /application (urn:uuid:[0-9a-f-]+)/.exec(applied.text)?.[1] ?? '';
    const rejected = await run([
      'product',
      'reject',
      applicationId,
      '--reason',
      'scope does not match the dataset',
      ...adminCli,
    ]);
    expect(rejected.code, rejected.text).to.equal(0);
    const again = await run(['product', 'reject', applicationId, '--reason', 'twice', ...adminCli]);
    expect(again.code).to.equal(1);
    expect(again.text).to.include('already rejected');

    const shown = await run(['product', 'show', applicationId, ...cli]);
    expect(shown.text).to.include('rejected').and.include('reason: scope does not match the dataset');
    const listed = await run(['product', 'list', ...cli]);
    expect(listed.text).to.include('2 product registrations').and.include(productId);
  });
});
