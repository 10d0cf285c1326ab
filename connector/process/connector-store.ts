// The connector's store, wherever it is configured: PostgreSQL when a URL is given (--database,
// SHUYU_DATABASE_URL, or `database` in connector.json), else connector.sqlite in the data directory.
// The connector and every CLI command that reads its state open it through here.

import { existsSync } from 'node:fs';
import type { Migration, Store } from '../store/database.js';
import { databaseUrlFrom, openStore } from '../store/open.js';
import { dataFile, readConfigFile } from './config.js';

export const CONNECTOR_CONFIG_FILE = 'connector.json';
export const CONNECTOR_DATABASE_FILE = 'connector.sqlite';

/** The PostgreSQL URL the connector in `dataDir` uses, or undefined for its SQLite file. */
export function connectorDatabaseUrl(dataDir: string, explicit?: string): string | undefined {
  const config = readConfigFile<{ database?: unknown }>(dataFile(dataDir, CONNECTOR_CONFIG_FILE));
  return databaseUrlFrom(explicit, config?.database, process.env, CONNECTOR_CONFIG_FILE);
}

/** Whether the connector in `dataDir` has a store to read (always, for PostgreSQL). */
export function connectorStoreExists(dataDir: string): boolean {
  return (
    connectorDatabaseUrl(dataDir) !== undefined || existsSync(dataFile(dataDir, CONNECTOR_DATABASE_FILE))
  );
}

export function openConnectorStore(
  dataDir: string,
  migrations: readonly Migration[],
  explicitUrl?: string,
): Promise<Store> {
  return openStore(
    {
      databaseUrl: connectorDatabaseUrl(dataDir, explicitUrl),
      file: dataFile(dataDir, CONNECTOR_DATABASE_FILE),
    },
    migrations,
  );
}
