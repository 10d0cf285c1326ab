// A connector on PostgreSQL, end to end, in the ordinary test run: the provider keeps its state in a
// PostgreSQL database (the `database` option, as connector.json or --database would give it), the
// consumer in its SQLite file. They negotiate to FINALIZED, transfer, pull the data, complete; the
// provider writes no SQLite file, and its evidence log, read back from PostgreSQL, verifies offline.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { verifyEvidenceExport } from '../../connector/evidence/index.js';
import { CONNECTOR_DATABASE_FILE } from '../../connector/process/connector.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { PostgresStore } from '../../connector/store/postgres.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  MEMBERS_ACCESS,
  medicalContract,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitForState,
} from '../dsp/helpers.js';
import { postgresForTests } from '../support/postgres.js';
import { TEST_STORE } from '../support/store.js';

const DATASET = 'urn:dataset:on-postgres';
const DATA = 'visit,count\n2026-01,12\n';

describe('store: a connector on PostgreSQL, end to end', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let databaseUrl: string;

  before(async function () {
    const available = await postgresForTests();
    if (!available.ok) {
      console.log(`      skipped: ${available.reason}`);
      this.skip();
    }
    databaseUrl = await available.postgres.createDatabase();
    space = await startLocalDataSpace();
    provider = await startMember(
      space,
      'provider',
      hospitalApplication({ organisationName: 'PG Hospital' }),
      {
        database: databaseUrl,
      },
    );
    consumer = await startMember(space, 'consumer', hospitalApplication());
    await publish(
      provider,
      [assetInput(DATASET, provider.did)],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
  });
  after(async () => space?.close());

  it('negotiates, transfers and serves data from PostgreSQL; no SQLite file; the evidence verifies', async () => {
    const started = await startNegotiation(consumer, provider, DATASET, catalogOfferId('research', DATASET));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const negotiation = await waitForState(
      consumer,
      `/negotiations/${pid(String(started.body.id))}`,
      'FINALIZED',
    );
    await waitForState(provider, `/negotiations/${pid(String(negotiation.providerPid))}`, 'FINALIZED');

    const requested = await management(consumer).post('/transfers', {
      agreementId: negotiation.agreementId,
      format: 'HttpData-PULL',
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const path = `/transfers/${pid(String(requested.body.id))}`;
    const transfer = await waitForState(consumer, path, 'STARTED');
    const { endpoint, authorization } = transfer.access as { endpoint: string; authorization: string };
    const response = await fetch(endpoint, { headers: { authorization: `Bearer ${authorization}` } });
    expect(await response.text()).to.equal(DATA);
    expect((await management(consumer).post(`${path}/complete`)).body.state).to.equal('COMPLETED');
    await waitForState(provider, `/transfers/${pid(String(transfer.providerPid))}`, 'COMPLETED');

    expect(existsSync(join(space.dir, 'provider', CONNECTOR_DATABASE_FILE))).to.equal(false);
    if (TEST_STORE === 'sqlite')
      expect(existsSync(join(space.dir, 'consumer', CONNECTOR_DATABASE_FILE))).to.equal(true);

    // The provider's state is in PostgreSQL, where another process (a replica, a backup) would find it.
    const db = await PostgresStore.open(databaseUrl);
    try {
      const rows = await db.all<{ state: string }>('SELECT state FROM negotiation WHERE role = ?', [
        'provider',
      ]);
      expect(rows).to.deep.equal([{ state: 'FINALIZED' }]);
      const accesses = await db.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM evidence_entry WHERE kind = 'data-access'",
      );
      expect(accesses?.n).to.equal(1);
    } finally {
      await db.close();
    }
    const exported = await management(provider).get('/evidence/export');
    const report = await verifyEvidenceExport(exported.body);
    expect(report.ok, JSON.stringify(report.failures)).to.equal(true);
  });
});
