import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../connector/store/database.js';

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

  it('refuses use after close with a typed error', async () => {
    const db = await Database.open(join(dir, 'd.sqlite'));
    await db.close();
    let code: string | undefined;
    await db.get('SELECT 1').catch((e: { code?: string }) => (code = e.code));
    expect(code).to.equal('ERR_STORE_CLOSED');
  });

  it('reports an unopenable path with what to check', async () => {
    let message = '';
    await Database.open(join(dir, 'missing-dir', 'x', 'e.sqlite')).catch((e: Error) => (message = e.message));
    expect(message).to.match(/cannot open database .*check the path/);
  });
});
