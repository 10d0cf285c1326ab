// End to end: an authority running the federated catalog and four onboarded connectors on 127.0.0.1,
// real DSP catalogs, real SQLite. The crawler indexes every member's catalog with the catalog's own
// credentials; searches show each asker only what its credentials would show it at the provider.
import { expect } from 'chai';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { validateDspMessage } from '../../connector/dsp/messages/validate.js';
import { ACCESS_POLICY_KEY } from '../../connector/assets/index.js';
import type { CrawlSummary } from '../../catalog/federation/index.js';
import { USCC_A, USCC_B } from '../authority/helpers.js';
import {
  ACCESS,
  asset,
  facet,
  ids,
  publish,
  request,
  startFederationSpace,
  template,
  type FederationSpace,
  type SearchBody,
} from './helpers.js';

const OUTPATIENT = 'urn:ds:outpatient-visits';
const CLINIC = 'urn:ds:clinic-records';
const BEDS = 'urn:ds:bed-occupancy';
const GRID = 'urn:ds:grid-load';
const CREDIT = 'urn:ds:credit-scores';
const ARCHIVE = Array.from({ length: 105 }, (_, i) => `urn:ds:archive:${String(i).padStart(3, '0')}`);
const DSP_REQUEST = {
  '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
  '@type': 'CatalogRequestMessage',
};

/** An offer open to anyone, for public-health use. */
const PUBLIC_HEALTH = {
  '@type': 'Offer',
  permission: [
    {
      action: 'use',
      constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'public-health' }],
    },
  ],
};

describe('federation: crawl and search end to end', function () {
  this.timeout(40_000);
  let space: FederationSpace;
  let hospital: ControlPlaneConnector;
  let grid: ControlPlaneConnector;
  let bank: ControlPlaneConnector;
  let archive: ControlPlaneConnector;

  before(async () => {
    space = await startFederationSpace();
    const application = (
      organisationName: string,
      registrationNumber: string,
      sector: string,
      roles: string[],
    ) => ({
      organisationName,
      registrationNumber,
      sectors: [{ sector, roles }],
      contact: 'data-office@example.org',
    });
    [hospital, grid, bank, archive] = await Promise.all([
      space.member('hospital', {
        ...application('Beijing Research Hospital', USCC_A, 'medical', ['hospital', 'research-institute']),
        dataGradeClearance: 'important',
      }),
      space.member('grid', {
        ...application('Haidian Grid Company', 'CN-TEST:grid-company', 'energy', ['grid-operator']),
        dataGradeClearance: 'general',
      }),
      space.member('bank', {
        ...application('Haidian Commercial Bank', USCC_B, 'finance', ['bank']),
        dataGradeClearance: 'JR-L3',
      }),
      space.member('archive', {
        ...application('Capital University', 'CN-TEST:capital-university', 'education', ['university']),
        dataGradeClearance: 'general',
      }),
    ]);
    await publish(
      hospital,
      [
        asset(OUTPATIENT, hospital.did, {
          title: 'Outpatient visits 2025',
          description: 'Anonymised outpatient visits of Beijing hospitals',
          keywords: ['outpatient', 'visits'],
          dataGrade: 'important',
          modified: '2025-06-01T00:00:00Z',
        }),
        asset(CLINIC, hospital.did, {
          title: '门诊就诊记录 2024',
          description: 'Clinic records',
          format: 'application/json',
          modified: '2024-12-01T00:00:00Z',
        }),
        asset(BEDS, hospital.did, {
          title: 'Hospital bed occupancy',
          description: 'Daily occupied beds',
          format: 'application/json',
          modified: '2026-01-01T00:00:00Z',
        }),
      ],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [OUTPATIENT, CLINIC] },
          accessPolicy: ACCESS.sector('medical'),
          contractPolicy: template('medical'),
        },
        {
          id: 'open-stats',
          assetSelector: { assetIds: [BEDS] },
          accessPolicy: ACCESS.open,
          contractPolicy: PUBLIC_HEALTH,
        },
      ],
    );
    await publish(
      grid,
      [
        asset(GRID, grid.did, {
          title: 'Grid load forecasting data',
          description: 'Hourly load of the Haidian grid',
          keywords: ['load'],
          sector: 'energy',
        }),
      ],
      [
        {
          id: 'planning',
          assetSelector: {},
          accessPolicy: ACCESS.members,
          contractPolicy: template('energy'),
        },
      ],
    );
    await publish(
      bank,
      [
        asset(CREDIT, bank.did, {
          title: 'SME credit scores',
          sector: 'finance',
          dataGrade: 'JR-L3',
          licence: 'https://licences.example/commercial',
        }),
      ],
      [
        {
          id: 'risk',
          assetSelector: {},
          accessPolicy: ACCESS.sector('finance'),
          contractPolicy: template('finance'),
        },
      ],
    );
    await publish(
      archive,
      ARCHIVE.map((id) =>
        asset(id, archive.did, { title: `Graduate statistics ${id.slice(-3)}`, sector: 'education' }),
      ),
      [
        {
          id: 'stats',
          assetSelector: { sector: 'education' },
          accessPolicy: ACCESS.members,
          contractPolicy: template('education'),
        },
      ],
    );
  });
  after(async () => space?.close());

  const search = async (query: string, as?: Parameters<FederationSpace['catalog']>[1]) => {
    const r = await space.catalog(`/v1/search?${query}`, as);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  };

  it('crawls every member with the catalog role, following the DSP pagination, and reports per connector', async () => {
    const summary = await space.authority.federation.crawlNow();
    expect(summary).to.include({ providers: 4, changed: 4, unchanged: 0, failed: 0 });
    expect(summary.datasets.added).to.equal(110);

    const status = await space.catalog('/v1/crawl-status', 'admin');
    expect(status.status).to.equal(200);
    const providers = status.body.providers as {
      did: string;
      state: string;
      datasetCount: number;
      pages: number;
      lastSuccessAt?: string;
    }[];
    const archived = providers.find((p) => p.did === archive.did);
    expect(archived).to.include({ state: 'ok', datasetCount: 105, pages: 2 }); // 100 per page at the provider
    expect(providers.map((p) => p.state)).to.deep.equal(['ok', 'ok', 'ok', 'ok']);
    expect(providers.every((p) => typeof p.lastSuccessAt === 'string')).to.equal(true);

    // The catalog's own credentials: membership with the catalog role, kept in the authority's database.
    const records = await space.authority.federation.identity.records();
    expect(records.map((r) => r.type)).to.include('MembershipCredential');
    // Members cannot see crawl status.
    expect((await space.catalog('/v1/crawl-status', hospital)).status).to.equal(403);
    expect((await space.catalog('/v1/crawl-status')).status).to.equal(401);
  });

  it('shows each asker only what its credentials would show it at the provider', async () => {
    const all = await search('limit=1', 'admin');
    expect(all.total).to.equal(110);
    expect(facet(all, 'sector')).to.deep.equal({ education: 105, medical: 3, energy: 1, finance: 1 });

    // The hospital holds a medical sector credential; the bank does not, but holds a finance one.
    expect((await search('limit=1', hospital)).total).to.equal(109);
    expect((await search('limit=1', bank)).total).to.equal(108);
    expect(ids(await search('q=outpatient', hospital))).to.deep.equal([OUTPATIENT]);
    expect(ids(await search('q=outpatient', bank))).to.deep.equal([]);
    expect(ids(await search('q=credit', bank))).to.deep.equal([CREDIT]);
    expect(ids(await search('q=credit', hospital))).to.deep.equal([]);
    expect(facet(await search('limit=1', bank), 'sector')).to.deep.equal({
      education: 105,
      medical: 1,
      energy: 1,
      finance: 1,
    });

    // Anonymous: only offers whose access policy admits a caller holding nothing.
    const anonymous = await search('');
    expect(ids(anonymous)).to.deep.equal([BEDS]);

    // Admins see every offer and every dataset.
    expect(ids(await search('q=outpatient', 'admin'))).to.deep.equal([OUTPATIENT]);
  });

  it('serves a dataset with its offers in readable form, or 404 when the asker may not see it', async () => {
    const path = `/v1/datasets/${encodeURIComponent(hospital.did)}/${encodeURIComponent(OUTPATIENT)}`;
    const forHospital = await space.catalog(path, hospital);
    expect(forHospital.status, JSON.stringify(forHospital.body)).to.equal(200);
    expect(forHospital.body).to.include({ datasetId: OUTPATIENT, dataGrade: 'important', sector: 'medical' });
    const [offer] = forHospital.body.offers as {
      id: string;
      offer: Record<string, unknown>;
      summary: { sentences: string[] };
      accessPolicy?: unknown;
    }[];
    expect(offer?.id).to.equal(`urn:shuyu:offer:research:${OUTPATIENT}`);
    expect(offer?.offer).to.include({ '@type': 'Offer', assigner: hospital.did });
    expect(offer?.summary.sentences[0]).to.match(/may use the data for scientific research.*in China/);
    expect(offer?.summary.sentences.join(' '))
      .to.match(/anonymise the data/)
      .and.match(/Forbidden: distribute/);
    expect(offer?.accessPolicy).to.equal(undefined); // only admins see access policies

    const forAdmin = await space.catalog(path, 'admin');
    expect((forAdmin.body.offers as { accessPolicy?: unknown }[])[0]?.accessPolicy).to.be.an('object');

    const forBank = await space.catalog(path, bank);
    const unknown = await space.catalog(
      `/v1/datasets/${encodeURIComponent(hospital.did)}/urn%3Ads%3Anope`,
      bank,
    );
    expect([forBank.status, unknown.status]).to.deep.equal([404, 404]);
    expect(forBank.body.detail).to.equal(unknown.body.detail?.toString().replace('urn:ds:nope', OUTPATIENT));
  });

  it('searches text (English stems and Chinese) and ranks title matches first', async () => {
    expect(ids(await search('q=forecast', 'admin'))).to.deep.equal([GRID]);
    expect(ids(await search('q=就诊', 'admin'))).to.deep.equal([CLINIC]);
    // "hospital" is in one title and in another's description ("hospitals").
    expect(ids(await search('q=hospital', 'admin'))).to.deep.equal([BEDS, OUTPATIENT]);
    expect(ids(await search('q=%22%3B%20DROP%20TABLE', 'admin'))).to.deep.equal([]); // quoted, never syntax
  });

  it('filters by dataset facets and by policy features of the offers', async () => {
    expect(ids(await search('sector=energy', 'admin'))).to.deep.equal([GRID]);
    expect(ids(await search('grade=important', 'admin'))).to.deep.equal([OUTPATIENT]);
    expect(ids(await search('format=application/json&sort=title', 'admin'))).to.deep.equal([BEDS, CLINIC]);
    // The publisher is the member's organisation, as its MembershipCredential names it (DCAT-AP foaf:name).
    expect(
      ids(await search(`publisher=${encodeURIComponent('Haidian Grid Company')}`, 'admin')),
    ).to.deep.equal([GRID]);
    expect(ids(await search('licence=https%3A%2F%2Flicences.example%2Fcommercial', 'admin'))).to.deep.equal([
      CREDIT,
    ]);
    expect(ids(await search('sector=medical&sector=finance&sort=title', 'admin'))).to.deep.equal([
      BEDS,
      OUTPATIENT,
      CREDIT,
      CLINIC,
    ]);

    // An offer for scientific research serves a clinical-research need (the purpose hierarchy).
    expect(ids(await search('purpose=clinical-research&sort=title', 'admin'))).to.deep.equal([
      OUTPATIENT,
      CLINIC,
    ]);
    // Only the open offer does not restrict the place of use.
    expect(ids(await search('region=DE', 'admin'))).to.deep.equal([BEDS]);
    expect(ids(await search('region=CN-BJ&sector=energy', 'admin'))).to.deep.equal([GRID]);
    expect(ids(await search('credential=DataGradeClearance', 'admin'))).to.deep.equal([CREDIT]);
    expect(ids(await search('price=paid', 'admin'))).to.deep.equal([CREDIT]);

    const facets = await search('sector=medical', 'admin');
    expect(facet(facets, 'purpose')).to.deep.equal({ 'scientific-research': 2, 'public-health': 1 });
    expect(facet(facets, 'format')).to.deep.equal({ 'application/json': 2, 'text/csv': 1 });
    expect(facet(facets, 'price')).to.deep.equal({ free: 3 });
    expect(facet(await search('q=credit', 'admin'), 'price')).to.deep.equal({ paid: 1 });
  });

  it('sorts by title or modification date and pages through results', async () => {
    expect(ids(await search('sector=medical&sort=modified', 'admin'))).to.deep.equal([
      BEDS,
      OUTPATIENT,
      CLINIC,
    ]);
    const first = await search('sector=education&sort=title&limit=10', 'admin');
    const second = await search('sector=education&sort=title&limit=10&offset=10', 'admin');
    expect([first.total, second.total]).to.deep.equal([105, 105]);
    expect(ids(first)).to.deep.equal(ARCHIVE.slice(0, 10));
    expect(ids(second)).to.deep.equal(ARCHIVE.slice(10, 20));
    const results = (first as unknown as SearchBody).results;
    expect(results[0]?.provider).to.include({
      did: archive.did,
      organisationName: 'Capital University',
      stale: false,
    });
    expect(results[0]?.offers[0]?.summary.sentences[0]).to.match(/education statistics/);
  });

  it('refuses bad parameters with a 400 problem naming each parameter', async () => {
    const r = await space.catalog(
      '/v1/search?grade=top&limit=0&sectr=medical&sort=size&region=Beijing',
      'admin',
    );
    expect(r.status).to.equal(400);
    expect(r.headers.get('content-type')).to.match(/application\/problem\+json/);
    const pointers = (r.body.errors as { pointer: string; reason: string }[]).map((e) => e.pointer);
    expect(pointers).to.have.members(['sectr', 'grade', 'sort', 'limit', 'region']);
    expect(String(r.body.detail)).to.match(/"grade"/);
    const badToken = await request(`${space.authority.url}/catalog/v1/search`, {
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(badToken.status).to.equal(401);
  });

  it('answers the federation as a DSP Catalog of per-provider catalogs, filtered and paginated', async () => {
    const url = `${space.authority.url}/catalog/dsp/catalog/request`;
    const post = async (target: string, body: unknown, as: ControlPlaneConnector | undefined) =>
      request(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(as ? { authorization: `Bearer ${await as.requestTokenFor(space.authority.did)}` } : {}),
        },
        body: JSON.stringify(body),
      });
    let next: string | undefined = `${url}?limit=50`;
    const seen: string[] = [];
    let pages = 0;
    while (next !== undefined) {
      const page = await post(next, DSP_REQUEST, hospital);
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      expect(validateDspMessage('Catalog', page.body)).to.deep.equal([]);
      expect(page.body).to.include({ '@type': 'Catalog', participantId: space.authority.did });
      expect(JSON.stringify(page.body)).to.not.include(ACCESS_POLICY_KEY);
      for (const nested of page.body.catalog as { 'dct:publisher': string; dataset: { '@id': string }[] }[]) {
        seen.push(...nested.dataset.map((d) => d['@id']));
      }
      pages++;
      next = /<([^>]+)>;\s*rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    }
    expect(pages).to.equal(3);
    expect(seen).to.have.length(109);
    expect(seen).to.not.include(CREDIT);

    const medical = await post(
      url,
      { ...DSP_REQUEST, filter: [{ 'https://w3id.org/shuyu/v1#sector': 'medical' }] },
      bank,
    );
    expect(medical.status).to.equal(200);
    const nested = medical.body.catalog as {
      'dct:publisher': { '@id': string; '@type': string };
      service: { endpointURL: string }[];
      dataset: { '@id': string; hasPolicy: unknown[] }[];
    }[];
    // DCAT-AP: the provider as a foaf:Agent (its DID as @id).
    expect(nested.map((c) => c['dct:publisher']['@id'])).to.deep.equal([hospital.did]);
    expect(nested[0]?.['dct:publisher']['@type']).to.equal('http://xmlns.com/foaf/0.1/Agent');
    expect(nested[0]?.service[0]?.endpointURL).to.equal(`${hospital.url}/dsp`);
    expect(nested[0]?.dataset.map((d) => d['@id'])).to.deep.equal([BEDS]);

    const refused = await post(url, { ...DSP_REQUEST, filter: [{ 'dct:title': 'x' }] }, bank);
    expect(refused.status).to.equal(400);
    expect(refused.body).to.include({ '@type': 'CatalogError', code: 'unsupported-filter' });
    const anonymous = await post(url, DSP_REQUEST, undefined);
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body['@type']).to.equal('CatalogError');
  });

  it('skips unchanged catalogs without re-indexing them (crawl triggered by an admin over HTTP)', async () => {
    const crawl = (as: 'admin' | ControlPlaneConnector) =>
      as === 'admin'
        ? request(`${space.authority.url}/catalog/v1/crawl?wait=true`, {
            method: 'POST',
            headers: { authorization: `Bearer ${space.adminKey}` },
          })
        : as.requestTokenFor(space.authority.did).then((token) =>
            request(`${space.authority.url}/catalog/v1/crawl`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}` },
            }),
          );
    expect((await crawl(hospital)).status).to.equal(403);
    const answer = await crawl('admin');
    expect(answer.status).to.equal(200);
    const summary = answer.body.summary as CrawlSummary;
    expect(summary).to.include({ changed: 0, unchanged: 4, failed: 0 });
    expect(summary.datasets).to.deep.equal({ added: 0, updated: 0, removed: 0 });
    const status = await space.authority.federation.crawlStatus();
    expect(status.map((s) => s.unchangedCrawls)).to.deep.equal([1, 1, 1, 1]);
  });

  it('drops a dataset the provider stops offering at the next crawl, and re-indexes a changed one', async () => {
    const assets = hospital.controlPlane.assets;
    await assets.replaceOffer('research', {
      id: 'research',
      assetSelector: { assetIds: [OUTPATIENT] },
      accessPolicy: ACCESS.sector('medical'),
      contractPolicy: template('medical'),
    });
    await assets.deleteAsset(CLINIC);
    await assets.replaceAsset(
      BEDS,
      asset(BEDS, hospital.did, {
        title: 'Hospital bed occupancy (daily)',
        format: 'application/json',
        modified: '2026-01-01T00:00:00Z',
      }),
    );
    const summary = await space.authority.federation.crawlNow();
    expect(summary).to.include({ changed: 1, unchanged: 3 });
    expect(summary.datasets).to.deep.equal({ added: 0, updated: 1, removed: 1 });
    expect(ids(await search('q=就诊', 'admin'))).to.deep.equal([]);
    expect(ids(await search('q=daily', 'admin'))).to.deep.equal([BEDS]);
  });

  it('hides a revoked member at once and removes it from the index at the next crawl', async () => {
    expect(ids(await search('q=forecast', hospital))).to.deep.equal([GRID]);
    const revoked = await space.admin('POST', `/members/${encodeURIComponent(grid.did)}/revoke`, {
      reason: 'left the data space',
    });
    expect(revoked.status).to.equal(200);
    expect(ids(await search('q=forecast', 'admin'))).to.deep.equal([]);
    expect(ids(await search('q=forecast', hospital))).to.deep.equal([]);

    const summary = await space.authority.federation.crawlNow();
    expect(summary).to.include({ removed: 1, providers: 3 });
    const status = await space.authority.federation.crawlStatus();
    const entry = status.find((s) => s.did === grid.did);
    expect(entry).to.include({ memberState: 'revoked', datasetCount: 0 });
    expect(entry?.notes.join(' ')).to.match(/revoked/);
  });

  it('keeps the last results of an unreachable connector, flags them stale and backs off', async () => {
    await bank.close();
    const before = Date.now();
    const summary = await space.authority.federation.crawlNow();
    expect(summary).to.include({ failed: 1, unchanged: 2 });
    const status = await space.catalog('/v1/crawl-status', 'admin');
    const entry = (status.body.providers as Record<string, unknown>[]).find((p) => p.did === bank.did) as {
      state: string;
      consecutiveFailures: number;
      lastError: { code: string; message: string };
      nextAttemptAt: string;
      datasetCount: number;
    };
    expect(entry).to.include({ state: 'failing', consecutiveFailures: 1, datasetCount: 1 });
    expect(entry.lastError.code).to.equal('unreachable');
    expect(entry.lastError.message).to.match(/could not be reached.*check that the member's connector runs/);
    expect(Date.parse(entry.nextAttemptAt)).to.be.greaterThan(before + 50_000);

    const [result] = ((await search('q=credit', 'admin')) as unknown as SearchBody).results;
    expect(result?.datasetId).to.equal(CREDIT);
    expect(result?.provider.stale).to.equal(true);

    // The schedule leaves it alone until the back-off has passed; an admin's crawl tries again.
    const scheduled = await space.authority.federation.crawlNow({ respectBackoff: true });
    expect(scheduled).to.include({ skipped: 1, failed: 0 });
    const forced = await space.authority.federation.crawlNow();
    expect(forced).to.include({ failed: 1 });
    const again = (await space.authority.federation.crawlStatus()).find((s) => s.did === bank.did);
    expect(again?.consecutiveFailures).to.equal(2);
  });
});

describe('federation: the crawl schedule', () => {
  it('crawls on its own every interval and stops cleanly with the authority', async () => {
    const space = await startFederationSpace({ crawlIntervalMs: 40, firstCrawlAfterMs: 5 });
    try {
      const deadline = Date.now() + 5000;
      while ((space.authority.federation.crawler.lastSummary?.id ?? 0) < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(space.authority.federation.crawler.lastSummary?.id).to.be.at.least(2);
    } finally {
      await space.close();
    }
  });
});
