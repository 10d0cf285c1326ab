// The store every Shuyu module writes to, whatever the backend: SQLite (the embedded default, one file)
// or PostgreSQL (shared by replicas). Modules write one SQL text with `?` placeholders that both accept;
// where the dialects part (a JSON list parameter, full-text search) they ask `dialect` (see dialect.ts).

export type SqlValue = string | number | bigint | Buffer | null;
export type SqlParams = readonly SqlValue[];

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  /** Unique and stable forever: "<module>/<n>", e.g. "authority/1". Never edit an applied migration; add one. */
  readonly id: string;
  /**
   * SQLite DDL. PostgreSQL runs `postgres` if given (triggers, full-text search), else this text, in
   * either case with the column types mapped (INTEGER -> BIGINT, BLOB -> BYTEA, INTEGER PRIMARY KEY ->
   * identity, WITHOUT ROWID dropped; postgresDdl in postgres.ts). An empty text does nothing there.
   */
  readonly sql: string;
  readonly postgres?: string;
}

export interface RunResult {
  readonly changes: number;
  /** SQLite only (the rowid of the last insert). Portable code reads a generated id with RETURNING. */
  readonly lastID: number;
}

/** What a transaction callback may do (statements run inside the open transaction). */
export interface Queries {
  readonly dialect: Dialect;
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

/**
 * A store: plain statements plus transactions. Writes and transactions of one process run one after
 * another, in the order called (so a module written for SQLite's single writer behaves the same on
 * PostgreSQL); plain SELECTs outside transactions read the last committed state without waiting.
 */
export interface Store extends Queries {
  /** Where the data lives, for messages: the SQLite file, or the PostgreSQL URL without its password. */
  readonly location: string;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (and the
   * error rethrown). No other write of this process runs on the store meanwhile.
   */
  transaction<T>(work: (tx: Queries) => Promise<T>): Promise<T>;
  close(): Promise<void>;
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

/** A UNIQUE (or primary key) violation on either backend. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ((error as { code?: unknown }).code === '23505') return true; // PostgreSQL unique_violation
  return /UNIQUE constraint failed/.test(error.message);
}

/** Checks a migration list before it runs: ids unique. */
export function checkMigrationIds(migrations: readonly Migration[]): void {
  const ids = new Set<string>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new StoreError('ERR_STORE_MIGRATION', `migration id ${m.id} is listed twice`);
    ids.add(m.id);
  }
}
