// `shuyu catalog search [QUERY]`: search the federated catalog as your connector's member, so the results
// are exactly what your credentials let you see at each provider. The token is a DCP self-issued ID token in
// the connector's name: the catalog reads the credentials from the connector's Credential Service, so the
// connector must be running.
import { join } from 'node:path';
import { createSecureTokenService, openProcessIdentity } from '../connector/identity/index.js';
import { readConfigFile } from '../connector/process/config.js';
import {
  CONNECTOR_CONFIG_FILE,
  CONNECTOR_DATABASE_FILE,
  type ConnectorConfig,
} from '../connector/process/connector.js';
import { Database } from '../connector/store/database.js';
import { AuthorityClient } from '../connector/wallet/authority-client.js';
import { Wallet, WALLET_MIGRATIONS } from '../connector/wallet/store.js';
import { commandLine, connectorDir } from './dirs.js';
import { CliError, EXIT, type Output } from './io.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags, type Subcommand } from './spec.js';

const OPTIONS = {
  dir: {
    type: 'string',
    value: 'CONNECTOR_DIR',
    help: 'your connector directory (default: $SHUYU_DIR, else data/connector)',
  },
  sector: {
    type: 'string',
    value: 'SECTOR',
    multiple: true,
    help: 'only this sector: medical, finance, energy, education',
  },
  grade: {
    type: 'string',
    value: 'GRADE',
    multiple: true,
    help: 'only this data grade: general, important, core',
  },
  purpose: {
    type: 'string',
    value: 'PURPOSE',
    help: 'only offers that permit this purpose (e.g. insurance-claims-settlement)',
  },
  region: { type: 'string', value: 'REGION', help: 'only offers usable in this region (e.g. CN-BJ)' },
  limit: { type: 'string', value: 'N', help: 'at most N results' },
  ...JSON_FLAG,
} as const satisfies Flags;

export const CATALOG_SEARCH: Subcommand = {
  usage:
    '[QUERY] [--sector S] [--grade G] [--purpose P] [--region R] [--limit N] [--dir CONNECTOR_DIR] [--json]',
  summary:
    'Search the federated catalog as your connector: only what your credentials let you see. Prints each\n' +
    'dataset with its provider and offers, and the command to negotiate it.',
  flags: OPTIONS,
};

export async function catalogSearch(group: CommandGroup, args: string[], out: Output): Promise<number> {
  const { values, positionals } = parseFlags<typeof OPTIONS>(group, 'search', args);
  const dir = connectorDir(values.dir);
  const config = readConfigFile<Partial<ConnectorConfig>>(join(dir, CONNECTOR_CONFIG_FILE));
  if (!config?.publicUrl || !config.authorityUrl) {
    throw new CliError(
      `${dir} holds no started connector (${CONNECTOR_CONFIG_FILE}); check --dir`,
      EXIT.usage,
    );
  }
  const identity = await openProcessIdentity(join(dir, 'keys'), config.publicUrl);
  const db = await Database.open(join(dir, CONNECTOR_DATABASE_FILE), WALLET_MIGRATIONS);
  let credentials: readonly unknown[];
  try {
    credentials = await new Wallet(db).presentable(new Date());
  } finally {
    await db.close();
  }
  if (credentials.length === 0)
    throw new CliError(
      `the wallet is empty: collect credentials first (${commandLine('wallet', 'collect', '--dir', dir)})`,
    );
  const authority = await new AuthorityClient({
    url: config.authorityUrl,
    signer: () => identity.signer(),
  }).info();
  const token = await createSecureTokenService({ signer: () => identity.signer() }).tokenFor(authority.did);
  const query = new URLSearchParams();
  if (positionals.length > 0) query.set('q', positionals.join(' '));
  for (const s of values.sector ?? []) query.append('sector', s);
  for (const g of values.grade ?? []) query.append('grade', g);
  if (values.purpose) query.set('purpose', values.purpose);
  if (values.region) query.set('region', values.region);
  if (values.limit) query.set('limit', values.limit);
  const response = await fetch(`${config.authorityUrl.replace(/\/+$/, '')}/catalog/v1/search?${query}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as {
    total?: number;
    detail?: string;
    errors?: { pointer: string; reason: string }[];
    results?: {
      datasetId: string;
      title: string;
      sector?: string;
      dataGrade?: string;
      provider: { did: string; organisationName?: string; connectorUrl?: string };
      offers: { id: string; summary: { sentences: string[] } }[];
    }[];
  };
  if (!response.ok) {
    const fields = (body.errors ?? []).map((e) => `\n  ${e.pointer}: ${e.reason}`).join('');
    throw new CliError(`search failed (${response.status}): ${body.detail ?? ''}${fields}`);
  }
  if (values.json) {
    out.line(JSON.stringify(body, null, 2));
    return EXIT.ok;
  }
  out.line(`${body.total ?? 0} dataset(s) you may see`);
  for (const d of body.results ?? []) {
    out.line(`  ${d.title}  [${d.sector ?? '?'}, ${d.dataGrade ?? '?'}]`);
    out.line(`      ${d.datasetId} from ${d.provider.organisationName ?? d.provider.did}`);
    out.line(`      provider: --provider ${d.provider.connectorUrl ?? '?'} --provider-did ${d.provider.did}`);
    for (const o of d.offers) {
      out.line(`      offer ${o.id}`);
      for (const sentence of o.summary.sentences.slice(0, 1)) out.line(`        ${sentence}`);
      if (d.provider.connectorUrl) {
        const negotiate = commandLine(
          'negotiate',
          'start',
          '--dir',
          dir,
          '--provider',
          d.provider.connectorUrl,
          '--provider-did',
          d.provider.did,
          '--dataset',
          d.datasetId,
          '--offer',
          o.id,
        );
        out.line(`        negotiate: ${negotiate}`);
      }
    }
  }
  return EXIT.ok;
}
