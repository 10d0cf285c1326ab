import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { types } from 'node:util';
import { CHECKPOINT_EVERY } from '../../connector/store/checkpointer.js';
import { Database, isUniqueViolation } from '../../connector/store/database.js';

describe('store: SQLite database', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shuyu-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const migrations = [
    { id: 'test/1', sql: 'CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)' },
    { id: 'test/2', sql: 'ALTER TABLE item ADD COLUMN note TEXT' },
  ];

  it('opens in WAL mode and applies migrations once, in order', async () => {
    const file = join(dir, 'a.sqlite');
    const db = await Database.open(file, migrations);
    expect((await db.get<{ journal_mode: string }>('PRAGMA journal_mode'))?.journal_mode).to.equal('wal');
    expect(
      (await db.all<{ id: string }>('SELECT id FROM _migrations ORDER BY id')).map((r) => r.id),
    ).to.deep.equal(['test/1', 'test/2']);
    await db.run('INSERT INTO item (name, note) VALUES (?, ?)', ['a', 'first']);
    await db.close();
    const again = await Database.open(file, migrations); // re-applying would fail on ALTER TABLE
    expect(await again.all<{ name: string; note: string }>('SELECT name, note FROM item')).to.deep.equal([
      { name: 'a', note: 'first' },
    ]);
    await again.close();
  });

  it('rolls a failed transaction back entirely and keeps working', async () => {
    const db = await Database.open(join(dir, 'b.sqlite'), migrations);
    await db.run("INSERT INTO item (name) VALUES ('kept')");
    let failure: unknown;
    try {
      await db.transaction(async (tx) => {
        await tx.run("INSERT INTO item (name) VALUES ('half')");
        await tx.run("INSERT INTO item (name) VALUES ('kept')"); // UNIQUE violation
      });
    } catch (e) {
      failure = e;
    }
    expect(String(failure)).to.match(/UNIQUE/);
    expect(
      (await db.all<{ name: string }>('SELECT name FROM item ORDER BY id')).map((r) => r.name),
    ).to.deep.equal(['kept']);
    await db.close();
  });

  it('does not interleave other statements into an open transaction', async () => {
    const db = await Database.open(join(dir, 'c.sqlite'), migrations);
    const order: string[] = [];
    const tx = db.transaction(async (t) => {
      await t.run("INSERT INTO item (name) VALUES ('tx-1')");
      order.push('tx-1');
      await new Promise((r) => setTimeout(r, 20));
      await t.run("INSERT INTO item (name) VALUES ('tx-2')");
      order.push('tx-2');
    });
    const outside = db.run("INSERT INTO item (name) VALUES ('outside')").then(() => order.push('outside'));
    await Promise.all([tx, outside]);
    expect(order).to.deep.equal(['tx-1', 'tx-2', 'outside']);
    await db.close();
  });

  it('checkpoints the WAL on a worker thread while open, not inside a COMMIT, and leaves no WAL at close', async () => {
    const file = join(dir, 'wal.sqlite');
    const db = await Database.open(file, migrations);
    // The writer's own automatic checkpoint is off: it would run inside a COMMIT on this thread.
    expect(
      (await db.get<{ wal_autocheckpoint: number }>('PRAGMA wal_autocheckpoint'))?.wal_autocheckpoint,
    ).to.equal(0);
    const emptySize = statSync(file).size;
    const note = 'x'.repeat(3000);
    for (let i = 0; i < 3 * CHECKPOINT_EVERY; i++) {
      await db.transaction((tx) => tx.run('INSERT INTO item (name, note) VALUES (?, ?)', [`n${i}`, note]));
    }
    // Copied into the database file by the worker's checkpoints while this connection stays open. A
    // PASSIVE checkpoint may copy part of the WAL (it waits for nobody), so wait for the whole size.
    const expected = emptySize + CHECKPOINT_EVERY * 3000;
    const deadline = Date.now() + 10_000;
    while (statSync(file).size <= expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(statSync(file).size).to.be.greaterThan(expected);
    await db.close();
    expect(existsSync(`${file}-wal`)).to.equal(false);
    const again = await Database.open(file, migrations);
    expect((await again.get<{ n: number }>('SELECT count(*) AS n FROM item'))?.n).to.equal(
      3 * CHECKPOINT_EVERY,
    );
    await again.close();
  });

  it('refuses use after close with a typed error', async () => {
    const db = await Database.open(join(dir, 'd.sqlite'));
    await db.close();
    let code: string | undefined;
    await db.get('SELECT 1').catch((e: { code?: string }) => (code = e.code));
    expect(code).to.equal('ERR_STORE_CLOSED');
  });

  it('steps through a large read in later event-loop turns, from one snapshot, while other reads see new commits', async () => {
    const db = await Database.open(join(dir, 'f.sqlite'), migrations);
    // Enough rows that stepping through them takes longer than one turn's budget on any machine.
    await db.run(
      `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 300000)
       INSERT INTO item (name, note) SELECT 'item-' || i, printf('%.200c', 'x') FROM k`,
    );
    let otherTurn = false;
    setImmediate(() => (otherTurn = true));
    let seenMeanwhile: unknown;
    const reading = db.all<{ id: number }>('SELECT id, name, note FROM item ORDER BY id');
    // Runs while the read is paused: the event loop is not held by it.
    setImmediate(() => {
      seenMeanwhile = (async () => {
        await db.run("INSERT INTO item (name) VALUES ('late')");
        return db.get<{ n: number }>('SELECT COUNT(*) AS n FROM item');
      })();
    });
    const rows = await reading;
    expect(otherTurn).to.equal(true);
    expect(rows.length).to.equal(300000); // the snapshot the read started on: without 'late'
    expect(await seenMeanwhile).to.deep.equal({ n: 300001 }); // another reader saw the new commit
    await db.close();
  });

  it('waits for the write lock another connection holds without blocking the event loop', async () => {
    const file = join(dir, 'g.sqlite');
    const [first, second] = [await Database.open(file, migrations), await Database.open(file, migrations)];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holding = first.transaction(async (tx) => {
      await tx.run("INSERT INTO item (name) VALUES ('first')");
      locked();
      await held; // another process's transaction, as a replica's would be
    });
    await lockTaken;
    let written = false;
    const writing = second.run("INSERT INTO item (name) VALUES ('second')").then(() => (written = true));
    // The event loop keeps turning while the second connection waits (a synchronous busy wait would
    // stall this timer until the lock came free, or fail the write with SQLITE_BUSY after 5 s).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).to.equal(false);
    release();
    await Promise.all([holding, writing]);
    expect(
      (await second.all<{ name: string }>('SELECT name FROM item ORDER BY id')).map((r) => r.name),
    ).to.deep.equal(['first', 'second']);
    await Promise.all([first.close(), second.close()]);
  });

  it("rejects with plain Errors that carry SQLite's code and message", async () => {
    const db = await Database.open(join(dir, 'h.sqlite'), migrations);
    await db.run("INSERT INTO item (name) VALUES ('a')");
    const failure = await db.run("INSERT INTO item (name) VALUES ('a')").catch((e: unknown) => e);
    expect(types.isNativeError(failure)).to.equal(true);
    expect(failure).to.include({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect((failure as Error).message).to.equal('UNIQUE constraint failed: item.name');
    expect(isUniqueViolation(failure)).to.equal(true);
    const syntax = await db.all('SELECT FROM nowhere').catch((e: unknown) => e);
    expect(types.isNativeError(syntax) && (syntax as { code?: string }).code).to.equal('SQLITE_ERROR');
    await db.close();
  });

  it('reports an unopenable path with what to check', async () => {
    let message = '';
    await Database.open(join(dir, 'missing-dir', 'x', 'e.sqlite')).catch((e: Error) => (message = e.message));
    expect(message).to.match(/cannot open database .*check the path/);
  });
});
