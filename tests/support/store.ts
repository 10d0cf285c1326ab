// The backend the module tests run on: SQLite files by default; with SHUYU_TEST_STORE=postgres, a
// PostgreSQL database per file name (the same name reopens the same database, as a file would), on the
// throwaway cluster of postgres.ts. `npm test` runs on SQLite; the PostgreSQL run is the same tests:
//   SHUYU_TEST_STORE=postgres npx mocha ... tests/negotiation tests/dsp
import type { Migration, Store } from '../../connector/store/database.js';
import { Database } from '../../connector/store/database.js';
import { PostgresStore } from '../../connector/store/postgres.js';
import { postgresForTests } from './postgres.js';

export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.SHUYU_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

const databases = new Map<string, Promise<string>>();

/** The PostgreSQL database standing for `key` (a file or data directory), created on first use. */
export function testDatabaseUrl(key: string): Promise<string> {
  let url = databases.get(key);
  if (url === undefined) {
    url = postgresForTests().then((available) => {
      if (!available.ok) throw new Error(`SHUYU_TEST_STORE=postgres but ${available.reason}`);
      return available.postgres.createDatabase();
    });
    databases.set(key, url);
  }
  return url;
}

/** Opens the store a test would keep in `file`, on the backend under test. */
export async function openTestStore(file: string, migrations: readonly Migration[] = []): Promise<Store> {
  if (TEST_STORE === 'sqlite') return Database.open(file, migrations);
  return PostgresStore.open(await testDatabaseUrl(file), migrations);
}

/** Options for a process (connector) with data directory `dataDir`: its database on the backend under test. */
export async function testProcessDatabase(dataDir: string): Promise<{ database?: string }> {
  return TEST_STORE === 'sqlite' ? {} : { database: await testDatabaseUrl(dataDir) };
}
