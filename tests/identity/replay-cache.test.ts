// The replay cache in the connector's SQLite store: a token is accepted once, refused while it lives (also
// after the process restarts on the same data directory), and forgotten by housekeeping once expired.
import { expect } from 'chai';
import { join } from 'node:path';
import {
  pruneReplayCache,
  REPLAY_CACHE_MIGRATIONS,
  SqliteReplayCache,
} from '../../connector/identity/index.js';
import { startConnector, type RunningConnector } from '../../connector/process/connector.js';
import {
  bankApplication,
  hospitalApplication,
  onboard,
  startLocalDataSpace,
  whoami,
} from '../authority/helpers.js';
import { cleanUp, openDatabase, tempDatabase } from '../negotiation/helpers.js';

describe('identity: persistent replay cache', function () {
  this.timeout(30_000);
  afterEach(cleanUp);

  it('accepts an id once, refuses it while live, reuses it once expired', async () => {
    let now = 1_000_000;
    const { db } = await tempDatabase(REPLAY_CACHE_MIGRATIONS);
    const cache = new SqliteReplayCache(db, { clock: () => new Date(now) });
    expect(await cache.remember('did:web:a jti-1', now + 60_000)).to.equal(true);
    expect(await cache.remember('did:web:a jti-1', now + 60_000)).to.equal(false);
    expect(await cache.remember('did:web:b jti-1', now + 60_000)).to.equal(true);
    now += 61_000;
    expect(await cache.remember('did:web:a jti-1', now + 60_000)).to.equal(true);
  });

  it('lets exactly one of many concurrent uses of the same id through', async () => {
    const { db } = await tempDatabase(REPLAY_CACHE_MIGRATIONS);
    const cache = new SqliteReplayCache(db);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => cache.remember('did:web:a same', Date.now() + 60_000)),
    );
    expect(results.filter(Boolean)).to.have.length(1);
  });

  it('still refuses an id after the database is closed and opened again', async () => {
    const { db, file } = await tempDatabase(REPLAY_CACHE_MIGRATIONS);
    expect(await new SqliteReplayCache(db).remember('x', Date.now() + 60_000)).to.equal(true);
    await db.close();
    const reopened = await openDatabase(file, REPLAY_CACHE_MIGRATIONS);
    expect(await new SqliteReplayCache(reopened).remember('x', Date.now() + 60_000)).to.equal(false);
  });

  it('refuses new ids when full of live ones, instead of forgetting any', async () => {
    const { db } = await tempDatabase(REPLAY_CACHE_MIGRATIONS);
    const cache = new SqliteReplayCache(db, { maxEntries: 2 });
    await cache.remember('a', Date.now() + 60_000);
    await cache.remember('b', Date.now() + 60_000);
    try {
      await cache.remember('c', Date.now() + 60_000);
      expect.fail('a third live id was accepted');
    } catch (error) {
      expect((error as { code?: string }).code).to.equal('ERR_REPLAY_CACHE_FULL');
    }
  });

  it('prunes only expired entries', async () => {
    const { db } = await tempDatabase(REPLAY_CACHE_MIGRATIONS);
    const cache = new SqliteReplayCache(db, { clock: () => new Date(1_000) });
    await cache.remember('old', 2_000);
    await cache.remember('live', 9_000);
    expect(await pruneReplayCache(db, new Date(5_000))).to.equal(1);
    expect(await cache.remember('live', 9_000)).to.equal(false);
    expect(await cache.remember('old', 9_000)).to.equal(true);
  });

  it('refuses a request token replayed after the connector restarted on the same data directory', async () => {
    const space = await startLocalDataSpace();
    let hospital: RunningConnector | undefined;
    try {
      hospital = await space.startConnector('hospital');
      const bank = await space.startConnector('bank');
      await onboard(space, hospital, hospitalApplication());
      await onboard(space, bank, bankApplication());
      const token = await bank.requestTokenFor(hospital.did);
      expect((await whoami(hospital, token)).status).to.equal(200);

      const port = hospital.server.port;
      space.connectors.splice(space.connectors.indexOf(hospital), 1);
      await hospital.close();
      hospital = await startConnector({
        dataDir: join(space.dir, 'hospital'),
        port,
        authorityUrl: space.authority.url,
      });

      const replayed = await whoami(hospital, token);
      expect(replayed.status).to.equal(401);
      expect(JSON.stringify(replayed.body)).to.match(/replay|already been used|reused/i);
      // A fresh token from the same member is fine: the restart kept the member's standing.
      expect((await whoami(hospital, await bank.requestTokenFor(hospital.did))).status).to.equal(200);
    } finally {
      await hospital?.close();
      await space.close();
    }
  });
});
