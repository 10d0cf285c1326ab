// `shuyu store migrate --to URL`: move a connector's state from its SQLite file to PostgreSQL (the step
// before running it as replicas; docs/operations.md "PostgreSQL"). The SQLite file is left as it was.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONNECTOR_DATABASE_FILE } from '../connector/process/connector-store.js';
import { REPLAY_CACHE_MIGRATIONS } from '../connector/identity/index.js';
import { CONTROL_PLANE_CONNECTOR_MIGRATIONS } from '../connector/process/run-connector.js';
import { copyStore, holdsAStore } from '../connector/store/copy.js';
import { Database } from '../connector/store/database.js';
import { databaseUrlFrom } from '../connector/store/open.js';
import { WALLET_MIGRATIONS } from '../connector/wallet/store.js';
import { CliError, EXIT, type Output } from './io.js';
import { commandLine, CONNECTOR_DIR_FLAG, connectorDir } from './dirs.js';
import { parseFlags, type CommandGroup, type Flags } from './spec.js';

const OPTIONS = {
  to: {
    type: 'string',
    value: 'URL',
    help: 'the PostgreSQL database: postgres://USER:PASSWORD@HOST:5432/DB',
  },
  ...CONNECTOR_DIR_FLAG,
  force: { type: 'boolean', help: 'replace the contents of a database that already holds a Shuyu store' },
} as const satisfies Flags;

export const STORE_COMMAND: CommandGroup = {
  name: 'store',
  summary: "move a connector's state from its SQLite file to PostgreSQL",
  subcommands: {
    migrate: {
      usage: '--to postgres://USER:PASSWORD@HOST:5432/DB [--dir DIR] [--force]',
      summary:
        `Copy the connector's state from DIR/${CONNECTOR_DATABASE_FILE} into the PostgreSQL database, then start\n` +
        'it with --database URL (or "database" in connector.json). Stop the connector first. Refuses a database\n' +
        'that already holds a Shuyu store unless --force (which replaces its contents). Prints rows per table.\n' +
        'The authority stays on SQLite for now.',
      flags: OPTIONS,
    },
  },
};

const CONNECTOR_MIGRATIONS = [
  ...WALLET_MIGRATIONS,
  ...REPLAY_CACHE_MIGRATIONS,
  ...CONTROL_PLANE_CONNECTOR_MIGRATIONS,
];

export async function storeCommand(sub: string, args: string[], out: Output): Promise<number> {
  const { values } = parseFlags<typeof OPTIONS>(STORE_COMMAND, sub, args);
  if (values.to === undefined) {
    throw new CliError('--to URL is required; run "shuyu store migrate --help"', EXIT.usage);
  }
  const url = databaseUrlFrom(values.to, undefined, {}) as string;
  const dir = connectorDir(values.dir);
  const file = join(dir, CONNECTOR_DATABASE_FILE);
  if (!existsSync(file)) throw new CliError(`${dir} holds no ${CONNECTOR_DATABASE_FILE}; check --dir`);

  // Every CLI call loads this module: the PostgreSQL driver only when the command runs.
  const { PostgresStore } = await import('../connector/store/postgres.js');
  const probe = await PostgresStore.open(url);
  try {
    if ((await holdsAStore(probe)) && !values.force) {
      throw new CliError(
        `${probe.location} already holds a Shuyu store; pass --force to replace its contents with ${file}`,
      );
    }
  } finally {
    await probe.close();
  }
  const source = await Database.open(file, CONNECTOR_MIGRATIONS);
  try {
    const target = await PostgresStore.open(url, CONNECTOR_MIGRATIONS);
    try {
      const copied = await copyStore(source, target);
      out.line(`Copied ${file} into ${target.location}:`);
      const width = Math.max(...copied.map((c) => c.table.length));
      for (const { table, rows } of copied) out.line(`  ${table.padEnd(width)}  ${rows}`);
      out.line(`${copied.reduce((n, c) => n + c.rows, 0)} rows in ${copied.length} tables.`);
      out.line(
        `Next: ${commandLine('connector', 'start', '--dir', dir)} --database URL (or "database" in connector.json)`,
      );
      return EXIT.ok;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
