// `shuyu wallet list`: the credentials a connector holds; `shuyu wallet collect`: DCP credential issuance
// for a running connector (the authority delivers to the connector's Credential Service).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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
import { CliError, EXIT, type Output } from './io.js';
import { DEFAULT_CONNECTOR_DIR } from './member.js';

export const WALLET_HELP = `Usage:
  shuyu wallet list [--dir CONNECTOR_DIR (default ${DEFAULT_CONNECTOR_DIR})] [--json]
      The credentials the connector collected from its authority, with their validity.
  shuyu wallet collect [--dir CONNECTOR_DIR]
      Ask the authority for the credentials it issued to this connector (after approval, or to renew them).
      This is DCP credential issuance: the authority delivers them to the connector's Credential Service,
      which verifies each before storing it, so the connector must be running ("shuyu connector start").
      It uses them from its next request on.`;

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
  if (!connectorStoreExists(values.dir)) {
    throw new CliError(`${values.dir} holds no connector database (${CONNECTOR_DATABASE_FILE}); check --dir`);
  }
  const db = await openConnectorStore(values.dir, WALLET_MIGRATIONS);
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
  if (!(await servesDid(config.publicUrl, identity.did))) {
    throw new CliError(
      `The connector of ${values.dir} is not running at ${config.publicUrl}. The authority delivers credentials ` +
        `to the connector's Credential Service (DCP issuance), so start it ("shuyu connector start --dir ` +
        `${values.dir}"), then collect again.`,
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
    const db = await openConnectorStore(values.dir, WALLET_MIGRATIONS);
    try {
      const received = (await new Wallet(db).list()).filter((c) => c.issuer === issuerDid);
      out.line(`Collected ${received.length} credential(s): ${received.map((c) => c.type).join(', ')}`);
      return EXIT.ok;
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
