// The authority on PostgreSQL, end to end: started with a database URL (the `database` option, as
// --database, SHUYU_DATABASE_URL or authority.json would give it), it writes no SQLite file; a member
// applies, is approved and collects its credentials; the catalog crawls its connector; searches find
// its datasets by English and Chinese words with the same visibility rules as on SQLite; a suspension
// hides them at once. Skips without a PostgreSQL cluster.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AUTHORITY_DATABASE_FILE } from '../../catalog/authority/process.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { USCC_A } from '../authority/helpers.js';
import { postgresForTests } from '../support/postgres.js';
import {
  ACCESS,
  asset,
  facet,
  ids,
  publish,
  startFederationSpace,
  template,
  type FederationSpace,
} from './helpers.js';

const CLINIC = 'urn:ds:pg-clinic-records';
const BEDS = 'urn:ds:pg-bed-occupancy';

describe('federation: the authority on PostgreSQL, end to end', function () {
  this.timeout(60_000);
  let space: FederationSpace;
  let hospital: ControlPlaneConnector;
  let databaseUrl: string;

  before(async function () {
    const available = await postgresForTests();
    if (!available.ok) {
      console.log(`      skipped: ${available.reason}`);
      this.skip();
    }
    databaseUrl = await available.postgres.createDatabase();
    space = await startFederationSpace(undefined, { authorityDatabase: databaseUrl });
    hospital = await space.member('hospital', {
      organisationName: 'PG Research Hospital',
      registrationNumber: USCC_A,
      sectors: [{ sector: 'medical', roles: ['hospital'] }],
      contact: 'data-office@example.org',
      dataGradeClearance: 'important',
    });
    await publish(
      hospital,
      [
        asset(CLINIC, hospital.did, {
          title: '门诊就诊记录 2024',
          description: 'Clinic records of the outpatient department',
          format: 'application/json',
        }),
        asset(BEDS, hospital.did, { title: 'Hospital bed occupancy', description: 'Daily occupied beds' }),
      ],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [CLINIC] },
          accessPolicy: ACCESS.sector('medical'),
          contractPolicy: template('medical'),
        },
        {
          id: 'open',
          assetSelector: { assetIds: [BEDS] },
          accessPolicy: ACCESS.open,
          contractPolicy: template('medical'),
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

  it('keeps its state in PostgreSQL, not in a SQLite file', async () => {
    expect(existsSync(join(space.dir, 'authority', AUTHORITY_DATABASE_FILE))).to.equal(false);
    const members = await space.admin('GET', '/members');
    expect(members.status, JSON.stringify(members.body)).to.equal(200);
    expect(JSON.stringify(members.body)).to.include(hospital.did);
  });

  it('crawls the member and finds its datasets by English and Chinese words, per asker', async () => {
    const summary = await space.authority.federation.crawlNow();
    expect(summary).to.include({ providers: 1, changed: 1, failed: 0 });
    expect(summary.datasets.added).to.equal(2);

    expect(ids(await search('q=%E5%B0%B1%E8%AF%8A', 'admin'))).to.deep.equal([CLINIC]); // 就诊
    expect(ids(await search('q=%E8%AF%8A%E8%AE%B0', hospital))).to.deep.equal([CLINIC]); // 诊记, across words
    expect(ids(await search('q=occup', 'admin'))).to.deep.equal([BEDS]);
    expect(ids(await search('q=records'))).to.deep.equal([]); // the clinic offer needs a medical member
    expect(ids(await search('sort=title', hospital)).sort()).to.deep.equal([BEDS, CLINIC].sort());
    const all = await search('sort=title', 'admin');
    expect(all.total).to.equal(2);
    expect(facet(all, 'format')).to.deep.equal({ 'application/json': 1, 'text/csv': 1 });
  });

  it('hides a suspended member at once', async () => {
    const suspended = await space.admin('POST', `/members/${encodeURIComponent(hospital.did)}/suspend`, {
      reason: 'audit',
    });
    expect(suspended.status, JSON.stringify(suspended.body)).to.equal(200);
    expect((await search('sort=title', 'admin')).total).to.equal(0);
  });
});
