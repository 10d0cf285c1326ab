// Metrics end to end: a provider and a consumer in a local data space negotiate, transfer and pull data over
// real HTTP; their /metrics scrapes (management API, bearer key) and the authority's (admin key) move by
// exactly what happened. Route labels stay bounded: unknown paths are one series.
import { expect } from 'chai';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  request,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  dsp,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitFor,
  waitForState,
} from '../dsp/helpers.js';
import { join } from 'node:path';
import { startControlPlaneConnector } from '../../connector/process/run-connector.js';
import { startChild } from '../dsp/processes.js';
import { onboard } from '../authority/helpers.js';
import { parseScrape, scrape, type Scrape } from './prometheus.js';

const VISITS = 'urn:dataset:outpatient-visits';

describe('metrics: /metrics on the management API and the authority admin API', function () {
  this.timeout(40_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;

  const metricsOf = (c: ControlPlaneConnector): Promise<Scrape> =>
    scrape(`${c.managementUrl}/metrics`, c.managementApiKey);
  const authorityMetrics = (): Promise<Scrape> =>
    scrape(`${space.authority.admin.url}/authority/v1/admin/metrics`, space.adminKey);

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }));
    consumer = await startMember(space, 'consumer', hospitalApplication());
    await publish(
      provider,
      [assetInput(VISITS, provider.did)],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [VISITS] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
  });
  after(async () => space?.close());

  it('needs the management key (or the admin key at the authority)', async () => {
    expect((await request(`${provider.managementUrl}/metrics`)).status).to.equal(401);
    const wrong = await fetch(`${provider.managementUrl}/metrics`, {
      headers: { authorization: 'Bearer not-the-key-at-all' },
    });
    expect(wrong.status).to.equal(401);
    expect((await request(`${space.authority.admin.url}/authority/v1/admin/metrics`)).status).to.equal(401);
  });

  it('counts a negotiation, a transfer and a pull on both sides', async () => {
    const before = { consumer: await metricsOf(consumer), provider: await metricsOf(provider) };
    expect(before.consumer.value('shuyu_negotiations', { role: 'consumer', state: 'FINALIZED' })).to.equal(0);
    expect(before.provider.value('shuyu_negotiations', { role: 'provider', state: 'FINALIZED' })).to.equal(0);
    expect(before.provider.value('shuyu_evidence_entries')).to.equal(0);
    const verifiedBefore = before.provider.value('shuyu_dcp_verifications_total', { result: 'ok' });

    const started = await startNegotiation(consumer, provider, VISITS, catalogOfferId('research', VISITS));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    await waitForState(provider, `/negotiations/${pid(String(done.providerPid))}`, 'FINALIZED');
    const requested = await management(consumer).post('/transfers', {
      agreementId: String(done.agreementId),
      format: 'HttpData-PULL',
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const path = `/transfers/${pid(String(requested.body.id))}`;
    const transfer = await waitForState(consumer, path, 'STARTED');
    const access = transfer.access as { endpoint: string; authorization: string };
    const pulled = await fetch(access.endpoint, {
      headers: { authorization: `Bearer ${access.authorization}` },
    });
    expect(pulled.status).to.equal(200);
    await pulled.arrayBuffer();
    expect((await management(consumer).post(`${path}/complete`)).body.state).to.equal('COMPLETED');
    await waitForState(provider, `/transfers/${pid(String(transfer.providerPid))}`, 'COMPLETED');
    // Every message delivered: the outboxes drain.
    for (const side of [consumer, provider]) {
      await waitFor('the outbox to drain', async () =>
        (await metricsOf(side)).value('shuyu_outbox_pending') === 0 ? true : undefined,
      );
    }

    const after = { consumer: await metricsOf(consumer), provider: await metricsOf(provider) };
    expect(after.consumer.value('shuyu_negotiations', { role: 'consumer', state: 'FINALIZED' })).to.equal(1);
    expect(after.consumer.value('shuyu_negotiations', { role: 'consumer' })).to.equal(1);
    expect(after.provider.value('shuyu_negotiations', { role: 'provider', state: 'FINALIZED' })).to.equal(1);
    expect(after.consumer.value('shuyu_transfers', { role: 'consumer', state: 'COMPLETED' })).to.equal(1);
    expect(after.provider.value('shuyu_transfers', { role: 'provider', state: 'COMPLETED' })).to.equal(1);
    expect(after.provider.value('shuyu_transfers', { role: 'provider', state: 'STARTED' })).to.equal(0);
    expect(after.consumer.value('shuyu_outbox_oldest_pending_age_seconds')).to.equal(0);

    // The provider answered the DSP request, the agreement verification and the transfer request, each
    // under its route pattern (never the pid), and served one pull.
    const http = (s: Scrape, route: string, method = 'POST') =>
      s
        .series('shuyu_http_requests_total')
        .filter((x) => x.labels.route === route && x.labels.method === method);
    expect(http(after.provider, '/dsp/negotiations/request').map((s) => s.labels.status)).to.deep.equal([
      '201',
    ]);
    expect(http(after.provider, '/dsp/negotiations/request')[0]!.value).to.equal(1);
    expect(http(after.provider, '/dsp/negotiations/:pid/agreement/verification')[0]!.value).to.equal(1);
    expect(http(after.provider, '/dsp/transfers/request')[0]!.value).to.equal(1);
    expect(http(after.provider, '/data/:transferId', 'GET')[0]).to.include({ value: 1 });
    expect(http(after.provider, '/data/:transferId', 'GET')[0]!.labels.status).to.equal('200');
    const raw = after.provider.samples.filter((s) => s.labels.route?.includes(String(done.providerPid)));
    expect(raw, 'a raw pid in a route label').to.deep.equal([]);
    expect(
      after.provider.value('shuyu_http_request_duration_seconds_count', {
        route: '/dsp/negotiations/request',
      }),
    ).to.equal(1);

    // Each DSP message from the consumer was one DCP verification; the claims were queried once at most
    // per scope set, and every verification is a cache hit or a miss.
    const verified = after.provider.value('shuyu_dcp_verifications_total', { result: 'ok' }) - verifiedBefore;
    const dspRequests = after.provider
      .series('shuyu_http_requests_total')
      .filter((s) => s.labels.route?.startsWith('/dsp/'))
      .reduce((sum, s) => sum + s.value, 0);
    expect(verified).to.be.greaterThan(0).and.at.most(dspRequests);
    expect(
      after.provider.value('shuyu_claims_cache_lookups_total', { result: 'hit' }) +
        after.provider.value('shuyu_claims_cache_lookups_total', { result: 'miss' }),
    ).to.equal(after.provider.value('shuyu_dcp_verifications_total', { result: 'ok' }));
    expect(after.provider.value('shuyu_claims_cache_lookups_total', { result: 'hit' })).to.be.greaterThan(0);

    // The agreement, the transfer's states and the pull are evidence on the provider's log.
    const evidence = after.provider.value('shuyu_evidence_entries');
    expect(evidence).to.be.greaterThan(2);
    expect(after.provider.value('shuyu_evidence_unchecked_entries')).to.be.at.most(evidence);
    // Process metrics ride along.
    expect(after.provider.families.has('process_cpu_user_seconds_total')).to.equal(true);
  });

  it('counts a refused DCP verification', async () => {
    const before = (await metricsOf(provider)).value('shuyu_dcp_verifications_total', { result: 'refused' });
    const refused = await request(`${provider.url}/dsp/catalog/request`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).to.equal(401);
    const after = await metricsOf(provider);
    expect(after.value('shuyu_dcp_verifications_total', { result: 'refused' })).to.equal(before + 1);
    // Refused before any DSP route matched: the series is the DSP mount's.
    expect(after.value('shuyu_http_requests_total', { route: '/dsp/*', status: '401' })).to.be.at.least(1);
  });

  it('keeps route labels bounded: unknown paths are one series, case variants of a mount are one', async () => {
    for (let i = 0; i < 40; i++) {
      await request(`${provider.url}/no-such-path-${i}/${Math.random()}`);
      await dsp(provider, `/no-such-endpoint-${i}`);
      await request(`${provider.url}/DsP/catalog/request-${i}`, { method: 'POST' });
    }
    const after = await metricsOf(provider);
    const routes = new Set(after.series('shuyu_http_requests_total').map((s) => s.labels.route));
    expect([...routes].filter((r) => r!.includes('no-such') || r!.includes('request-'))).to.deep.equal([]);
    expect(after.value('shuyu_http_requests_total', { route: 'unmatched', status: '404' })).to.be.at.least(
      40,
    );
    expect(after.value('shuyu_http_requests_total', { route: '/dsp/*' })).to.be.at.least(80);
    expect([...routes].some((r) => r !== r!.toLowerCase() && r!.includes('dsp'))).to.equal(false);
  });

  it('shows members, applications, status events, crawls and searches at the authority', async () => {
    const before = await authorityMetrics();
    expect(before.value('shuyu_authority_members', { state: 'active' })).to.equal(2);
    expect(before.value('shuyu_authority_applications', { state: 'approved' })).to.equal(2);
    expect(before.value('shuyu_authority_applications', { state: 'pending' })).to.equal(0);

    const bank = await startMember(space, 'bank', bankApplication());
    const applicant = await space.startConnector('applicant');
    await applicant.authority.apply({ connectorUrl: `${applicant.url}/dsp`, ...bankApplication() });
    const suspended = await space.admin('POST', `/members/${encodeURIComponent(bank.did)}/suspend`, {
      reason: 'metrics test',
    });
    expect(suspended.status).to.equal(200);
    await space.authority.federation.crawlNow();
    const search = await request(`${space.authority.url}/catalog/v1/search?q=visits`);
    expect(search.status).to.equal(200);

    const after = await authorityMetrics();
    expect(after.value('shuyu_authority_members', { state: 'active' })).to.equal(2);
    expect(after.value('shuyu_authority_members', { state: 'suspended' })).to.equal(1);
    expect(after.value('shuyu_authority_applications', { state: 'approved' })).to.equal(3);
    expect(after.value('shuyu_authority_applications', { state: 'pending' })).to.equal(1);
    expect(after.value('shuyu_authority_status_events_total')).to.equal(
      before.value('shuyu_authority_status_events_total') + 1,
    );
    const crawled = after.value('shuyu_catalog_crawl_last_success_timestamp_seconds', {
      member: provider.did,
    });
    expect(crawled * 1000).to.be.closeTo(Date.now(), 60_000);
    expect(after.value('shuyu_catalog_crawl_consecutive_failures', { member: provider.did })).to.equal(0);
    expect(after.value('shuyu_catalog_index_datasets')).to.be.at.least(1);
    expect(after.value('shuyu_catalog_search_duration_seconds_count')).to.equal(
      before.value('shuyu_catalog_search_duration_seconds_count') + 1,
    );
    expect(after.value('shuyu_http_requests_total', { route: '/catalog/v1/search', status: '200' })).to.equal(
      1,
    );
  });

  it('parses as Prometheus text with one HELP and TYPE per family', async () => {
    const text = await (
      await fetch(`${provider.managementUrl}/metrics`, {
        headers: { authorization: `Bearer ${provider.managementApiKey}` },
      })
    ).text();
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).to.equal(types.length);
    expect(parseScrape(text).samples.length).to.be.greaterThan(50);
  });

  it('serves them from a connector running as its own process (run-connector.ts)', async () => {
    // Onboarded in this process once (keys, wallet, port), then started as a child on that port.
    const dir = join(space.dir, 'child');
    const prepared = await startControlPlaneConnector({
      dataDir: dir,
      port: 0,
      authorityUrl: space.authority.url,
    });
    const port = prepared.server.port;
    try {
      await onboard(space, prepared, bankApplication({ organisationName: 'Child' }));
    } finally {
      await prepared.close();
    }
    const child = await startChild({ dir, port, authorityUrl: space.authority.url });
    try {
      const asked = await dsp(child, '/catalog/request', {
        body: {
          '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
          '@type': 'CatalogRequestMessage',
        },
        caller: consumer,
      });
      expect(asked.status, JSON.stringify(asked.body)).to.equal(200);
      const scraped = await scrape(`${child.managementUrl}/metrics`, child.managementApiKey);
      expect(
        scraped.value('shuyu_http_requests_total', { route: '/dsp/catalog/request', status: '200' }),
      ).to.equal(1);
      expect(scraped.value('shuyu_dcp_verifications_total', { result: 'ok' })).to.equal(1);
      expect(scraped.value('shuyu_claims_cache_lookups_total', { result: 'miss' })).to.equal(1);
      expect(scraped.value('process_resident_memory_bytes')).to.be.greaterThan(0);
    } finally {
      await child.stop();
    }
  });
});
