// `shuyu authority init|start`: create and run the data space authority (the trust anchor).
import { initAuthority, startAuthority } from '../catalog/authority/process.js';
import { CliError, EXIT, type Output } from './io.js';
import { applyLogLevel, LOG_LEVEL_FLAG, waitForStopSignal } from './process.js';
import { authorityDir, commandLine, DEFAULT_AUTHORITY_DIR } from './dirs.js';
import { parseFlags, type CommandGroup, type Flags } from './spec.js';

export { DEFAULT_AUTHORITY_DIR };

const DIR = {
  dir: {
    type: 'string',
    value: 'DIR',
    help: `the authority directory (default: $SHUYU_AUTHORITY_DIR, else ${DEFAULT_AUTHORITY_DIR})`,
  },
} as const;
const PORT = {
  port: { type: 'string', value: 'N', help: 'the port to listen on (0: any free port)' },
} as const;

const ADMIN_PORT = {
  'admin-port': {
    type: 'string',
    value: 'N',
    help: 'the admin listener (admin API and console; host admin.host in DIR/authority.json, default\n127.0.0.1; 0 or unset: a free port), never the public port; its URL goes to DIR/admin-url',
  },
} as const;

const DATABASE = {
  database: {
    type: 'string',
    value: 'URL',
    help: 'postgres://USER:PASSWORD@HOST:5432/DB instead of DIR/authority.sqlite (also $SHUYU_DATABASE_URL or\n"database" in DIR/authority.json); no SQLite file is written then',
  },
} as const;

const OPTIONS = {
  ...DIR,
  ...DATABASE,
  ...PORT,
  ...ADMIN_PORT,
  ...LOG_LEVEL_FLAG,
  host: { type: 'string', value: 'H', help: 'the address to listen on (default 127.0.0.1)' },
  'public-url': {
    type: 'string',
    value: 'URL',
    help: 'the URL others reach it at (its did:web follows from it)',
  },
  'data-space': { type: 'string', value: 'IRI', help: 'the data space identifier' },
  'admin-name': { type: 'string', value: 'NAME', help: 'the name of the first admin key' },
} as const satisfies Flags;

export const AUTHORITY_COMMAND: CommandGroup = {
  name: 'authority',
  summary: 'create and run the data space authority (with the federated catalog)',
  subcommands: {
    init: {
      usage:
        '[--dir DIR] [--port N] [--host H] [--public-url URL] [--data-space IRI] [--admin-name NAME] [--database URL]',
      summary:
        `Create an authority in DIR (default ${DEFAULT_AUTHORITY_DIR}): keys, database, config and a first admin\n` +
        'API key, printed once and stored in DIR/admin-api-key (mode 0600).',
      flags: OPTIONS,
    },
    start: {
      usage: '[--dir DIR] [--port N] [--admin-port N] [--database URL] [--log-level L]',
      summary:
        'Run the authority until Ctrl-C. --port: the public listener (applications, DCP issuer, status lists,\n' +
        'catalog search, did.json); --admin-port: the admin listener, where "shuyu member" and "shuyu product" find it.',
      flags: { ...DIR, ...PORT, ...ADMIN_PORT, ...DATABASE, ...LOG_LEVEL_FLAG },
    },
  },
};

function port(value: string | undefined, flag = '--port'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65_535)
    throw new CliError(`${flag} ${value} is not a port number`, EXIT.usage);
  return n;
}

/** `group`: the command it runs as (`shuyu catalog start` is `shuyu authority start`). */
export async function authorityCommand(
  sub: string,
  args: string[],
  out: Output,
  group: CommandGroup = AUTHORITY_COMMAND,
): Promise<number> {
  const { values } = parseFlags<typeof OPTIONS>(group, sub, args);
  const dir = authorityDir(values.dir);
  if (sub === 'init') {
    const created = await initAuthority({
      dataDir: dir,
      ...(values.port !== undefined ? { port: port(values.port) as number } : {}),
      ...(values.host ? { host: values.host } : {}),
      ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
      ...(values['data-space'] ? { dataSpace: values['data-space'] } : {}),
      ...(values['admin-name'] ? { adminName: values['admin-name'] } : {}),
      ...(values.database !== undefined ? { database: values.database } : {}),
    }).catch((error: Error) => {
      throw new CliError(error.message);
    });
    out.line(`Authority created in ${dir}`);
    out.line(`  DID:        ${created.did}`);
    out.line(`  public URL: ${created.config.publicUrl ?? ''}`);
    out.line(`  admin key:  ${created.adminKey}`);
    out.line(`  (stored in ${created.adminKeyFile}; keep it secret — it approves and revokes members)`);
    out.line(`Next: ${commandLine('authority', 'start', '--dir', dir)}`);
    return EXIT.ok;
  }
  applyLogLevel(values['log-level']);
  const running = await startAuthority({
    dataDir: dir,
    ...(values.port !== undefined ? { port: port(values.port) as number } : {}),
    ...(values['admin-port'] !== undefined
      ? { admin: { port: port(values['admin-port'], '--admin-port') as number } }
      : {}),
    ...(values.database !== undefined ? { database: values.database } : {}),
  });
  out.line(`Authority ${running.did} listening on ${running.url} (Ctrl-C to stop)`);
  out.line(`  admin API: ${running.admin.url}/authority/v1/admin (key in ${dir}/admin-api-key)`);
  out.line(`  console:   ${running.admin.url}/console`);
  await waitForStopSignal();
  await running.close();
  out.line('Authority stopped.');
  return EXIT.ok;
}
