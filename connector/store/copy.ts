// Copies a SQLite store into a PostgreSQL one (`shuyu store migrate`): both opened with the same
// migrations, so the tables match; every table's rows are copied in one PostgreSQL transaction, parents
// before children (foreign keys), each table in its rowid order (the evidence chain is checked by a
// trigger row by row), then the identity sequences are moved past the copied ids.

import type { Database } from './database.js';
import type { PostgresStore } from './postgres.js';
import { type Queries, type SqlValue, StoreError } from './types.js';

export interface TableCopy {
  readonly table: string;
  readonly rows: number;
}

/** Rows per INSERT statement, well under PostgreSQL's 65 535 parameters for any of our tables. */
const BATCH_ROWS = 500;

/** Whether the PostgreSQL database already held a store before this copy opened it. */
export async function holdsAStore(target: PostgresStore): Promise<boolean> {
  const row = await target.get<{ n: number }>('SELECT COUNT(*) AS n FROM _migrations');
  return (row?.n ?? 0) > 0;
}

export async function copyStore(source: Database, target: PostgresStore): Promise<TableCopy[]> {
  const sourceIds = (await source.all<{ id: string }>('SELECT id FROM _migrations')).map((r) => r.id);
  const targetIds = new Set(
    (await target.all<{ id: string }>('SELECT id FROM _migrations')).map((r) => r.id),
  );
  const missing = sourceIds.filter((id) => !targetIds.has(id));
  if (missing.length > 0) {
    throw new StoreError(
      'ERR_STORE_MIGRATION',
      `the target lacks migrations the source has (${missing.join(', ')}): copy with the same Shuyu version`,
    );
  }
  const tables = await tablesInDependencyOrder(source);
  return target.transaction(async (tx) => {
    // TRUNCATE, not DELETE: append-only triggers refuse row deletes; RESTART IDENTITY resets the ids.
    await tx.exec(`TRUNCATE ${tables.map(quote).join(', ')} RESTART IDENTITY CASCADE`);
    const copied: TableCopy[] = [];
    for (const table of tables) copied.push({ table, rows: await copyTable(source, tx, table) });
    await advanceIdentities(tx);
    return copied;
  });
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function tablesInDependencyOrder(source: Database): Promise<string[]> {
  const names = (
    await source.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_migrations' ORDER BY name",
    )
  ).map((r) => r.name);
  const parents = new Map<string, string[]>();
  for (const name of names) {
    const keys = await source.all<{ table: string }>(`SELECT "table" FROM pragma_foreign_key_list(?)`, [
      name,
    ]);
    parents.set(
      name,
      keys.map((k) => k.table).filter((t) => t !== name),
    );
  }
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>): void => {
    if (ordered.includes(name) || path.has(name)) return;
    path.add(name);
    for (const parent of parents.get(name) ?? []) visit(parent, path);
    ordered.push(name);
  };
  for (const name of names) visit(name, new Set());
  return ordered;
}

async function copyTable(source: Database, tx: Queries, table: string): Promise<number> {
  // WITHOUT ROWID tables have no rowid; they read in primary key order.
  const hasRowid = await source.get(`SELECT rowid FROM ${quote(table)} LIMIT 0`).then(
    () => true,
    () => false,
  );
  const order = hasRowid ? 'ORDER BY rowid' : '';
  let copied = 0;
  for (;;) {
    const rows = await source.all<Record<string, SqlValue>>(
      `SELECT * FROM ${quote(table)} ${order} LIMIT ? OFFSET ?`,
      [BATCH_ROWS, copied],
    );
    if (rows.length === 0) return copied;
    const columns = Object.keys(rows[0]!);
    const marks = `(${columns.map(() => '?').join(', ')})`;
    await tx.run(
      `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${rows.map(() => marks).join(', ')}`,
      rows.flatMap((row) => columns.map((c) => row[c] ?? null)),
    );
    copied += rows.length;
    if (rows.length < BATCH_ROWS) return copied;
  }
}

/** Identity columns continue after the largest copied value, so the next insert gets a fresh id. */
async function advanceIdentities(tx: Queries): Promise<void> {
  const identities = await tx.all<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE is_identity = 'YES' AND table_schema = current_schema()`,
  );
  for (const { table_name: table, column_name: column } of identities) {
    await tx.get(
      `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE((SELECT MAX(${quote(column)}) FROM ${quote(table)}), 0) + 1, false)`,
      [quote(table), column],
    );
  }
}
