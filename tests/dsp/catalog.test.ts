// The DSP catalog between onboarded connectors: a caller sees only the datasets whose access policy
// its verified claims satisfy, one page at a time with Link headers; an unsupported filter is a 400
// CatalogError; the version endpoint needs no authentication, every other one does, and a revoked
// member is refused.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  request,
  startLocalDataSpace,
  USCC_B,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  dsp,
  management,
  MEDICAL_ACCESS,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
} from './helpers.js';

/** A CatalogRequestMessage as EDC writes it (tests/assets/fixtures/edc). */
function edcFixture(name: 'default' | 'query' | 'expanded'): Record<string, unknown> {
  const url = new URL(`../assets/fixtures/edc/catalog-request-${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as Record<string, unknown>;
}

const MEDICAL = ['urn:dataset:a', 'urn:dataset:b', 'urn:dataset:c'];
const OPEN = 'urn:dataset:open';
const REQUEST = {
  '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
  '@type': 'CatalogRequestMessage',
};

describe('dsp: catalog', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let bank: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace();
    // Revocations must show at once here (default: within 5 minutes).
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }), {
      revocationCheckIntervalMs: 0,
    });
    hospital = await startMember(space, 'hospital', hospitalApplication());
    bank = await startMember(space, 'bank', bankApplication());
    await publish(
      provider,
      [
        ...MEDICAL.map((id) => assetInput(id, provider.did)),
        assetInput(OPEN, provider.did, { keywords: ['weather'] }),
      ],
      [
        {
          id: 'medical',
          assetSelector: { assetIds: MEDICAL },
          accessPolicy: MEDICAL_ACCESS,
          contractPolicy: medicalContract(),
        },
        {
          id: 'open',
          assetSelector: { assetIds: [OPEN] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
  });
  after(async () => space?.close());

  function datasetIds(body: Record<string, unknown>): string[] {
    return ((body.dataset ?? []) as { '@id': string }[]).map((d) => d['@id']);
  }

  it('shows each caller only the datasets its claims may see', async () => {
    const forHospital = await dsp(provider, '/catalog/request', { body: REQUEST, caller: hospital });
    expect(forHospital.status, JSON.stringify(forHospital.body)).to.equal(200);
    expect(forHospital.body).to.include({ '@type': 'Catalog', participantId: provider.did });
    expect(datasetIds(forHospital.body)).to.deep.equal([...MEDICAL, OPEN]);

    const forBank = await dsp(provider, '/catalog/request', { body: REQUEST, caller: bank });
    expect(datasetIds(forBank.body)).to.deep.equal([OPEN]);
    // A hidden dataset and an unknown one answer alike.
    const hidden = await dsp(provider, `/catalog/datasets/${pid(MEDICAL[0] ?? '')}`, { caller: bank });
    const unknown = await dsp(provider, `/catalog/datasets/${pid('urn:dataset:nope')}`, { caller: bank });
    expect([hidden.status, unknown.status]).to.deep.equal([404, 404]);
    expect(hidden.body).to.include({ '@type': 'CatalogError', code: 'not-found' });
    const visible = await dsp(provider, `/catalog/datasets/${pid(OPEN)}`, { caller: bank });
    expect(visible.status).to.equal(200);
    expect(visible.body).to.include({ '@type': 'Dataset', '@id': OPEN });
    expect(visible.body['@context']).to.be.an('array');
  });

  it('pages with Link headers carrying cursors to the next and previous pages', async () => {
    const first = await dsp(provider, '/catalog/request?limit=3', { body: REQUEST, caller: hospital });
    expect(datasetIds(first.body)).to.deep.equal(MEDICAL);
    const link = first.headers.get('link') ?? '';
    expect(link).to.match(
      new RegExp(`^<${provider.url}/dsp/catalog/request\\?cursor=[\\w-]+&limit=3>; rel="next"$`),
    );

    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] ?? '';
    const second = await dsp(provider, next.slice(`${provider.url}/dsp`.length), {
      body: REQUEST,
      caller: hospital,
    });
    expect(datasetIds(second.body)).to.deep.equal([OPEN]);
    const back = /<([^>]+)>; rel="previous"/.exec(second.headers.get('link') ?? '')?.[1] ?? '';
    expect(second.headers.get('link')).to.not.include('rel="next"');
    const previous = await dsp(provider, back.slice(`${provider.url}/dsp`.length), {
      body: REQUEST,
      caller: hospital,
    });
    expect(datasetIds(previous.body)).to.deep.equal(MEDICAL);
    // Offsets still work, and a cursor that this catalog did not issue is a 400.
    const byOffset = await dsp(provider, '/catalog/request?offset=1&limit=2', {
      body: REQUEST,
      caller: hospital,
    });
    expect(datasetIds(byOffset.body)).to.deep.equal(MEDICAL.slice(1, 3));
    const forged = await dsp(provider, '/catalog/request?cursor=bm90LWEtY3Vyc29y', {
      body: REQUEST,
      caller: hospital,
    });
    expect(forged.status).to.equal(400);
    expect(forged.body).to.include({ '@type': 'CatalogError', code: 'bad-message' });
  });

  it('filters by keyword and refuses a filter it does not support with a 400 CatalogError', async () => {
    const filtered = await dsp(provider, '/catalog/request', {
      body: { ...REQUEST, filter: [{ 'dcat:keyword': 'weather' }] },
      caller: hospital,
    });
    expect(datasetIds(filtered.body)).to.deep.equal([OPEN]);

    const bySector = await dsp(provider, '/catalog/request', {
      body: { ...REQUEST, filter: [{ 'https://w3id.org/shuyu/v1#sector': 'energy' }] },
      caller: hospital,
    });
    expect(bySector.status).to.equal(200);
    expect(datasetIds(bySector.body)).to.deep.equal([]);

    const refused = await dsp(provider, '/catalog/request', {
      body: { ...REQUEST, filter: [{ 'dct:title': 'Dataset' }] },
      caller: hospital,
    });
    expect(refused.status).to.equal(400);
    expect(refused.body).to.include({ '@type': 'CatalogError', code: 'unsupported-filter' });
    expect(String((refused.body.reason as string[]).join(' '))).to.match(/dct:title.*not supported/);
    // A term outside the DSP context is refused by the message layer, also with a reason.
    const unknownTerm = await dsp(provider, '/catalog/request', {
      body: { ...REQUEST, filter: [{ colour: 'red' }] },
      caller: hospital,
    });
    expect(unknownTerm.status).to.equal(400);
    expect(unknownTerm.body).to.include({ '@type': 'CatalogError', code: 'bad-message' });

    const badPage = await dsp(provider, '/catalog/request?limit=abc', { body: REQUEST, caller: hospital });
    expect(badPage.status).to.equal(400);
  });

  it('answers the catalog requests EDC sends, QuerySpec filter and all', async () => {
    // EDC's default request: limit 50, offset 0, ASC, an empty filterExpression (filters nothing).
    const plain = await dsp(provider, '/catalog/request', { body: edcFixture('default'), caller: hospital });
    expect(plain.status, JSON.stringify(plain.body)).to.equal(200);
    expect(datasetIds(plain.body)).to.deep.equal([...MEDICAL, OPEN]);
    expect(plain.headers.get('link')).to.equal(null);
    // The bank sees only what it may see, whatever the query.
    const forBank = await dsp(provider, '/catalog/request', { body: edcFixture('default'), caller: bank });
    expect(datasetIds(forBank.body)).to.deep.equal([OPEN]);

    // Sort by id descending, criteria `in` and `like`, offset 1, limit 2; compact or expanded alike.
    for (const name of ['query', 'expanded'] as const) {
      const answer = await dsp(provider, '/catalog/request', { body: edcFixture(name), caller: hospital });
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      expect(datasetIds(answer.body), name).to.deep.equal(['urn:dataset:c', 'urn:dataset:b']);
      const next = /<([^>]+)>; rel="next"/.exec(answer.headers.get('link') ?? '')?.[1] ?? '';
      // The same message sent to the next link continues in the same order.
      const rest = await dsp(provider, next.slice(`${provider.url}/dsp`.length), {
        body: edcFixture(name),
        caller: hospital,
      });
      expect(datasetIds(rest.body)).to.deep.equal(['urn:dataset:a']);
    }
  });

  it('refuses a QuerySpec criterion it cannot honour with a 400 naming it, and changes nothing', async () => {
    const before = await dsp(provider, '/catalog/request', { body: REQUEST, caller: hospital });
    const body = edcFixture('default') as { filter: Record<string, unknown>[] };
    const spec = {
      ...body.filter[0],
      filterExpression: [
        {
          '@type': 'Criterion',
          operandLeft: 'https://w3id.org/edc/v0.0.1/ns/contenttype',
          operator: '=',
          operandRight: 'text/csv',
        },
      ],
    };
    const refused = await dsp(provider, '/catalog/request', {
      body: { ...body, filter: [spec] },
      caller: hospital,
    });
    expect(refused.status).to.equal(400);
    expect(refused.body).to.include({ '@type': 'CatalogError', code: 'unsupported-filter' });
    const reason = (refused.body.reason as string[]).join(' ');
    expect(reason)
      .to.include('https://w3id.org/edc/v0.0.1/ns/contenttype')
      .and.include('"="')
      .and.include('"text/csv"');
    const after = await dsp(provider, '/catalog/request', { body: REQUEST, caller: hospital });
    expect(after.body).to.deep.equal(before.body);
  });

  it('serves the version document without authentication and refuses unauthenticated DSP calls', async () => {
    const version = await request(`${provider.url}/.well-known/dspace-version`);
    expect(version.status).to.equal(200);
    expect(version.body).to.deep.equal({
      protocolVersions: [{ version: '2025-1', path: '/dsp', binding: 'HTTPS' }],
    });

    const anonymous = await dsp(provider, '/catalog/request', { body: REQUEST });
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body).to.include({ '@type': 'CatalogError' });
    expect((anonymous.body.reason as string[])[0])
      .to.be.a('string')
      .and.not.equal('');
    const negotiation = await dsp(provider, `/negotiations/${pid('urn:uuid:x')}`);
    expect(negotiation.status).to.equal(401);
    expect(negotiation.body['@type']).to.equal('ContractNegotiationError');
  });

  it('lets the operator ask a peer’s catalog through the management API, within the host policy', async () => {
    const api = management(hospital);
    const answer = await api.post('/catalog/request', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      limit: 2,
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(datasetIds(answer.body.catalog as Record<string, unknown>)).to.deep.equal(MEDICAL.slice(0, 2));
    const next = (answer.body.links as Record<string, string>).next ?? '';
    expect(next).to.match(/cursor=[\w-]+&limit=2$/);
    // The operator follows the link by its cursor, and may pass an EDC QuerySpec (expanded keys) on.
    const second = await api.post('/catalog/request', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      cursor: new URL(next).searchParams.get('cursor'),
      limit: 2,
    });
    expect(datasetIds(second.body.catalog as Record<string, unknown>)).to.deep.equal([MEDICAL[2], OPEN]);
    const edc = 'https://w3id.org/edc/v0.0.1/ns/';
    const queried = await api.post('/catalog/request', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      filter: [{ '@type': `${edc}QuerySpec`, [`${edc}limit`]: 1, [`${edc}sortOrder`]: 'DESC' }],
    });
    expect(queried.status, JSON.stringify(queried.body)).to.equal(200);
    expect(datasetIds(queried.body.catalog as Record<string, unknown>)).to.deep.equal([OPEN]);

    const ssrf = await api.post('/catalog/request', {
      counterPartyAddress: 'http://169.254.169.254/latest/meta-data',
      counterPartyId: provider.did,
    });
    expect(ssrf.status).to.equal(400);
    expect(String(ssrf.body.detail)).to.match(/http/);
  });

  it('refuses a member whose credentials were revoked (403, with the reason)', async () => {
    const clinic = await startMember(
      space,
      'clinic',
      hospitalApplication({ organisationName: 'Haidian Clinic', registrationNumber: USCC_B }),
    );
    expect((await dsp(provider, '/catalog/request', { body: REQUEST, caller: clinic })).status).to.equal(200);
    const revoked = await space.admin('POST', `/members/${encodeURIComponent(clinic.did)}/revoke`, {
      reason: 'left the data space',
    });
    expect(revoked.status).to.equal(200);
    const refused = await dsp(provider, '/catalog/request', { body: REQUEST, caller: clinic });
    expect(refused.status).to.equal(403);
    expect(refused.body).to.include({ '@type': 'CatalogError', code: 'credential-revoked' });
  });
});
