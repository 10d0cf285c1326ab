// Housekeeping deletes delivered/cancelled outbox rows and remembered inbox messages past retention, and
// nothing that is still pending or recent.
import { expect } from 'chai';
import { startHousekeeping } from '../../connector/control-plane/housekeeping.js';
import { REPLAY_CACHE_MIGRATIONS, SqliteReplayCache } from '../../connector/identity/index.js';
import {
  cancelPending,
  enqueue,
  Inbox,
  INBOX_MIGRATIONS,
  listOutbox,
  OUTBOX_MIGRATIONS,
} from '../../connector/outbox/index.js';
import { cleanUp, tempDatabase } from '../negotiation/helpers.js';

const DAY = 86_400_000;

describe('outbox: housekeeping', () => {
  afterEach(cleanUp);

  it('prunes old finished outbox rows and old inbox entries, keeps pending and recent ones', async () => {
    const { db } = await tempDatabase([
      ...OUTBOX_MIGRATIONS,
      ...INBOX_MIGRATIONS,
      ...REPLAY_CACHE_MIGRATIONS,
    ]);
    const t0 = new Date('2026-11-01T00:00:00Z');
    const message = (aggregateId: string) => ({
      aggregateId,
      url: 'http://127.0.0.1:9/x',
      method: 'POST' as const,
      body: {},
    });
    await db.transaction(async (tx) => {
      await enqueue(tx, message('old-cancelled'), t0);
      await enqueue(tx, message('old-pending'), t0);
      await cancelPending(tx, 'old-cancelled', 'test', t0);
    });
    const oldInbox = new Inbox(db, { now: () => t0 });
    await db.transaction((tx) => oldInbox.remember(tx, 'k-old', 'd', { ok: true }));
    const later = new Date(t0.getTime() + 10 * DAY);
    const replay = new SqliteReplayCache(db, { clock: () => t0 });
    await replay.remember('expired-token', t0.getTime() + 60_000);
    await replay.remember('live-token', later.getTime() + 60_000);
    const recentInbox = new Inbox(db, { now: () => later });
    await db.transaction((tx) => recentInbox.remember(tx, 'k-new', 'd', { ok: true }));

    const house = startHousekeeping(
      db,
      recentInbox,
      () => later,
      (e) => {
        throw e;
      },
    );
    try {
      // The first pass runs at start; this one queues behind it on the database, then finds nothing left.
      expect(await house.runOnce()).to.deep.equal({ outbox: 0, inbox: 0, replay: 0 });
      expect(await replay.remember('live-token', later.getTime() + 60_000)).to.equal(false);
      const count = await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM replay_cache');
      expect(count?.n).to.equal(1);
      expect((await listOutbox(db)).map((e) => e.aggregateId)).to.deep.equal(['old-pending']);
      expect(await recentInbox.lookup('k-new', 'd')).to.not.equal(undefined);
      expect(await recentInbox.lookup('k-old', 'd')).to.equal(undefined);
    } finally {
      house.stop();
    }
  });
});
