// `shuyu store migrate --to URL`: move a connector's state from its SQLite file to PostgreSQL (the step
// before running it as replicas; docs/operations.md "PostgreSQL"). The SQLite file is left as it was.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONNECTOR_DATABASE_FILE } from '../connector/process/connector-store.js';
import { REPLAY_CACHE_MIGRATIONS } from '../connector/identity/index.js';
import { CONTROL_PLANE_CONNECTOR_MIGRATIONS } from '../connector/process/run-connector.js';
import { copyStore, holdsAStore } from '../connector/store/copy.js';
import { Database } from '../connector/store/database.js';
import { databaseUrlFrom } from '../connector/store/open.js';
import { PostgresStore } from '../connector/store/postgres.js';
import { WALLET_MIGRATIONS } from '../connector/wallet/store.js';
import { CliError, EXIT, type Output } from './io.js';
import { DEFAULT_CONNECTOR_DIR } from './member.js';

export const STORE_HELP = `Usage:
  shuyu store migrate --to postgres://USER:PASSWORD@HOST:5432/DB [--dir DIR (default ${DEFAULT_CONNECTOR_DIR})] [--force]
      Copy the connector's state from DIR/${CONNECTOR_DATABASE_FILE} into the PostgreSQL database, then start
      it with --database URL (or "database" in connector.json). Stop the connector first. Refuses a database
      that already holds a Shuyu store unless --force (which replaces its contents). Prints rows per table.
      The authority stays on SQLite for now.`;

const CONNECTOR_MIGRATIONS = [
  ...WALLET_MIGRATIONS,
  ...REPLAY_CACHE_MIGRATIONS,
  ...CONTROL_PLANE_CONNECTOR_MIGRATIONS,
];

export async function storeCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'migrate') {
    out.line(STORE_HELP);
    return sub === 'help' ? EXIT.ok : EXIT.usage;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      to: { type: 'string' },
      dir: { type: 'string', default: DEFAULT_CONNECTOR_DIR },
      force: { type: 'boolean', default: false },
    },
  });
  if (values.to === undefined) throw new CliError(`--to URL is required\n${STORE_HELP}`, EXIT.usage);
  const url = databaseUrlFrom(values.to, undefined, {}) as string;
  const file = join(values.dir, CONNECTOR_DATABASE_FILE);
  if (!existsSync(file)) throw new CliError(`${values.dir} holds no ${CONNECTOR_DATABASE_FILE}; check --dir`);

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
        `Next: shuyu connector start --dir ${values.dir} --database <the URL> (or "database" in connector.json)`,
      );
      return EXIT.ok;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
