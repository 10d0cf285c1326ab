// The store contract: the same tests on both backends (SQLite file, PostgreSQL database). A module that
// passes its tests on one backend relies only on what is checked here, so it works on the other.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, isUniqueViolation, type Migration, type Store } from '../../connector/store/database.js';
import { jsonValues, postgresRowid } from '../../connector/store/dialect.js';
import { databaseUrlFrom, openStore } from '../../connector/store/open.js';
import { PostgresStore, toPositional } from '../../connector/store/postgres.js';
import { postgresForTests } from '../support/postgres.js';

const MIGRATIONS: readonly Migration[] = [
  {
    id: 'contract/1',
    sql: `
      CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER, data BLOB, score REAL);
      CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO counter (name, value) VALUES ('c', 0);
      CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL);
    `,
  },
  { id: 'contract/2', sql: 'ALTER TABLE item ADD COLUMN note TEXT' },
  postgresRowid('log'),
];

interface Backend {
  readonly name: string;
  /** A fresh place for one test; `open` opens it (again) with the given migrations. */
  fresh(): Promise<(migrations?: readonly Migration[]) => Promise<Store>>;
  readonly skip?: () => Promise<string | undefined>;
}

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sqlite: Backend = {
  name: 'SQLite',
  fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'shuyu-contract-'));
    dirs.push(dir);
    return Promise.resolve((migrations = MIGRATIONS) => Database.open(join(dir, 'store.sqlite'), migrations));
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  async fresh() {
    const available = await postgresForTests();
    if (!available.ok) throw new Error(available.reason);
    const url = await available.postgres.createDatabase();
    return (migrations = MIGRATIONS) => PostgresStore.open(url, migrations);
  },
  async skip() {
    const available = await postgresForTests();
    return available.ok ? undefined : available.reason;
  },
};

for (const backend of [sqlite, postgres]) {
  describe(`store contract: ${backend.name}`, function () {
    let open: (migrations?: readonly Migration[]) => Promise<Store>;
    let db: Store;

    before(async function () {
      const reason = await backend.skip?.();
      if (reason !== undefined) {
        console.log(`      skipped: ${reason}`);
        this.skip();
      }
    });
    beforeEach(async () => {
      open = await backend.fresh();
      db = await open();
    });
    afterEach(() => db.close());

    it('applies migrations once, in order, and again at the next open does nothing', async () => {
      expect(
        (await db.all<{ id: string }>('SELECT id FROM _migrations ORDER BY id')).map((r) => r.id),
      ).to.deep.equal(['contract/1', 'contract/2', 'log/postgres-rowid']);
      await db.run('INSERT INTO item (name, note) VALUES (?, ?)', ['a', 'first']);
      await db.close();
      db = await open(); // re-applying would fail on ALTER TABLE
      expect(await db.all('SELECT name, note FROM item')).to.deep.equal([{ name: 'a', note: 'first' }]);
      await db.close();
      db = await open([...MIGRATIONS, { id: 'contract/3', sql: 'CREATE INDEX item_note ON item (note)' }]);
      expect(await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM _migrations')).to.deep.equal({ n: 4 });
    });

    it('refuses a migration list naming an id twice, and a failing migration leaves nothing of it', async () => {
      await db.close();
      let code: string | undefined;
      await open([...MIGRATIONS, MIGRATIONS[0]!]).catch((e: { code?: string }) => (code = e.code));
      expect(code).to.equal('ERR_STORE_MIGRATION');
      const failing = { id: 'contract/bad', sql: 'CREATE TABLE half (x TEXT); CREATE TABLE item (y TEXT);' };
      let failure: unknown;
      await open([...MIGRATIONS, failing]).catch((e: unknown) => (failure = e));
      expect(failure).to.be.an('error');
      db = await open();
      expect(await db.get('SELECT id FROM _migrations WHERE id = ?', ['contract/bad'])).to.equal(undefined);
      await db.run('CREATE TABLE half (x TEXT)'); // the migration's first table was rolled back
    });

    it('runs statements: changes counted, get of nothing is undefined, exec runs several', async () => {
      expect(await db.get('SELECT name FROM item WHERE name = ?', ['none'])).to.equal(undefined);
      await db.exec("INSERT INTO item (name) VALUES ('a'); INSERT INTO item (name) VALUES ('b');");
      const changed = await db.run('UPDATE item SET note = ? WHERE name IN (?, ?)', ['x', 'a', 'b']);
      expect(changed.changes).to.equal(2);
      expect((await db.run('DELETE FROM item WHERE name = ?', ['none'])).changes).to.equal(0);
      expect(await db.all('SELECT name, note FROM item ORDER BY name')).to.deep.equal([
        { name: 'a', note: 'x' },
        { name: 'b', note: 'x' },
      ]);
    });

    it('numbers generated ids, read back with RETURNING, never reused after a delete', async () => {
      const first = await db.get<{ seq: number }>('INSERT INTO log (text) VALUES (?) RETURNING seq', ['one']);
      const second = await db.get<{ seq: number }>('INSERT INTO log (text) VALUES (?) RETURNING seq', [
        'two',
      ]);
      expect(second!.seq).to.be.greaterThan(first!.seq);
      await db.run('DELETE FROM log WHERE seq = ?', [second!.seq]);
      const third = await db.get<{ seq: number }>('INSERT INTO log (text) VALUES (?) RETURNING seq', [
        'three',
      ]);
      expect(third!.seq).to.be.greaterThan(second!.seq);
      expect(
        (await db.all<{ text: string }>('SELECT text FROM log ORDER BY rowid')).map((r) => r.text),
      ).to.deep.equal(['one', 'three']);
    });

    it('keeps ? inside string literals, quoted names and comments as text', async () => {
      const row = await db.get(`SELECT '?' AS "q?", ? AS v -- a comment?\n`, ['value']);
      expect(row).to.deep.equal({ 'q?': '?', v: 'value' });
      expect(await db.get("SELECT 'it''s ?' AS t, ? AS v", ['x'])).to.deep.equal({ t: "it's ?", v: 'x' });
    });

    it('binds ?NNN parameters by number, one used twice, beside literals that look like them', async () => {
      await db.run("INSERT INTO item (name, n) VALUES ('a', 1), ('b', 2)");
      const sql = `SELECT name, '?1' AS text FROM item WHERE (CAST(?1 AS TEXT) IS NULL OR name = ?1) AND n <= ?2 ORDER BY name`;
      expect(await db.all(sql, [null, 5])).to.deep.equal([
        { name: 'a', text: '?1' },
        { name: 'b', text: '?1' },
      ]);
      expect(await db.all(sql, ['b', 5])).to.deep.equal([{ name: 'b', text: '?1' }]);
      await db.transaction((tx) => tx.run('UPDATE item SET n = ?2 WHERE name = ?1', ['a', 7]));
      expect(await db.get('SELECT n FROM item WHERE name = ?', ['a'])).to.deep.equal({ n: 7 });
    });

    it('upserts with ON CONFLICT on both dialects', async () => {
      await db.run("INSERT INTO item (name, n) VALUES ('a', 1)");
      await db.run("INSERT INTO item (name, n) VALUES ('a', 2) ON CONFLICT DO NOTHING");
      await db.run(
        "INSERT INTO item (name, n) VALUES ('a', 3) ON CONFLICT (name) DO UPDATE SET n = excluded.n + item.n",
      );
      expect(await db.get('SELECT n FROM item WHERE name = ?', ['a'])).to.deep.equal({ n: 4 });
    });

    it('commits a transaction and returns its result', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.run("INSERT INTO item (name) VALUES ('in-tx')");
        return (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM item'))!.n;
      });
      expect(result).to.equal(1);
      expect(await db.get('SELECT name FROM item')).to.deep.equal({ name: 'in-tx' });
    });

    it('rolls a failed transaction back entirely, names a unique violation, and keeps working', async () => {
      await db.run("INSERT INTO item (name) VALUES ('kept')");
      let failure: unknown;
      await db
        .transaction(async (tx) => {
          await tx.run("INSERT INTO item (name) VALUES ('half')");
          await tx.run("INSERT INTO item (name) VALUES ('kept')");
        })
        .catch((e: unknown) => (failure = e));
      expect(isUniqueViolation(failure)).to.equal(true);
      expect(isUniqueViolation(new Error('other'))).to.equal(false);
      expect((await db.all<{ name: string }>('SELECT name FROM item')).map((r) => r.name)).to.deep.equal([
        'kept',
      ]);
      await db.transaction((tx) => tx.run("INSERT INTO item (name) VALUES ('after')"));
      expect(await db.get('SELECT COUNT(*) AS n FROM item')).to.deep.equal({ n: 2 });
    });

    it('hides a transaction from reads outside it until it commits', async () => {
      let release!: () => void;
      const hold = new Promise<void>((resolve) => (release = resolve));
      let inside!: () => void;
      const written = new Promise<void>((resolve) => (inside = resolve));
      const tx = db.transaction(async (t) => {
        await t.run("INSERT INTO item (name) VALUES ('pending')");
        inside();
        await hold;
      });
      await written;
      expect(await db.get('SELECT name FROM item')).to.equal(undefined);
      release();
      await tx;
      expect(await db.get('SELECT name FROM item')).to.deep.equal({ name: 'pending' });
    });

    it('runs concurrent transactions one after another: no lost update, no interleaving', async () => {
      const order: string[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          db.transaction(async (tx) => {
            order.push(`begin ${i}`);
            const row = await tx.get<{ value: number }>("SELECT value FROM counter WHERE name = 'c'");
            await new Promise((r) => setTimeout(r, 1));
            await tx.run("UPDATE counter SET value = ? WHERE name = 'c'", [row!.value + 1]);
            order.push(`end ${i}`);
          }),
        ),
      );
      expect(await db.get("SELECT value FROM counter WHERE name = 'c'")).to.deep.equal({ value: 20 });
      expect(order).to.deep.equal(Array.from({ length: 20 }, (_, i) => [`begin ${i}`, `end ${i}`]).flat());
    });

    it('does not interleave other statements into an open transaction', async () => {
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
    });

    it('stores blobs byte for byte and compares them', async () => {
      const bytes = Buffer.from([0, 1, 2, 255, 0, 128, 39, 63]);
      const empty = Buffer.alloc(0);
      await db.run('INSERT INTO item (name, data) VALUES (?, ?), (?, ?)', ['bytes', bytes, 'empty', empty]);
      const row = await db.get<{ data: Buffer }>('SELECT data FROM item WHERE data = ?', [bytes]);
      expect(Buffer.isBuffer(row!.data) && row!.data.equals(bytes)).to.equal(true);
      const none = await db.get<{ data: Buffer; len: number }>(
        'SELECT data, length(data) AS len FROM item WHERE name = ?',
        ['empty'],
      );
      expect(none!.len).to.equal(0);
      expect(Buffer.isBuffer(none!.data) && none!.data.length === 0).to.equal(true);
    });

    it('keeps integers up to 2^53 - 1 (milliseconds, counters) as exact numbers', async () => {
      const values = [0, -1, 2 ** 31, Date.now(), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
      for (const [i, n] of values.entries())
        await db.run('INSERT INTO item (name, n) VALUES (?, ?)', [`n${i}`, n]);
      const rows = await db.all<{ n: number }>('SELECT n FROM item ORDER BY id');
      expect(rows.map((r) => r.n)).to.deep.equal(values);
      const big = await db.get('SELECT n FROM item WHERE n = ?', [Number.MAX_SAFE_INTEGER]);
      expect(big).to.deep.equal({ n: Number.MAX_SAFE_INTEGER });
      expect(
        await db.get('SELECT COUNT(*) AS c, SUM(n) AS s, MAX(n) AS m FROM item WHERE n >= 0'),
      ).to.deep.equal({
        c: 4,
        s: 2 ** 31 + values[3]! + Number.MAX_SAFE_INTEGER,
        m: Number.MAX_SAFE_INTEGER,
      });
      await db.run('INSERT INTO item (name, score) VALUES (?, ?)', ['real', 0.1 + 0.2]);
      expect(await db.get('SELECT score FROM item WHERE name = ?', ['real'])).to.deep.equal({
        score: 0.1 + 0.2,
      });
    });

    it('stores Unicode text exactly, compares and orders it by code point', async () => {
      const names = ['数据空间', 'Zürich', 'émoji 🚀', 'ascii', '中文标题 with English', 'Ω'];
      for (const name of names) await db.run('INSERT INTO item (name) VALUES (?)', [name]);
      expect(await db.get('SELECT name FROM item WHERE name = ?', ['数据空间'])).to.deep.equal({
        name: '数据空间',
      });
      const ordered = (await db.all<{ name: string }>('SELECT name FROM item ORDER BY name')).map(
        (r) => r.name,
      );
      expect(ordered).to.deep.equal([...names].sort());
      expect(await db.get("SELECT length('数据🚀') AS n")).to.deep.equal({ n: 3 });
    });

    it('passes a list as one JSON parameter (text and integer)', async () => {
      await db.exec(
        "INSERT INTO item (id, name) VALUES (1, 'a'); INSERT INTO item (id, name) VALUES (2, 'b');",
      );
      const byName = await db.all(
        `SELECT id FROM item WHERE name IN (${jsonValues(db.dialect)}) ORDER BY id`,
        [JSON.stringify(['b', 'a', 'x'])],
      );
      expect(byName).to.deep.equal([{ id: 1 }, { id: 2 }]);
      const byId = await db.all(`SELECT name FROM item WHERE id IN (${jsonValues(db.dialect, 'integer')})`, [
        JSON.stringify([2]),
      ]);
      expect(byId).to.deep.equal([{ name: 'b' }]);
    });

    it('refuses use after close with a typed error, for reads, writes and transactions', async () => {
      await db.close();
      for (const attempt of [
        () => db.get('SELECT 1'),
        () => db.run("INSERT INTO item (name) VALUES ('late')"),
        () => db.transaction(async () => undefined),
      ]) {
        let code: string | undefined;
        await attempt().catch((e: { code?: string }) => (code = e.code));
        expect(code).to.equal('ERR_STORE_CLOSED');
      }
      await db.close(); // twice is fine
      db = await open();
      expect(await db.get('SELECT name FROM item')).to.equal(undefined);
    });
  });
}

describe('store: choosing the backend', () => {
  it('takes --database over SHUYU_DATABASE_URL over the config file, and only PostgreSQL URLs', () => {
    const env = { SHUYU_DATABASE_URL: 'postgres://env/db' };
    expect(databaseUrlFrom('postgres://flag/db', 'postgres://file/db', env)).to.equal('postgres://flag/db');
    expect(databaseUrlFrom(undefined, 'postgres://file/db', env)).to.equal('postgres://env/db');
    expect(databaseUrlFrom(undefined, 'postgresql://file/db', {})).to.equal('postgresql://file/db');
    expect(databaseUrlFrom(undefined, undefined, { SHUYU_DATABASE_URL: '' })).to.equal(undefined);
    expect(() => databaseUrlFrom('mysql://u:secret@h/db', undefined, {})).to.throw(
      /--database must be a PostgreSQL URL/,
    );
    expect(() => databaseUrlFrom('mysql://u:secret@h/db', undefined, {})).not.to.throw(/secret/);
    expect(() => databaseUrlFrom(undefined, 5, {}, 'connector.json')).to.throw(
      /"database" in connector.json/,
    );
  });

  it('numbers placeholders outside literals only', () => {
    expect(toPositional('SELECT ? , \'?\', "?", $$?$$, /* ? */ ? -- ?\n, ?')).to.equal(
      'SELECT $1 , \'?\', "?", $$?$$, /* ? */ $2 -- ?\n, $3',
    );
  });

  it('says what to do when the server is unreachable or the URL is not one', async () => {
    let error: { code?: string; message: string } | undefined;
    // A port nothing listens on: bind one and close it.
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await openStore({ databaseUrl: `postgres://u:secret@127.0.0.1:${port}/shuyu`, file: 'unused' }).catch(
      (e: { code?: string; message: string }) => (error = e),
    );
    expect(error?.code).to.equal('ERR_STORE_UNREACHABLE');
    expect(error?.message).to.match(/is the server running/);
    expect(error?.message).not.to.match(/secret/);
    await PostgresStore.open('postgres://[bad').catch((e: { code?: string; message: string }) => (error = e));
    expect(error?.code).to.equal('ERR_STORE_URL');
  });

  it('names a missing database and how to create it', async function () {
    const available = await postgresForTests();
    if (!available.ok) this.skip();
    const url = new URL(await available.postgres.createDatabase());
    url.pathname = '/shuyu_no_such_database';
    let error: { code?: string; message: string } | undefined;
    await PostgresStore.open(url.toString()).catch((e: { code?: string; message: string }) => (error = e));
    expect(error?.code).to.equal('ERR_STORE_MISSING_DATABASE');
    expect(error?.message).to.match(/createdb shuyu_no_such_database/);
  });
});
