// Rate limits end to end over real HTTP: per caller DID on DSP (a DSP error body with code "rate-limited"),
// per remote address before authentication, per consumer on the data plane (problem+json), membership
// applications at the authority, limits distributed by the data space profile, and two connectors under a
// tight limit that still finish their negotiations (the limited side answers 429, the outbox waits for
// Retry-After and delivers).
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createConnectorRateLimits,
  RateLimited,
  resolveRateLimits,
} from '../../connector/http/rate-limit/index.js';
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
  waitForState,
} from '../dsp/helpers.js';
import { scrape } from '../metrics/prometheus.js';

const VISITS = 'urn:dataset:outpatient-visits';
const CATALOG_REQUEST = {
  '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
  '@type': 'CatalogRequestMessage',
};
const OFFERS = [
  {
    id: 'research',
    assetSelector: { assetIds: [VISITS] },
    accessPolicy: MEMBERS_ACCESS,
    contractPolicy: medicalContract(),
  },
];

async function refusals(connector: ControlPlaneConnector, limit: string): Promise<number> {
  return (await scrape(`${connector.managementUrl}/metrics`, connector.managementApiKey)).value(
    'shuyu_rate_limited_total',
    { limit },
  );
}

describe('rate limits: DSP, data plane and applications over HTTP', function () {
  this.timeout(40_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let hospital: ControlPlaneConnector;
  let bank: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace({
      rateLimits: { applications: { perHourPerAddress: 7, perHourPerDid: 1 } },
    });
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }), {
      rateLimits: { dsp: { perSecond: 0.5, burst: 2 }, perAddress: { perSecond: 0 } },
    });
    hospital = await startMember(space, 'hospital', hospitalApplication());
    bank = await startMember(space, 'bank', bankApplication());
    await publish(provider, [assetInput(VISITS, provider.did)], OFFERS);
  });
  after(async () => space?.close());

  it('refuses a caller over its DSP limit with 429, Retry-After and a DSP error body; others go on', async () => {
    const before = await refusals(provider, 'dsp');
    for (let i = 0; i < 2; i++) {
      const ok = await dsp(provider, '/catalog/request', { body: CATALOG_REQUEST, caller: hospital });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    }
    const refused = await dsp(provider, '/catalog/request', { body: CATALOG_REQUEST, caller: hospital });
    expect(refused.status).to.equal(429);
    expect(refused.headers.get('retry-after')).to.equal('2');
    expect(refused.body).to.include({ '@type': 'CatalogError', code: 'rate-limited' });
    expect(String((refused.body.reason as string[])[0])).to.match(
      new RegExp(`too many requests from ${hospital.did}.*0\\.5 per second \\(bursts of 2\\); retry in 2 s`),
    );
    // A process endpoint answers with that process's error type.
    const negotiation = await dsp(provider, '/negotiations/request', { body: {}, caller: hospital });
    expect(negotiation.status).to.equal(429);
    expect(negotiation.body).to.include({ '@type': 'ContractNegotiationError', code: 'rate-limited' });

    const other = await dsp(provider, '/catalog/request', { body: CATALOG_REQUEST, caller: bank });
    expect(other.status, 'another participant has its own bucket').to.equal(200);
    expect(await refusals(provider, 'dsp')).to.equal(before + 2);
  });

  it('limits by remote address before authentication, on DSP and on the data plane', async () => {
    const kept = provider.rateLimits.settings;
    provider.rateLimits.configure(resolveRateLimits({ perAddress: { perSecond: 0.01, burst: 3 } }));
    try {
      for (let i = 0; i < 3; i++)
        expect((await dsp(provider, '/catalog/request', { body: {} })).status).to.equal(401);
      const dspRefused = await dsp(provider, '/catalog/request', { body: {} });
      expect(dspRefused.status).to.equal(429);
      expect(dspRefused.body).to.include({ '@type': 'CatalogError', code: 'rate-limited' });
      expect(dspRefused.headers.get('retry-after')).to.equal('100');
      const dataRefused = await request(`${provider.url}/data/anything`);
      expect(dataRefused.status).to.equal(429);
      expect(dataRefused.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(dataRefused.headers.get('retry-after')).to.equal('100');
      expect(dataRefused.body).to.include({ status: 429, limit: 'address', retryAfterSeconds: 100 });
      expect(String(dataRefused.body.detail)).to.match(/too many requests from address 127\.0\.0\.1/);
      // The public DCAT-AP view of the catalog shares the address limit (problem+json: not a DSP path).
      const harvest = await request(`${provider.url}/catalog/dcat-ap`);
      expect(harvest.status).to.equal(429);
      expect(harvest.body).to.include({ limit: 'address' });
      expect(await refusals(provider, 'address')).to.equal(3);
    } finally {
      provider.rateLimits.configure(kept);
    }
  });

  it('limits each consumer on the data plane (problem+json with Retry-After)', async () => {
    provider.rateLimits.configure(resolveRateLimits({ dataPlane: { perSecond: 0.2, burst: 1 } }));
    const started = await startNegotiation(hospital, provider, VISITS, catalogOfferId('research', VISITS));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(hospital, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    const requested = await management(hospital).post('/transfers', {
      agreementId: String(done.agreementId),
      format: 'HttpData-PULL',
    });
    const transfer = await waitForState(hospital, `/transfers/${pid(String(requested.body.id))}`, 'STARTED');
    const access = transfer.access as { endpoint: string; authorization: string };
    const pull = () =>
      request(access.endpoint, { headers: { authorization: `Bearer ${access.authorization}` } });
    expect((await pull()).status).to.equal(200);
    const refused = await pull();
    expect(refused.status).to.equal(429);
    expect(refused.headers.get('retry-after')).to.equal('5');
    expect(refused.body).to.include({ limit: 'dataplane', retryAfterSeconds: 5 });
    expect(String(refused.body.detail)).to.include(hospital.did);
  });

  it('caps downloads in flight per consumer and frees the slot when one ends', () => {
    const limits = createConnectorRateLimits({
      settings: resolveRateLimits({ dataPlane: { perSecond: 0, concurrentStreams: 2 } }),
    });
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as never;
    const first = limits.admitDownload('did:web:a', res);
    limits.admitDownload('did:web:a', res);
    expect(() => limits.admitDownload('did:web:a', res))
      .to.throw(RateLimited)
      .with.property('limit', 'dataplane-streams');
    expect(headers['Retry-After']).to.equal('1');
    expect(() => limits.admitDownload('did:web:b', res)).to.not.throw();
    first();
    first(); // twice frees one slot only
    limits.admitDownload('did:web:a', res);
    expect(() => limits.admitDownload('did:web:a', res)).to.throw(RateLimited);
  });

  it('limits membership applications per DID and per address (problem+json, Retry-After)', async () => {
    // Three applications came from this address in before(); with these four, 7 per hour are used up.
    const applicant = await space.startConnector('applicant');
    await applicant.authority.apply({ connectorUrl: `${applicant.url}/dsp`, ...bankApplication() });
    const again = await applicant.authority
      .apply({ connectorUrl: `${applicant.url}/dsp`, ...bankApplication() })
      .then(
        () => undefined,
        (e: { status: number; problem: Record<string, unknown>; message: string }) => e,
      );
    expect(again?.status).to.equal(429);
    expect(again?.problem).to.include({ limit: 'applications-did', retryAfterSeconds: 3600 });
    for (const name of ['second', 'third']) {
      const c = await space.startConnector(name);
      await c.authority.apply({ connectorUrl: `${c.url}/dsp`, ...bankApplication() });
    }
    const flood = await request(`${space.authority.url}/authority/v1/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-even-a-token' },
      body: '{}',
    });
    expect(flood.status, 'refused before the token is read').to.equal(429);
    // One application every 3600 / 7 s comes back.
    expect(Number(flood.headers.get('retry-after'))).to.be.within(500, 515);
    expect(flood.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(flood.body).to.include({ limit: 'applications-address' });
    const metrics = await scrape(`${space.authority.admin.url}/authority/v1/admin/metrics`, space.adminKey);
    expect(metrics.value('shuyu_rate_limited_total', { limit: 'applications-did' })).to.equal(1);
    expect(metrics.value('shuyu_rate_limited_total', { limit: 'applications-address' })).to.equal(1);
  });
});

describe('rate limits: from the data space profile, under connector.json', function () {
  this.timeout(40_000);
  let space: LocalDataSpace;
  after(async () => space?.close());

  it('distributes the profile limits; a member connector.json overrides them key by key', async () => {
    space = await startLocalDataSpace();
    const profileDir = join(space.dir, 'authority', 'profile');
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(
      join(profileDir, 'rate-limits.json'),
      JSON.stringify({ dsp: { perSecond: 3, burst: 6 }, dataPlane: { concurrentStreams: 4 } }),
    );
    await space.restartAuthority();
    const profile = await request(`${space.authority.url}/authority/v1/profile`);
    expect(profile.body.rateLimits).to.deep.equal({
      dsp: { perSecond: 3, burst: 6 },
      dataPlane: { concurrentStreams: 4 },
    });

    const plain = await startMember(space, 'plain', hospitalApplication());
    mkdirSync(join(space.dir, 'own'), { recursive: true });
    writeFileSync(
      join(space.dir, 'own', 'connector.json'),
      JSON.stringify({ authorityUrl: space.authority.url, rateLimits: { dsp: { burst: 1 } } }),
    );
    const own = await startMember(space, 'own', bankApplication());
    await plain.verifier();
    await own.verifier();
    expect(plain.rateLimits.settings.dsp).to.deep.equal({ perSecond: 3, burst: 6 });
    expect(plain.rateLimits.settings.dataPlane.concurrentStreams).to.equal(4);
    expect(own.rateLimits.settings.dsp).to.deep.equal({ perSecond: 3, burst: 1 });

    // In force: the second request within the burst of 1 is refused.
    expect((await dsp(own, '/catalog/request', { body: CATALOG_REQUEST, caller: plain })).status).to.equal(
      200,
    );
    expect((await dsp(own, '/catalog/request', { body: CATALOG_REQUEST, caller: plain })).status).to.equal(
      429,
    );
  });

  it('refuses to start with a bad connector.json "rateLimits", naming the key', async () => {
    mkdirSync(join(space.dir, 'bad'), { recursive: true });
    writeFileSync(
      join(space.dir, 'bad', 'connector.json'),
      JSON.stringify({ authorityUrl: space.authority.url, rateLimits: { dsp: { perSecond: 'fast' } } }),
    );
    let error: Error | undefined;
    await startMember(space, 'bad', bankApplication()).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/connector\.json "rateLimits" "dsp\.perSecond" must be a number/);
  });
});

describe('rate limits: two connectors under a tight limit still finish', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  after(async () => space?.close());

  it('the limited side answers 429, the sender waits for Retry-After, every negotiation finalizes', async () => {
    space = await startLocalDataSpace();
    const tight = { rateLimits: { dsp: { perSecond: 2, burst: 1 } } };
    const provider = await startMember(
      space,
      'provider',
      hospitalApplication({ organisationName: 'P' }),
      tight,
    );
    const consumer = await startMember(space, 'consumer', hospitalApplication(), tight);
    await publish(provider, [assetInput(VISITS, provider.did)], OFFERS);
    const first = await startNegotiation(consumer, provider, VISITS, catalogOfferId('research', VISITS));
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const offer = (await management(consumer).get(`/negotiations/${pid(String(first.body.id))}`)).body.offer;
    // Four more at once with the offer in hand: their requests reach the provider together.
    const more = await Promise.all(
      [1, 2, 3, 4].map(() =>
        management(consumer).post('/negotiations', {
          counterPartyAddress: `${provider.url}/dsp`,
          counterPartyId: provider.did,
          datasetId: VISITS,
          offer,
        }),
      ),
    );
    for (const started of more) expect(started.status, JSON.stringify(started.body)).to.equal(201);
    for (const started of [first, ...more]) {
      await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED', 30_000);
    }
    const refused = (await refusals(provider, 'dsp')) + (await refusals(consumer, 'dsp'));
    expect(refused, 'some messages were refused with 429 on the way').to.be.greaterThan(0);
  });
});
