// The store's SQLite binding: the `Database` class (connector/store/database.ts: better-sqlite3 behind the
// promise API, one writer queue, reader connections, pacing per event-loop turn) beside bare
// better-sqlite3 (synchronous calls, no promises: the floor), in the same run, on the statement mix of
// one negotiation state change: read the record, update it, read the evidence head, append an evidence
// entry, queue an outbox row, all in one IMMEDIATE transaction, then one read outside it (the
// management API reading the record). Run alone and with 128 state changes in flight.
//
// Figures: state changes per second and CPU per state change (process time). The store ran on sqlite3
// (a thread-pool trip per statement) before; its figures against better-sqlite3 and the decision to
// switch are in docs/performance.md ("SQLite binding").
import BetterSqlite from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, storeStats, type Queries } from '../connector/store/database.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS record (id TEXT PRIMARY KEY, state TEXT NOT NULL, body TEXT NOT NULL, version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS evidence (seq INTEGER PRIMARY KEY, subject TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, aggregate_id TEXT NOT NULL,
    body TEXT NOT NULL, status TEXT NOT NULL, next_attempt_at TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, next_attempt_at);
`;
const BODY = JSON.stringify({ '@type': 'ContractNegotiation', offer: 'x'.repeat(600) });
const RECORDS = 1000;

async function changeAsync(db: Database, n: number): Promise<void> {
  const id = `urn:neg:${n % RECORDS}`;
  await db.transaction(async (tx: Queries) => {
    const record = await tx.get<{ version: number }>('SELECT version FROM record WHERE id = ?', [id]);
    await tx.run('UPDATE record SET state = ?, body = ?, version = ? WHERE id = ?', [
      `S${n}`,
      BODY,
      (record?.version ?? 0) + 1,
      id,
    ]);
    const head = await tx.get<{ seq: number }>('SELECT seq FROM evidence ORDER BY seq DESC LIMIT 1');
    await tx.run('INSERT INTO evidence (seq, subject, data, prev_hash) VALUES (?, ?, ?, ?)', [
      (head?.seq ?? 0) + 1,
      id,
      BODY,
      'h',
    ]);
    await tx.run(
      'INSERT INTO outbox (id, aggregate_id, body, status, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
      [`m${n}-${Math.random()}`, id, BODY, 'pending', new Date().toISOString()],
    );
  });
  await db.get('SELECT state, body FROM record WHERE id = ?', [id]);
}

function syncBinding(file: string): (n: number) => void {
  const db = new BetterSqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const get = db.prepare('SELECT version FROM record WHERE id = ?');
  const update = db.prepare('UPDATE record SET state = ?, body = ?, version = ? WHERE id = ?');
  const head = db.prepare('SELECT seq FROM evidence ORDER BY seq DESC LIMIT 1');
  const append = db.prepare('INSERT INTO evidence (seq, subject, data, prev_hash) VALUES (?, ?, ?, ?)');
  const queue = db.prepare(
    'INSERT INTO outbox (id, aggregate_id, body, status, next_attempt_at) VALUES (?, ?, ?, ?, ?)',
  );
  const read = db.prepare('SELECT state, body FROM record WHERE id = ?');
  const change = db
    .transaction((n: number) => {
      const id = `urn:neg:${n % RECORDS}`;
      const record = get.get(id) as { version: number } | undefined;
      update.run(`S${n}`, BODY, (record?.version ?? 0) + 1, id);
      const last = head.get() as { seq: number } | undefined;
      append.run((last?.seq ?? 0) + 1, id, BODY, 'h');
      queue.run(`m${n}-${Math.random()}`, id, BODY, 'pending', new Date().toISOString());
    })
    .immediate.bind(null);
  return (n: number) => {
    change(n);
    read.get(`urn:neg:${n % RECORDS}`);
  };
}

interface Figure {
  readonly perSecond: number;
  readonly cpuMs: number;
  /** State changes run, warm-up included (what the store's counts cover). */
  readonly calls: number;
}

async function measure(
  run: (n: number) => Promise<void>,
  inFlight: number,
  seconds: number,
): Promise<Figure> {
  let n = 0;
  for (let i = 0; i < 200; i++) await run(n++); // warm up
  const started = performance.now();
  const cpu = process.cpuUsage();
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() - started < seconds * 1000) {
      await run(n++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const used = process.cpuUsage(cpu);
  const elapsed = (performance.now() - started) / 1000;
  return { perSecond: done / elapsed, cpuMs: (used.user + used.system) / 1000 / done, calls: done + 200 };
}

export async function run(): Promise<void> {
  console.log(
    '\n# SQLite binding: one negotiation state change (5 statements in a transaction + 1 read), Database against bare better-sqlite3',
  );
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-binding-'));
  try {
    const asyncFile = join(dir, 'database.sqlite');
    const syncFile = join(dir, 'better.sqlite');
    const db = await Database.open(asyncFile, [{ id: 'bench/1', sql: SCHEMA }]);
    const seed = (q: { exec(sql: string): unknown }): unknown =>
      q.exec(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${RECORDS - 1})
         INSERT INTO record SELECT 'urn:neg:' || i, 'S', '{}', 0 FROM n`,
      );
    await seed(db);
    const better = new BetterSqlite(syncFile);
    better.exec(SCHEMA);
    seed(better);
    better.close();
    const sync = syncBinding(syncFile);
    const syncRun = (n: number): Promise<void> => {
      sync(n);
      return Promise.resolve();
    };
    for (const inFlight of [1, 128]) {
      const before = storeStats();
      const a = await measure((n) => changeAsync(db, n), inFlight, 3);
      const after = storeStats();
      const statements = (after.statements - before.statements) / a.calls;
      const b = await measure(syncRun, inFlight, 3);
      console.log(
        `  ${String(inFlight).padStart(3)} in flight: Database ${a.perSecond.toFixed(0).padStart(6)}/s, ` +
          `CPU ${a.cpuMs.toFixed(3)} ms/change (${statements.toFixed(1)} statements); ` +
          `bare better-sqlite3 ${b.perSecond.toFixed(0).padStart(6)}/s, CPU ${b.cpuMs.toFixed(3)} ms/change`,
      );
    }
    await db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
