// Which backend a process uses: PostgreSQL when a database URL is given (--database, the
// SHUYU_DATABASE_URL environment variable, or `database` in the process's config file, in that order),
// else the SQLite file in its data directory. With a URL no SQLite file is created.

import { Database } from './database.js';
import { isPostgresUrl } from './url.js';
import { type Migration, type Store, StoreError } from './types.js';

export const DATABASE_URL_ENV = 'SHUYU_DATABASE_URL';

export interface StoreLocation {
  /** A postgres:// URL; when set, `file` is not used. */
  readonly databaseUrl?: string | undefined;
  /** The SQLite file otherwise. */
  readonly file: string;
}

export async function openStore(
  location: StoreLocation,
  migrations: readonly Migration[] = [],
): Promise<Store> {
  if (location.databaseUrl === undefined) return Database.open(location.file, migrations);
  // Loaded only when asked for: a process on SQLite never loads the PostgreSQL driver.
  const { PostgresStore } = await import('./postgres.js');
  return PostgresStore.open(location.databaseUrl, migrations);
}

/**
 * The database URL a process was given, or undefined for SQLite. An explicit value (a --database
 * option) wins over the environment, the environment over the config file's `database` key.
 */
export function databaseUrlFrom(
  explicit: string | undefined,
  configValue: unknown,
  env: NodeJS.ProcessEnv = process.env,
  configName = 'the config file',
): string | undefined {
  const sources: [unknown, string][] = [
    [explicit, '--database'],
    [env[DATABASE_URL_ENV], DATABASE_URL_ENV],
    [configValue, `"database" in ${configName}`],
  ];
  for (const [value, where] of sources) {
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string' || !isPostgresUrl(value)) {
      // Not a URL we can parse as one: shown as given, a password-like part masked.
      const shown = JSON.stringify(typeof value === 'string' ? value.replace(/:[^:@/]*@/, ':***@') : value);
      throw new StoreError(
        'ERR_STORE_URL',
        `${where} must be a PostgreSQL URL like postgres://user:password@host:5432/database, not ${shown}; leave it out to use the SQLite file in the data directory`,
      );
    }
    return value;
  }
  return undefined;
}
