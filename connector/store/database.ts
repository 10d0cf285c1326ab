// The embedded SQLite store behind every Shuyu process (sqlite3, WAL). Schema changes are migrations with
// a stable id ("negotiation/1"), recorded in the _migrations table and applied at open in the order given,
// so each module owns its own tables and ids and a process simply concatenates the modules' lists.
//
// Two connections per file. The writer runs every write and every transaction, one after another through
// one queue, so a transaction never sees another caller's statements interleaved. A read-only reader
// serves plain SELECTs outside transactions: in WAL mode it reads the last committed state while the
// writer works, so reads never wait behind a transaction (and see it once it has committed). Each
// connection runs one statement at a time (sqlite3 would otherwise park libuv threads on the connection's
// mutex) and keeps its statements prepared: a statement is one trip to the thread pool, not three.

import sqlite3 from 'sqlite3';

export type SqlValue = string | number | bigint | Buffer | null;
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

export interface Migration {
  /** Unique and stable forever: "<module>/<n>", e.g. "authority/1". Never edit an applied migration; add one. */
  readonly id: string;
  readonly sql: string;
}

export interface RunResult {
  readonly changes: number;
  readonly lastID: number;
}

/** What a transaction callback may do (statements run inside the open transaction). */
export interface Queries {
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/**
 * What this process asked of SQLite so far: statements run (run/get/all/exec), thread-pool trips
 * (each statement one, a prepare one more) and transactions. Read by the benches (storeStats()).
 */
const stats = { statements: 0, trips: 0, transactions: 0 };

export function storeStats(): Readonly<typeof stats> {
  return { ...stats };
}

/** Prepared statements kept per connection; the least recently used beyond this are finalized. */
const STATEMENT_CACHE_SIZE = 256;

/** Plain reads go to the reader; anything else (PRAGMA, WITH ... INSERT, RETURNING) to the writer. */
const READ_ONLY = /^\s*SELECT\b/i;

/** One sqlite3 connection: statements prepared once and run directly, one at a time. */
class Connection implements Queries {
  private readonly statements = new Map<string, Promise<sqlite3.Statement>>();

  constructor(private readonly db: sqlite3.Database) {}

  static open(file: string, mode: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const db: sqlite3.Database = new sqlite3.Database(file, mode, (err: Error | null) =>
        err ? reject(err) : resolve(new Connection(db)),
      );
    });
  }

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    stats.statements++;
    stats.trips++;
    return this.statement(sql).then(
      (stmt) =>
        new Promise((resolve, reject) => {
          stmt.run(params, function (this: sqlite3.RunResult, err: Error | null) {
            if (err) reject(err);
            else resolve({ changes: this.changes, lastID: this.lastID });
          });
        }),
    );
  }

  async get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    // Stepped to the end (not sqlite3's get): a statement left on a row would keep a read transaction,
    // and with it an old snapshot, open on the connection.
    return (await this.all<T>(sql, params))[0];
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    stats.statements++;
    stats.trips++;
    return this.statement(sql).then(
      (stmt) =>
        new Promise((resolve, reject) => {
          stmt.all(params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
        }),
    );
  }

  exec(sql: string): Promise<void> {
    stats.statements++;
    stats.trips++;
    return new Promise((resolve, reject) =>
      this.db.exec(sql, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  }

  async close(): Promise<void> {
    const statements = await Promise.allSettled(this.statements.values());
    this.statements.clear();
    for (const s of statements) if (s.status === 'fulfilled') s.value.finalize();
    await new Promise<void>((resolve, reject) =>
      this.db.close((err: Error | null) => (err ? reject(err) : resolve())),
    );
  }

  private statement(sql: string): Promise<sqlite3.Statement> {
    const cached = this.statements.get(sql);
    if (cached !== undefined) {
      this.statements.delete(sql); // most recently used last
      this.statements.set(sql, cached);
      return cached;
    }
    stats.trips++;
    const prepared = new Promise<sqlite3.Statement>((resolve, reject) => {
      const stmt: sqlite3.Statement = this.db.prepare(sql, (err: Error | null) =>
        err ? reject(err) : resolve(stmt),
      );
    });
    this.statements.set(sql, prepared);
    prepared.catch(() => this.statements.delete(sql));
    if (this.statements.size > STATEMENT_CACHE_SIZE) {
      const [oldest, evicted] = this.statements.entries().next().value as [
        string,
        Promise<sqlite3.Statement>,
      ];
      this.statements.delete(oldest);
      // Finalizing waits for any call still queued on the statement.
      evicted.then(
        (stmt) => stmt.finalize(),
        () => undefined,
      );
    }
    return prepared;
  }
}

/** Runs tasks one at a time, in order; the queue continues whatever a task's outcome. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  push<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export class Database implements Queries {
  private readonly writes = new SerialQueue();
  private readonly reads = new SerialQueue();
  private closed = false;

  private constructor(
    private readonly writer: Connection,
    /** Undefined for in-memory databases (a second connection would be another database). */
    private reader: Connection | undefined,
    readonly file: string,
  ) {}

  /** Opens (creating if needed) a database file in WAL mode and applies pending migrations. */
  static async open(file: string, migrations: readonly Migration[] = []): Promise<Database> {
    const opening = (e: unknown): never => {
      throw new StoreError(
        'ERR_STORE_OPEN',
        `cannot open database ${file}: ${(e as Error).message}; check the path and its permissions`,
        e,
      );
    };
    const writer = await Connection.open(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE).catch(opening);
    // WAL keeps readers and the writer apart; synchronous=NORMAL is durable across a process crash
    // (kill -9), the failure we design for; a power cut may lose the last commits.
    await writer.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
    );
    const db = new Database(writer, undefined, file);
    try {
      await db.migrate(migrations);
      if (file !== '' && !file.startsWith(':memory:') && !file.startsWith('file::memory:')) {
        db.reader = await Connection.open(file, sqlite3.OPEN_READONLY);
        await db.reader.exec('PRAGMA busy_timeout = 5000;');
      }
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
    return db;
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const ids = new Set<string>();
    for (const m of migrations) {
      if (ids.has(m.id)) throw new StoreError('ERR_STORE_MIGRATION', `migration id ${m.id} is listed twice`);
      ids.add(m.id);
    }
    await this.writer.exec(
      'CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (await this.writer.all<{ id: string }>('SELECT id FROM _migrations')).map((row) => row.id),
    );
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      await this.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.run('INSERT INTO _migrations (id, applied_at) VALUES (?, ?)', [
          m.id,
          new Date().toISOString(),
        ]);
      });
    }
  }

  private write<T>(task: (c: Connection) => Promise<T>): Promise<T> {
    if (this.closed) return this.closedError();
    return this.writes.push(() => task(this.writer));
  }

  private read<T>(sql: string, task: (c: Connection) => Promise<T>): Promise<T> {
    if (this.closed) return this.closedError();
    const reader = this.reader;
    if (reader === undefined || !READ_ONLY.test(sql)) return this.writes.push(() => task(this.writer));
    return this.reads.push(() => task(reader));
  }

  private closedError<T>(): Promise<T> {
    return Promise.reject(new StoreError('ERR_STORE_CLOSED', `database ${this.file} is closed`));
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.write((c) => c.run(sql, params));
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.read(sql, (c) => c.get<T>(sql, params));
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.read(sql, (c) => c.all<T>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.write((c) => c.exec(sql));
  }

  /**
   * Runs `work` in one IMMEDIATE transaction: committed when it resolves, rolled back when it
   * throws (and the error rethrown). No other write runs on this database meanwhile; reads outside
   * the transaction see the state before it until it commits.
   */
  transaction<T>(work: (tx: Queries) => Promise<T>): Promise<T> {
    return this.write(async (c) => {
      stats.transactions++;
      await c.run('BEGIN IMMEDIATE');
      try {
        const result = await work(c);
        await c.run('COMMIT');
        return result;
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const reader = this.reader;
    await Promise.all([
      this.writes.push(() => this.writer.close()),
      reader ? this.reads.push(() => reader.close()) : undefined,
    ]);
  }
}
