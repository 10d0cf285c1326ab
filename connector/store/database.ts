// The embedded SQLite store behind every Shuyu process (better-sqlite3, WAL). Schema changes are
// migrations with a stable id ("negotiation/1"), recorded in the _migrations table and applied at open in
// the order given, so each module owns its own tables and ids and a process simply concatenates the
// modules' lists.
//
// better-sqlite3 runs a statement synchronously on the calling thread (a microsecond or two for the
// store's usual statements: no thread-pool trip, no callback); the Store API stays promise-based so the
// PostgreSQL backend and every caller keep one shape. What keeps that synchronous binding from freezing
// the process or breaking the store's guarantees:
//
// - One writer connection runs every write and every transaction, one after another through one queue,
//   so a transaction never sees another caller's statements interleaved (IMMEDIATE transactions, WAL).
// - Reader connections serve plain SELECTs outside transactions: in WAL mode they read the last committed
//   state while a transaction is open on the writer (and see it once it has committed).
// - No busy wait on the event loop: both connections have busy_timeout 0, and a statement SQLite refuses
//   with SQLITE_BUSY (another process, e.g. a replica on the same file, holds the write lock) is tried
//   again after an asynchronous pause, for up to BUSY_TIMEOUT_MS, as sqlite3's busy handler did on its
//   thread.
// - No long freeze: once the current event-loop turn has run statements for TURN_BUDGET_MS, the next
//   statement waits for the following turn (`pace`), so a loop of many statements lets /health and
//   other requests in; a plain read's rows are stepped through with the same budget, and a read that
//   has to pause keeps its reader connection (its snapshot) to itself while other reads use another.

import BetterSqlite3 from 'better-sqlite3';

import { WalCheckpointer } from './checkpointer.js';

import {
  checkMigrationIds,
  type Migration,
  type Queries,
  type RunResult,
  type SqlParams,
  type Store,
  StoreError,
} from './types.js';

export * from './types.js';

/**
 * What this process asked of SQLite so far, read by the benches (storeStats()): statements run
 * (run/get/all/exec, BEGIN/COMMIT included), transactions, and waits: statements that had to wait for a
 * later event-loop turn (the turn's budget spent, or SQLITE_BUSY). With better-sqlite3 there are no
 * thread-pool trips; a statement costs CPU on the main thread only.
 */
const stats = { statements: 0, transactions: 0, waits: 0, busy: 0 };

export function storeStats(): Readonly<typeof stats> {
  return { ...stats };
}

/** Prepared statements kept per connection; the least recently used beyond this are dropped. */
const STATEMENT_CACHE_SIZE = 256;

/** How long statements may run in one event-loop turn before the next one waits for the next turn. */
const TURN_BUDGET_MS = 20;

/** How long a statement refused with SQLITE_BUSY is tried again (sqlite3's busy_timeout was 5000). */
const BUSY_TIMEOUT_MS = 5000;

/** Rows a read steps through between two looks at the clock. */
const ROWS_PER_CLOCK_CHECK = 256;

/** Plain reads go to a reader; anything else (PRAGMA, WITH ... INSERT, RETURNING) to the writer. */
const READ_ONLY = /^\s*SELECT\b/i;

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/** A statement prepared once per connection, and how its parameters are bound. */
interface Prepared {
  readonly stmt: Statement;
  /** Uses ?NNN parameters: better-sqlite3 binds those by name, from an object ({ 1: ..., 2: ... }). */
  readonly numbered: boolean;
}

/** ?NNN outside string literals, quoted names and comments. */
function usesNumberedParameters(sql: string): boolean {
  return /\?\d/.test(sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, ''));
}

function bound(prepared: Prepared, params: SqlParams): readonly unknown[] {
  if (!prepared.numbered) return params;
  const byNumber: Record<number, unknown> = {};
  params.forEach((value, i) => (byNumber[i + 1] = value));
  return [byNumber];
}

// ---- pacing: the budget of statements per event-loop turn, shared by every database of the process

let turnStarted = -1;
let paused: Promise<void> | undefined;

function endTurn(): void {
  turnStarted = -1;
}

/** Whether this turn has run statements for longer than its budget (starting the turn's clock if not). */
function overBudget(): boolean {
  const now = performance.now();
  if (turnStarted < 0) {
    turnStarted = now;
    setImmediate(endTurn);
    return false;
  }
  return now - turnStarted >= TURN_BUDGET_MS;
}

/**
 * Undefined when a statement may run now; else a promise resolved in a later turn (I/O polled in
 * between). Everyone arriving meanwhile waits for the same promise, in arrival order.
 */
function pace(): Promise<void> | undefined {
  if (paused !== undefined) return paused;
  if (!overBudget()) return undefined;
  stats.waits++;
  paused = new Promise((resolve) =>
    setImmediate(() => {
      paused = undefined;
      turnStarted = -1;
      resolve();
    }),
  );
  return paused;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** Runs `step` now, or after the turn's pause; a SQLITE_BUSY refusal is tried again asynchronously. */
function call<T>(step: () => T | Promise<T>): Promise<T> {
  const wait = pace();
  if (wait !== undefined) return wait.then(() => attempt(step));
  return attempt(step);
}

function attempt<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    const result = step();
    return result instanceof Promise ? result.catch(rethrowPlain) : Promise.resolve(result);
  } catch (error) {
    return isBusy(error) ? retryWhileBusy(step, error) : Promise.reject(plainError(error));
  }
}

/**
 * better-sqlite3's SqliteError is an Error by prototype but not a native one (util.types.isNativeError,
 * chai's an('error')): callers get a plain Error with the same message and SQLite's extended `code`
 * (SQLITE_CONSTRAINT_UNIQUE ...), as sqlite3 gave them (its messages had a "SQLITE_CONSTRAINT: " prefix).
 */
function plainError(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return error;
  const plain = new Error(error.message) as Error & { code?: unknown };
  plain.code = (error as { code?: unknown }).code;
  if (error.stack !== undefined) plain.stack = error.stack.replace(/^SqliteError/, 'Error');
  return plain;
}

function rethrowPlain(error: unknown): never {
  throw plainError(error);
}

async function retryWhileBusy<T>(step: () => T | Promise<T>, first: unknown): Promise<T> {
  const started = Date.now();
  let error = first;
  for (let delay = 1; Date.now() - started < BUSY_TIMEOUT_MS; delay = Math.min(delay * 2, 50)) {
    stats.busy++;
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      return await step();
    } catch (e) {
      if (!isBusy(e)) throw plainError(e);
      error = e;
    }
  }
  throw plainError(error);
}

/** One better-sqlite3 connection with its statements prepared once (synchronous calls). */
class Connection {
  private readonly statements = new Map<string, Prepared>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  static open(file: string, readonly: boolean): Connection {
    // timeout 0: a busy database is waited for asynchronously (retryWhileBusy), never on the event loop.
    return new Connection(new BetterSqlite3(file, { readonly, fileMustExist: readonly, timeout: 0 }));
  }

  run(sql: string, params: SqlParams): RunResult {
    stats.statements++;
    const prepared = this.statement(sql);
    const result = prepared.stmt.run(...bound(prepared, params));
    return { changes: result.changes, lastID: Number(result.lastInsertRowid) };
  }

  get<T>(sql: string, params: SqlParams): T | undefined {
    const reader = this.reader(sql, params);
    return reader && (reader.stmt.get(...reader.args) as T | undefined); // one row, then resets (no snapshot kept)
  }

  all<T>(sql: string, params: SqlParams): T[] {
    const reader = this.reader(sql, params);
    return reader ? (reader.stmt.all(...reader.args) as T[]) : [];
  }

  /**
   * all(), stepping through the rows and pausing for the next event-loop turn whenever the turn's
   * budget is spent: the rows come from one snapshot (the statement stays open across the pauses), so
   * the connection must not serve anything else until the promise settles.
   */
  scan<T>(sql: string, params: SqlParams): T[] | Promise<T[]> {
    const reader = this.reader(sql, params);
    if (!reader) return [];
    const rows: T[] = [];
    const iterator = reader.stmt.iterate(...reader.args) as IterableIterator<T>;
    let handedOn = false;
    try {
      for (let n = 1; ; n++) {
        const next = iterator.next();
        if (next.done === true) return rows;
        rows.push(next.value);
        if (n % ROWS_PER_CLOCK_CHECK === 0 && overBudget()) {
          handedOn = true;
          return this.scanLater(iterator, rows);
        }
      }
    } finally {
      if (!handedOn) iterator.return?.();
    }
  }

  private async scanLater<T>(iterator: IterableIterator<T>, rows: T[]): Promise<T[]> {
    try {
      for (;;) {
        stats.waits++;
        await nextTurn();
        turnStarted = -1;
        for (let n = 1; ; n++) {
          const next = iterator.next();
          if (next.done === true) return rows;
          rows.push(next.value);
          if (n % ROWS_PER_CLOCK_CHECK === 0 && overBudget()) break;
        }
      }
    } finally {
      iterator.return?.();
    }
  }

  exec(sql: string): void {
    stats.statements++;
    this.db.exec(sql);
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  /**
   * The prepared statement and its bound arguments when `sql` returns rows; a statement that returns none
   * (better-sqlite3 refuses get/all/iterate on it) is run here and undefined returned.
   */
  private reader(
    sql: string,
    params: SqlParams,
  ): { stmt: Prepared['stmt']; args: readonly unknown[] } | undefined {
    stats.statements++;
    const prepared = this.statement(sql);
    const args = bound(prepared, params);
    if (prepared.stmt.reader) return { stmt: prepared.stmt, args };
    prepared.stmt.run(...args);
    return undefined;
  }

  private statement(sql: string): Prepared {
    const cached = this.statements.get(sql);
    if (cached !== undefined) {
      this.statements.delete(sql); // most recently used last
      this.statements.set(sql, cached);
      return cached;
    }
    const prepared = {
      stmt: this.db.prepare<unknown[], unknown>(sql),
      numbered: usesNumberedParameters(sql),
    };
    this.statements.set(sql, prepared);
    if (this.statements.size > STATEMENT_CACHE_SIZE) {
      // Dropped, not finalized: better-sqlite3 finalizes a statement when it is garbage collected.
      this.statements.delete(this.statements.keys().next().value as string);
    }
    return prepared;
  }
}

/** A transaction's view of the writer: its statements run at once, inside the open transaction. */
class TransactionQueries implements Queries {
  readonly dialect = 'sqlite' as const;

  constructor(private readonly writer: Connection) {}

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return call(() => this.writer.run(sql, params));
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return call(() => this.writer.get<T>(sql, params));
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return call(() => this.writer.all<T>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return call(() => this.writer.exec(sql));
  }
}

/** Runs tasks one at a time, in order; the queue continues whatever a task's outcome. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  push<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** The SQLite backend (also the name modules knew the store by before PostgreSQL). */
export class Database implements Store {
  readonly dialect = 'sqlite' as const;

  private readonly writes = new SerialQueue();
  private readonly inTransaction: TransactionQueries;
  /** Reader connections not in use; a read that pauses holds its own until it ends. */
  private readonly idleReaders: Connection[] = [];
  private readonly readers: Connection[] = [];
  /** False for in-memory databases (a second connection would be another database). */
  private readersAllowed = false;
  /** WAL checkpoints on a worker thread (file databases), not inside a COMMIT on this thread. */
  private checkpointer: WalCheckpointer | undefined;
  private closed = false;

  private constructor(
    private readonly writer: Connection,
    readonly file: string,
  ) {
    this.inTransaction = new TransactionQueries(writer);
  }

  get location(): string {
    return this.file;
  }

  /** Opens (creating if needed) a database file in WAL mode and applies pending migrations. */
  static async open(file: string, migrations: readonly Migration[] = []): Promise<Database> {
    let writer: Connection;
    try {
      writer = Connection.open(file, false);
    } catch (e) {
      throw new StoreError(
        'ERR_STORE_OPEN',
        `cannot open database ${file}: ${(e as Error).message}; check the path and its permissions`,
        e,
      );
    }
    const db = new Database(writer, file);
    try {
      // WAL keeps readers and the writer apart; synchronous=NORMAL is durable across a process crash
      // (kill -9), the failure we design for; a power cut may lose the last commits.
      await call(() =>
        writer.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;'),
      );
      await db.migrate(migrations);
      if (file !== '' && !file.startsWith(':memory:') && !file.startsWith('file::memory:')) {
        db.readersAllowed = true;
        db.idleReaders.push(db.openReader());
        await call(() => writer.exec('PRAGMA wal_autocheckpoint = 0'));
        db.checkpointer = new WalCheckpointer(file, () => writer.exec('PRAGMA wal_checkpoint(PASSIVE)'));
      }
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
    return db;
  }

  private openReader(): Connection {
    const reader = Connection.open(this.file, true);
    this.readers.push(reader);
    return reader;
  }

  private async migrate(migrations: readonly Migration[]): Promise<void> {
    checkMigrationIds(migrations);
    await this.exec('CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
    const applied = new Set(
      (await this.write((c) => c.all<{ id: string }>('SELECT id FROM _migrations', []))).map((row) => row.id),
    );
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      // An empty text: a migration for PostgreSQL only, recorded so both backends list the same ids.
      await this.transaction(async (tx) => {
        if (m.sql.trim() !== '') {
          await tx.exec(m.sql).catch((e: unknown) => {
            throw new StoreError(
              'ERR_STORE_MIGRATION',
              `migration ${m.id} failed: ${(e as Error).message}`,
              e,
            );
          });
        }
        await tx.run('INSERT INTO _migrations (id, applied_at) VALUES (?, ?)', [
          m.id,
          new Date().toISOString(),
        ]);
      });
    }
  }

  /** A statement on the writer, after every write queued before it. */
  private write<T>(step: (c: Connection) => T): Promise<T> {
    if (this.closed) return this.closedError();
    return this.writes.push(async () => {
      const result = await call(() => step(this.writer));
      this.checkpointer?.committed();
      return result;
    });
  }

  private closedError<T>(): Promise<T> {
    return Promise.reject(new StoreError('ERR_STORE_CLOSED', `database ${this.file} is closed`));
  }

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return this.write((c) => c.run(sql, params));
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    if (!this.readersAllowed || !READ_ONLY.test(sql)) return this.write((c) => c.get<T>(sql, params));
    return this.read((c) => c.get<T>(sql, params));
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    if (!this.readersAllowed || !READ_ONLY.test(sql)) return this.write((c) => c.all<T>(sql, params));
    return this.read((c) => c.scan<T>(sql, params));
  }

  /** A plain read on an idle reader connection (another one opened if all are held by paused reads). */
  private read<T>(step: (c: Connection) => T | Promise<T>): Promise<T> {
    if (this.closed) return this.closedError();
    return call(() => {
      if (this.closed) throw new StoreError('ERR_STORE_CLOSED', `database ${this.file} is closed`);
      const reader = this.idleReaders.pop() ?? this.openReader();
      let result: T | Promise<T>;
      try {
        result = step(reader);
      } catch (e) {
        this.idleReaders.push(reader);
        throw e;
      }
      if (!(result instanceof Promise)) {
        this.idleReaders.push(reader);
        return result;
      }
      return result.finally(() => this.idleReaders.push(reader));
    });
  }

  exec(sql: string): Promise<void> {
    return this.write((c) => c.exec(sql));
  }

  /**
   * Runs `work` in one IMMEDIATE transaction: committed when it resolves, rolled back when it
   * throws (and the error rethrown). No other write runs on this database meanwhile; reads outside
   * the transaction see the state before it until it commits. `work` should not wait for the network:
   * the write lock is held (against other processes on the file too) until it ends.
   */
  transaction<T>(work: (tx: Queries) => Promise<T>): Promise<T> {
    if (this.closed) return this.closedError();
    return this.writes.push(async () => {
      stats.transactions++;
      await call(() => this.writer.run('BEGIN IMMEDIATE', []));
      try {
        const result = await work(this.inTransaction);
        await call(() => this.writer.run('COMMIT', []));
        this.checkpointer?.committed();
        return result;
      } catch (e) {
        try {
          this.writer.run('ROLLBACK', []);
        } catch {
          // Nothing to roll back (SQLite already did, or COMMIT went through before failing).
        }
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Waits for the queued writes; reads still stepping through rows finish before their connection
    // closes (closing a connection under an open statement would fail).
    await this.writes.push(async () => {
      // First, so the writer's connection is the last one and its close checkpoints and removes the WAL.
      await this.checkpointer?.close();
      this.writer.close();
      while (this.idleReaders.length < this.readers.length) await nextTurn();
      for (const reader of this.readers) reader.close();
    });
  }
}
