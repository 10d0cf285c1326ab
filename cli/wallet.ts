// `shuyu wallet list`: the credentials a connector holds.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONNECTOR_DATABASE_FILE } from '../connector/process/connector.js';
import { Database } from '../connector/store/database.js';
import { Wallet, WALLET_MIGRATIONS } from '../connector/wallet/store.js';
import { CliError, EXIT, type Output } from './io.js';
import { DEFAULT_CONNECTOR_DIR } from './member.js';

export const WALLET_HELP = `Usage:
  shuyu wallet list [--dir CONNECTOR_DIR (default ${DEFAULT_CONNECTOR_DIR})] [--json]
      The credentials the connector collected from its authority, with their validity.`;

export async function walletCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'list') {
    out.line(WALLET_HELP);
    return sub === 'help' ? EXIT.ok : EXIT.usage;
  }
  const { values } = parseArgs({
    args: rest,
    options: { dir: { type: 'string', default: DEFAULT_CONNECTOR_DIR }, json: { type: 'boolean' } },
  });
  const file = join(values.dir, CONNECTOR_DATABASE_FILE);
  if (!existsSync(file)) {
    throw new CliError(`${values.dir} holds no connector database (${CONNECTOR_DATABASE_FILE}); check --dir`);
  }
  const db = await Database.open(file, WALLET_MIGRATIONS);
  try {
    const credentials = await new Wallet(db).list();
    if (values.json) {
      out.line(
        JSON.stringify(
          credentials.map(({ credential: _c, ...rest }) => rest),
          null,
          2,
        ),
      );
      return EXIT.ok;
    }
    if (credentials.length === 0) {
      out.line('The wallet is empty: apply to the authority ("shuyu member apply") and wait for approval.');
      return EXIT.ok;
    }
    const now = Date.now();
    out.line(`${credentials.length} credential(s):`);
    for (const c of credentials) {
      const expired = c.validUntil !== undefined && Date.parse(c.validUntil) <= now;
      out.line(`  ${c.type.padEnd(21)} ${c.id}`);
      out.line(
        `      issuer ${c.issuer}, valid until ${c.validUntil ?? 'no end'}${expired ? ' (EXPIRED)' : ''}`,
      );
    }
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
