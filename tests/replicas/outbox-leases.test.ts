// Outbox workers of two replicas on one database file (two connections, as two processes would have):
// every entry is sent once, in order per aggregate, and an entry claimed by a replica that died is sent by
// the other only once that replica's lease has run out.
import { expect } from 'chai';
import { NEGOTIATION_MIGRATIONS } from '../../connector/negotiation/index.js';
import {
  OUTBOX_MIGRATIONS,
  OutboxWorker,
  createHttpDeliver,
  enqueue,
  startAttempt,
} from '../../connector/outbox/index.js';
import type { Store } from '../../connector/store/database.js';
import { PostgresStore } from '../../connector/store/postgres.js';
import { cleanUp, openDatabase, tempDatabase } from '../negotiation/helpers.js';
import { TestServer } from '../outbox/server.js';
import { postgresForTests } from '../support/postgres.js';

const MIGRATIONS = [...NEGOTIATION_MIGRATIONS, ...OUTBOX_MIGRATIONS];
const FAST = { baseDelayMs: 10, pollIntervalMs: 50, deliveryTimeoutMs: 5000 } as const;

/** The outbox in seq order (what the assertions read). */
function entriesOf(
  db: Store,
): Promise<{ seq: number; status: string; attempts: number; deliveredAt: string | null }[]> {
  return db.all('SELECT seq, status, attempts, delivered_at AS "deliveredAt" FROM outbox ORDER BY seq');
}

/** Two connections to one fresh store, as two replica processes would have. */
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

for (const [backend, open] of Object.entries(BACKENDS))
  describe(`replicas (${backend}): outbox leases`, function () {
    this.timeout(30_000);
    let server: TestServer;
    let first: Store;
    let second: Store;
    const workers: OutboxWorker[] = [];

    beforeEach(async function () {
      const stores = await open();
      if (stores === undefined) this.skip();
      [first, second] = stores;
      server = await TestServer.start();
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      await first?.close();
      await second?.close();
      await server?.close();
      await cleanUp();
    });

    async function put(aggregate: string, n: number): Promise<void> {
      await first.transaction((tx) =>
        enqueue(tx, {
          aggregateId: aggregate,
          url: server.url(`/${aggregate}/${n}`),
          method: 'POST',
          body: { aggregate, n },
        }),
      );
    }

    function worker(db: Store, replicaId: string, leaseMs = 3000): OutboxWorker {
      const w = new OutboxWorker(db, {
        deliver: createHttpDeliver(),
        ...FAST,
        replicaId,
        leaseMs,
        renewMs: Math.floor(leaseMs / 3),
      });
      workers.push(w);
      w.start();
      return w;
    }

    it('two replicas deliver 200 entries of 20 aggregates once each, in order per aggregate', async () => {
      // Replies take a while, so both workers are busy at once and claims collide.
      server.reply = () => ({ status: 200, delayMs: 5 });
      for (let n = 0; n < 10; n++) for (let a = 0; a < 20; a++) await put(`agg-${a}`, n);
      const a = worker(first, 'replica-a');
      const b = worker(second, 'replica-b');
      await server.arrived(200);
      await Promise.all([a.drain(), b.drain()]);
      expect(server.arrivals).to.have.length(200);
      for (let agg = 0; agg < 20; agg++) {
        expect(server.sequence(`agg-${agg}`)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(server.maxActiveByAggregate.get(`agg-${agg}`)).to.equal(1);
      }
      const entries = await entriesOf(first);
      expect(entries.map((e) => e.status)).to.deep.equal(Array(200).fill('delivered'));
      expect(entries.map((e) => e.attempts)).to.deep.equal(Array(200).fill(1));
    });

    it('an entry claimed by a replica that died is sent by another once the lease has run out, not before', async () => {
      await put('orphan', 0);
      await put('orphan', 1);
      const [head] = await entriesOf(first);
      // The dead replica claimed the head and started its attempt, then died (nothing renews the lease).
      const leaseUntil = new Date(Date.now() + 1500);
      const claimed = await startAttempt(first, head!.seq, new Date(), {
        owner: 'dead',
        until: leaseUntil.toISOString(),
      });
      expect(claimed?.attempts).to.equal(1);

      const survivor = worker(second, 'survivor', 600);
      await server.arrived(2);
      await survivor.drain();
      const [resent, next] = server.arrivals;
      expect(resent?.body).to.deep.equal({ aggregate: 'orphan', n: 0 });
      expect(next?.body).to.deep.equal({ aggregate: 'orphan', n: 1 });
      // Sent after the lease ran out (the server's clock counts from its start; compare wall times instead).
      const delivered = await entriesOf(first);
      expect(Date.parse(delivered[0]!.deliveredAt!)).to.be.at.least(leaseUntil.getTime());
      expect(delivered.map((e) => [e.status, e.attempts])).to.deep.equal([
        ['delivered', 2],
        ['delivered', 1],
      ]);
    });

    it('a replica renews its lease while a slow delivery runs, so no other replica sends the entry meanwhile', async () => {
      // The reply takes several lease lengths; the other replica must not start a second attempt.
      server.reply = () => ({ status: 200, delayMs: 1500 });
      await put('slow', 0);
      const a = worker(first, 'replica-a', 300);
      await server.arrived(1);
      const b = worker(second, 'replica-b', 300);
      await a.drain(10_000);
      await b.drain(10_000);
      expect(server.arrivals).to.have.length(1);
      const [entry] = await entriesOf(first);
      expect([entry?.status, entry?.attempts]).to.deep.equal(['delivered', 1]);
    });
  });
