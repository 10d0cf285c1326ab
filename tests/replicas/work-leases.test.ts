// Work leases between two replicas on one store (two connections, as two processes would have), on both
// backends: a lease is held by one replica until released or run out; left-behind work is claimed in one
// statement, each piece by exactly one replica even when both sweep at once.
import { expect } from 'chai';
import { REPLICA_MIGRATIONS, WorkLeases } from '../../connector/control-plane/replicas.js';
import type { Migration, Store } from '../../connector/store/database.js';
import { PostgresStore } from '../../connector/store/postgres.js';
import { cleanUp, openDatabase, tempDatabase } from '../negotiation/helpers.js';
import { postgresForTests } from '../support/postgres.js';

const MIGRATIONS: readonly Migration[] = [
  ...REPLICA_MIGRATIONS,
  { id: 'test-jobs/1', sql: 'CREATE TABLE job (id TEXT PRIMARY KEY, updated_at TEXT NOT NULL)' },
];
const STALE_JOBS = `SELECT 'job ' || id AS resource FROM job WHERE updated_at <= ?`;

const BACKENDS: Record<string, () => Promise<[Store, Store] | undefined>> = {
  SQLite: async () => {
    const opened = await tempDatabase(MIGRATIONS);
    return [opened.db, await openDatabase(opened.file, MIGRATIONS)];
  },
  PostgreSQL: async () => {
    const available = await postgresForTests();
    if (!available.ok) return undefined;
    const url = await available.postgres.createDatabase();
    return [await PostgresStore.open(url, MIGRATIONS), await PostgresStore.open(url, MIGRATIONS)];
  },
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (const [backend, open] of Object.entries(BACKENDS)) {
  describe(`replicas (${backend}): work leases`, function () {
    this.timeout(30_000);
    let first: Store;
    let second: Store;
    let a: WorkLeases;
    let b: WorkLeases;

    beforeEach(async function () {
      const stores = await open();
      if (stores === undefined) this.skip();
      [first, second] = stores;
      const clock = (): Date => new Date();
      a = new WorkLeases(first, { id: 'replica-a', leaseMs: 1000, renewMs: 100 }, clock);
      b = new WorkLeases(second, { id: 'replica-b', leaseMs: 1000, renewMs: 100 }, clock);
    });
    afterEach(async () => {
      await first?.close();
      await second?.close();
      await cleanUp();
    });

    it('gives a lease to one replica until it runs out; the holder renews it', async () => {
      expect(await a.claim('job 1')).to.equal(true);
      expect(await b.claim('job 1')).to.equal(false);
      expect(await a.claim('job 1')).to.equal(true); // a renewal
      await sleep(1100);
      expect(await b.claim('job 1')).to.equal(true);
      expect(await a.claim('job 1')).to.equal(false);
    });

    it('hold runs the work under the lease, renewed past its length, and releases it after', async () => {
      let otherGot: boolean | undefined;
      const result = await a.hold('job 2', async () => {
        await sleep(2200); // over two lease lengths: only renewal keeps it ours
        otherGot = await b.claim('job 2');
        return 'done';
      });
      expect(result).to.equal('done');
      expect(otherGot).to.equal(false);
      expect(await b.hold('job 2', () => Promise.resolve('mine'))).to.equal('mine');
      expect(await first.all('SELECT resource FROM work_lease')).to.deep.equal([]);
    });

    it('claims left-behind work once: two replicas sweeping at once split it without overlap', async () => {
      const old = new Date(Date.now() - 60_000).toISOString();
      const fresh = new Date(Date.now() + 60_000).toISOString();
      await first.transaction(async (tx) => {
        for (let i = 0; i < 60; i++)
          await tx.run('INSERT INTO job (id, updated_at) VALUES (?, ?)', [String(i), old]);
        await tx.run('INSERT INTO job (id, updated_at) VALUES (?, ?)', ['recent', fresh]);
      });
      const [mine, theirs] = await Promise.all([a.claimStale(STALE_JOBS), b.claimStale(STALE_JOBS)]);
      expect(mine.filter((r) => theirs.includes(r))).to.deep.equal([]);
      expect([...mine, ...theirs].sort()).to.deep.equal(
        Array.from({ length: 60 }, (_, i) => `job ${i}`).sort(),
      );
      // Claimed work is not claimed again while its lease lives; once it has run out, it is.
      expect(await a.claimStale(STALE_JOBS)).to.deep.equal([]);
      await sleep(1100);
      expect(await b.claimStale(STALE_JOBS)).to.have.length(60);
    });
  });
}
