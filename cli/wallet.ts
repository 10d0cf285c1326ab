// `shuyu wallet list`: the credentials a connector holds; `shuyu wallet collect`: DCP credential issuance
// for a running connector (the authority delivers to the connector's Credential Service).
import { join } from 'node:path';
import {
  createNetworkVerifiers,
  openProcessIdentity,
  requestCredentials,
} from '../connector/identity/index.js';
import { hostPolicyFor, LOCAL_DID_HOSTS, readConfigFile } from '../connector/process/config.js';
import {
  CONNECTOR_CONFIG_FILE,
  CONNECTOR_DATABASE_FILE,
  type ConnectorConfig,
} from '../connector/process/connector.js';
import { AuthorityClient } from '../connector/wallet/authority-client.js';
import { connectorStoreExists, openConnectorStore } from '../connector/process/connector-store.js';
import { Wallet, WALLET_MIGRATIONS } from '../connector/wallet/store.js';
import { commandLine, CONNECTOR_DIR_FLAG, connectorDir } from './dirs.js';
import { CliError, EXIT, formatTime, type Output } from './io.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags } from './spec.js';

const DIR = CONNECTOR_DIR_FLAG;
const OPTIONS = { ...DIR, ...JSON_FLAG } as const satisfies Flags;

export const WALLET_COMMAND: CommandGroup = {
  name: 'wallet',
  summary: 'the credentials a connector holds, and collecting them from the authority',
  subcommands: {
    list: {
      usage: '[--dir CONNECTOR_DIR] [--json]',
      summary: 'The credentials the connector collected from its authority, with their validity.',
      flags: OPTIONS,
    },
    collect: {
      usage: '[--dir CONNECTOR_DIR]',
      summary:
        'Ask the authority for the credentials it issued to this connector (after approval, or to renew them).\n' +
        "This is DCP credential issuance: the authority delivers them to the connector's Credential Service,\n" +
        'which verifies each before storing it, so the connector must be running ("shuyu connector start").\n' +
        'It uses them from its next request on.',
      flags: DIR,
    },
  },
};

export async function walletCommand(sub: string, args: string[], out: Output): Promise<number> {
  const { values } = parseFlags<typeof OPTIONS>(WALLET_COMMAND, sub, args);
  const dir = connectorDir(values.dir);
  if (sub === 'collect') {
    const types = await collectCredentials(dir);
    out.line(`Collected ${types.length} credential(s): ${types.join(', ')}`);
    return EXIT.ok;
  }
  if (!connectorStoreExists(dir)) {
    throw new CliError(`${dir} holds no connector database (${CONNECTOR_DATABASE_FILE}); check --dir`);
  }
  const db = await openConnectorStore(dir, WALLET_MIGRATIONS);
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
      out.line(
        `The wallet is empty. After the authority approved the application: ${commandLine('wallet', 'collect', '--dir', dir)}`,
      );
      out.line(`Not applied yet: ${commandLine('member', 'apply', '--connector-dir', dir, '--help')}`);
      return EXIT.ok;
    }
    const now = Date.now();
    out.line(`${credentials.length} credential(s):`);
    for (const c of credentials) {
      const expired = c.validUntil !== undefined && Date.parse(c.validUntil) <= now;
      out.line(`  ${c.type.padEnd(21)} ${c.id}`);
      out.line(
        `      issuer ${c.issuer}, valid until ${c.validUntil ? formatTime(c.validUntil) : 'no end'}${expired ? ' (EXPIRED)' : ''}`,
      );
    }
    return EXIT.ok;
  } finally {
    await db.close();
  }
}

/** DCP issuance into the running connector of `dir`; the types of the credentials it now holds from the issuer. */
export async function collectCredentials(dir: string): Promise<string[]> {
  const config = readConfigFile<Partial<ConnectorConfig>>(join(dir, CONNECTOR_CONFIG_FILE));
  if (!config?.publicUrl || !config.authorityUrl) {
    throw new CliError(
      `${dir} holds no started connector (${CONNECTOR_CONFIG_FILE}); run "${commandLine('connector', 'start', '--dir', dir)}" first`,
    );
  }
  const identity = await openProcessIdentity(join(dir, 'keys'), config.publicUrl);
  if (!(await servesDid(config.publicUrl, identity.did))) {
    throw new CliError(
      `The connector of ${dir} is not running at ${config.publicUrl}. The authority delivers credentials ` +
        `to the connector's Credential Service (DCP issuance), so start it ("${commandLine('connector', 'start', '--dir', dir)}"), ` +
        'then collect again.',
    );
  }
  const hostPolicy = hostPolicyFor(config.didHosts ?? LOCAL_DID_HOSTS);
  const client = new AuthorityClient({ url: config.authorityUrl, signer: () => identity.signer() });
  try {
    const issuerDid = (await client.info()).did;
    await requestCredentials({
      issuerDid,
      signer: identity.signer(),
      resolver: createNetworkVerifiers(hostPolicy).resolver,
      hostPolicy,
    });
    // Delivered and stored by the running connector before the authority answered.
    const db = await openConnectorStore(dir, WALLET_MIGRATIONS);
    try {
      return (await new Wallet(db).list()).filter((c) => c.issuer === issuerDid).map((c) => c.type);
    } finally {
      await db.close();
    }
  } catch (error) {
    throw error instanceof CliError ? error : new CliError((error as Error).message);
  }
}

/** Whether a connector answers at `url` with the DID document of `did` (ours, not another process's). */
async function servesDid(url: string, did: string): Promise<boolean> {
  try {
    const response = await fetch(`${url.replace(/\/+$/, '')}/.well-known/did.json`, {
      signal: AbortSignal.timeout(5_000),
    });
    return response.ok && ((await response.json()) as { id?: unknown }).id === did;
  } catch {
    return false;
  }
}
