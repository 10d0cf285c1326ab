// Fixtures shared by the negotiation, transfer and outbox tests: real SQLite files in temp directories.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Migration, Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';

const dirs: string[] = [];
const open: Store[] = [];

/** A fresh file path in a new temp directory. */
export async function tempFile(name = 'test.sqlite'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-control-'));
  dirs.push(dir);
  return join(dir, name);
}

/** Opens (and remembers, for cleanUp) a database at `file`. */
export async function openDatabase(file: string, migrations: readonly Migration[]): Promise<Store> {
  const db = await openTestStore(file, migrations);
  open.push(db);
  return db;
}

export async function tempDatabase(migrations: readonly Migration[]): Promise<{ db: Store; file: string }> {
  const file = await tempFile();
  return { db: await openDatabase(file, migrations), file };
}

export async function cleanUp(): Promise<void> {
  await Promise.all(open.splice(0).map((db) => db.close().catch(() => undefined)));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export { rejectsWithCode } from '../identity/helpers.js';

/** Counts fulfilled and rejected results, and the rejection codes. */
export function tally(results: readonly PromiseSettledResult<unknown>[]): { won: number; codes: string[] } {
  return {
    won: results.filter((r) => r.status === 'fulfilled').length,
    codes: results.flatMap((r) =>
      r.status === 'rejected' ? [String((r.reason as { code?: unknown }).code)] : [],
    ),
  };
}
