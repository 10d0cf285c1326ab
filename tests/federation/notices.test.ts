// Publishing shows up at once: a connector whose offers change sends the authority a signed notice and the
// federated catalog crawls that connector within seconds, though the schedule is an hour away. A notice
// without a valid signature, or from a DID that is not an active member, is refused and crawls nothing;
// notices from one member are coalesced and rate-limited.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import { AuthorityClientError } from '../../connector/wallet/authority-client.js';
import { hospitalApplication } from '../authority/helpers.js';
import {
  ACCESS,
  asset,
  ids,
  publish,
  request,
  startFederationSpace,
  TEST_FEDERATION,
  template,
  type FederationSpace,
} from './helpers.js';

const HOUR = 3_600_000;
const MIN_INTERVAL = 2_000;

describe('federation: notices from members re-crawl them within seconds', function () {
  this.timeout(30_000);
  let space: FederationSpace;
  let hospital: ControlPlaneConnector;
  let outsider: ControlPlaneConnector;

  before(async () => {
    space = await startFederationSpace({
      ...TEST_FEDERATION,
      crawlIntervalMs: HOUR,
      noticeMinIntervalMs: MIN_INTERVAL,
    });
    hospital = await space.member('hospital', hospitalApplication());
    // A connector that never applied: its DID proves itself, but it is no member.
    outsider = await startControlPlaneConnector({
      dataDir: join(space.dir, 'outsider'),
      port: 0,
      authorityUrl: space.authority.url,
    });
    space.connectors.push(outsider);
  });
  after(async () => space?.close());

  async function searchAsAdmin(): Promise<string[]> {
    return ids((await space.catalog('/v1/search', 'admin')).body);
  }

  it('shows an offer published on a connector in federated search without waiting for the schedule', async () => {
    expect(await searchAsAdmin()).to.deep.equal([]);
    await publish(
      hospital,
      [asset('urn:dataset:published-now', hospital.did)],
      [
        {
          id: 'now',
          assetSelector: { assetIds: ['urn:dataset:published-now'] },
          accessPolicy: ACCESS.members,
          contractPolicy: template('medical'),
        },
      ],
    );
    const deadline = Date.now() + 15_000;
    let found: string[] = [];
    while (Date.now() < deadline) {
      found = await searchAsAdmin();
      if (found.includes('urn:dataset:published-now')) break;
      await sleep(100);
    }
    expect(found).to.include('urn:dataset:published-now');
    const overview = (await space.admin('GET', '/catalog')).body as {
      nextScheduledCrawlAt: string;
      index: { datasets: number };
      providers: { did: string; state: string; datasetCount: number }[];
    };
    expect(Date.parse(overview.nextScheduledCrawlAt) - Date.now()).to.be.greaterThan(HOUR / 2);
    expect(overview.index.datasets).to.equal(1);
    expect(overview.providers.find((p) => p.did === hospital.did)).to.include({
      state: 'ok',
      datasetCount: 1,
    });
  });

  it('refuses a notice whose token does not verify, and one from a DID that is no member; neither crawls', async () => {
    const before = space.authority.federation.crawler.lastSummary?.id;
    const token = await hospital.authority.idToken();
    const tampered = `${token.slice(0, -6)}${token.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
    const forged = await request(`${space.authority.url}/catalog/v1/notices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tampered}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forged.status).to.equal(401);
    const unsigned = await request(`${space.authority.url}/catalog/v1/notices`, { method: 'POST' });
    expect(unsigned.status).to.equal(401);

    const error = await outsider.authority.noticeCatalogChanged().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(AuthorityClientError);
    expect((error as AuthorityClientError).status).to.equal(403);
    expect((error as AuthorityClientError).problem?.type).to.match(/not-a-member$/);

    await sleep(500);
    expect(space.authority.federation.crawler.lastSummary?.id).to.equal(before);
    expect(space.authority.federation.crawler.running).to.equal(false);
  });

  it('coalesces notices from one member and crawls it at most once per minimum interval', async () => {
    const crawler = space.authority.federation.crawler;
    await crawler.idle();
    const before = crawler.lastSummary?.id ?? 0;
    const token = async () => `Bearer ${await hospital.authority.idToken()}`;
    const answers: { notBefore: string; coalesced: boolean }[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await request(`${space.authority.url}/catalog/v1/notices`, {
        method: 'POST',
        headers: { authorization: await token() },
      });
      expect(answer.status).to.equal(202);
      answers.push(answer.body.crawl as { notBefore: string; coalesced: boolean });
    }
    const scheduled = answers.filter((a) => !a.coalesced).map((a) => Date.parse(a.notBefore));
    expect(scheduled.length).to.be.lessThan(answers.length);
    for (let i = 1; i < scheduled.length; i++) {
      expect((scheduled[i] as number) - (scheduled[i - 1] as number)).to.be.at.least(MIN_INTERVAL);
    }
    // Every scheduled crawl runs once, then nothing is pending.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const overview = (await space.admin('GET', '/catalog')).body as {
        crawling: boolean;
        providers: { recrawlRequestedFor?: string }[];
      };
      if (!overview.crawling && overview.providers.every((p) => p.recrawlRequestedFor === undefined)) break;
      await sleep(100);
    }
    await crawler.idle();
    expect((crawler.lastSummary?.id ?? 0) - before).to.equal(scheduled.length);
  });

  it('does not let a crawl of one member stand in for a crawl of every member', async () => {
    await space.member('clinic', hospitalApplication({ organisationName: 'Haidian Clinic' }));
    const crawler = space.authority.federation.crawler;
    await crawler.idle();
    const one = crawler.crawlNow({ providers: [hospital.did] });
    const all = crawler.crawlNow();
    const shared = crawler.crawlNow({ providers: [hospital.did] });
    const [oneSummary, allSummary, sharedSummary] = await Promise.all([one, all, shared]);
    expect(oneSummary.providers).to.equal(1);
    expect(sharedSummary).to.equal(oneSummary); // covered by the running crawl: shared
    expect(allSummary.providers).to.equal(2);
    expect(allSummary.id).to.be.greaterThan(oneSummary.id);
  });
});
