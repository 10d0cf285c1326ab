// The embedded SQLite store behind every Shuyu process (sqlite3, WAL). One connection per file;
// statements and transactions are serialised through one queue so a transaction never sees
// another caller's statements interleaved. Schema changes are migrations with a stable id
// ("negotiation/1"), recorded in the _migrations table and applied at open in the order given, so each
// module owns its own tables and ids and a process simply concatenates the modules' lists.

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

class Connection implements Queries {
  constructor(private readonly db: sqlite3.Database) {}

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (err: Error | null, row: T | undefined) => (err ? reject(err) : resolve(row)));
    });
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.db.exec(sql, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.db.close((err: Error | null) => (err ? reject(err) : resolve())),
    );
  }
}

export class Database implements Queries {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly connection: Connection,
    readonly file: string,
  ) {}

  /** Opens (creating if needed) a database file in WAL mode and applies pending migrations. */
  static async open(file: string, migrations: readonly Migration[] = []): Promise<Database> {
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db: sqlite3.Database = new sqlite3.Database(file, (err: Error | null) =>
        err ? reject(err) : resolve(db),
      );
    }).catch((e: unknown) => {
      throw new StoreError(
        'ERR_STORE_OPEN',
        `cannot open database ${file}: ${(e as Error).message}; check the path and its permissions`,
        e,
      );
    });
    const connection = new Connection(raw);
    // WAL keeps readers and the writer apart; synchronous=NORMAL is durable across a process crash
    // (kill -9), the failure we design for; a power cut may lose the last commits.
    await connection.exec(
      'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
    );
    const db = new Database(connection, file);
    await db.migrate(migrations);
    return db;
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    const ids = new Set<string>();
    for (const m of migrations) {
      if (ids.has(m.id)) throw new StoreError('ERR_STORE_MIGRATION', `migration id ${m.id} is listed twice`);
      ids.add(m.id);
    }
    await this.connection.exec(
      'CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (await this.connection.all<{ id: string }>('SELECT id FROM _migrations')).map((row) => row.id),
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

  /** Runs `task` after everything queued before it; the queue continues whatever the outcome. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed)
      return Promise.reject(new StoreError('ERR_STORE_CLOSED', `database ${this.file} is closed`));
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.enqueue(() => this.connection.run(sql, params));
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.enqueue(() => this.connection.get<T>(sql, params));
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.enqueue(() => this.connection.all<T>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.enqueue(() => this.connection.exec(sql));
  }

  /**
   * Runs `work` in one IMMEDIATE transaction: committed when it resolves, rolled back when it
   * throws (and the error rethrown). Nothing else runs on this database meanwhile.
   */
  transaction<T>(work: (tx: Queries) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      await this.connection.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.connection);
        await this.connection.exec('COMMIT');
        return result;
      } catch (e) {
        await this.connection.exec('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.enqueue(() => this.connection.close());
    this.closed = true;
  }
}
