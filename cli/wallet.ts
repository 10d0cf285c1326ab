// `shuyu wallet list`: the credentials a connector holds.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createNetworkVerifiers, openProcessIdentity } from '../connector/identity/index.js';
import { hostPolicyFor, LOCAL_DID_HOSTS, readConfigFile } from '../connector/process/config.js';
import {
  CONNECTOR_CONFIG_FILE,
  CONNECTOR_DATABASE_FILE,
  type ConnectorConfig,
} from '../connector/process/connector.js';
import { AuthorityClient } from '../connector/wallet/authority-client.js';
import { Database } from '../connector/store/database.js';
import { Wallet, WALLET_MIGRATIONS } from '../connector/wallet/store.js';
import { CliError, EXIT, type Output } from './io.js';
import { DEFAULT_CONNECTOR_DIR } from './member.js';

export const WALLET_HELP = `Usage:
  shuyu wallet list [--dir CONNECTOR_DIR (default ${DEFAULT_CONNECTOR_DIR})] [--json]
      The credentials the connector collected from its authority, with their validity.
  shuyu wallet collect [--dir CONNECTOR_DIR]
      Collect the credentials the authority issued to this connector (after approval, or to renew them);
      each is verified before it is stored. A running connector uses them from its next request on.`;

export async function walletCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'collect') return collect(rest, out);
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

async function collect(args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { dir: { type: 'string', default: DEFAULT_CONNECTOR_DIR } },
  });
  const config = readConfigFile<Partial<ConnectorConfig>>(join(values.dir, CONNECTOR_CONFIG_FILE));
  if (!config?.publicUrl || !config.authorityUrl) {
    throw new CliError(
      `${values.dir} holds no started connector (${CONNECTOR_CONFIG_FILE}); run "shuyu connector start" first`,
    );
  }
  const identity = await openProcessIdentity(join(values.dir, 'keys'), config.publicUrl);
  const db = await Database.open(join(values.dir, CONNECTOR_DATABASE_FILE), WALLET_MIGRATIONS);
  try {
    const client = new AuthorityClient({ url: config.authorityUrl, signer: () => identity.signer() });
    const verifiers = createNetworkVerifiers(hostPolicyFor(config.didHosts ?? LOCAL_DID_HOSTS));
    const received = await client.collectInto(new Wallet(db), verifiers).catch((error: Error) => {
      throw new CliError(error.message);
    });
    out.line(`Collected ${received.length} credential(s): ${received.map((c) => c.type).join(', ')}`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
