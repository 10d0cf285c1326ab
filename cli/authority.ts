// `shuyu authority init|start`: create and run the data space authority (the trust anchor).
import { parseArgs } from 'node:util';
import { initAuthority, startAuthority } from '../catalog/authority/process.js';
import { CliError, EXIT, type Output } from './io.js';
import { applyLogLevel, LOG_LEVEL_HELP, waitForStopSignal } from './process.js';

export const DEFAULT_AUTHORITY_DIR = 'data/authority';

export const AUTHORITY_HELP = `Usage:
  shuyu authority init [--dir DIR] [--port N] [--host H] [--public-url URL] [--data-space IRI] [--admin-name NAME]
      Create an authority in DIR (default ${DEFAULT_AUTHORITY_DIR}): keys, database, config and a first admin
      API key, printed once and stored in DIR/admin-api-key (mode 0600).
  shuyu authority start [--dir DIR] [--port N] [--admin-port N] [--log-level L]
      Run the authority until Ctrl-C. --port: the public listener (applications, DCP issuer, status lists,
      catalog search, did.json). --admin-port: the admin listener (admin API and console; host admin.host in
      DIR/authority.json, default 127.0.0.1; 0 or unset: a free port), never the public port; its URL goes to
      DIR/admin-url, where "shuyu member" and "shuyu product" find it.
      ${LOG_LEVEL_HELP}`;

function port(value: string | undefined, flag = '--port'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65_535)
    throw new CliError(`${flag} ${value} is not a port number`, EXIT.usage);
  return n;
}

export async function authorityCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string', default: DEFAULT_AUTHORITY_DIR },
      port: { type: 'string' },
      'admin-port': { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      'data-space': { type: 'string' },
      'admin-name': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  switch (sub) {
    case 'init': {
      const created = await initAuthority({
        dataDir: values.dir,
        ...(values.port !== undefined ? { port: port(values.port) as number } : {}),
        ...(values.host ? { host: values.host } : {}),
        ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
        ...(values['data-space'] ? { dataSpace: values['data-space'] } : {}),
        ...(values['admin-name'] ? { adminName: values['admin-name'] } : {}),
      }).catch((error: Error) => {
        throw new CliError(error.message);
      });
      out.line(`Authority created in ${values.dir}`);
      out.line(`  DID:        ${created.did}`);
      out.line(`  public URL: ${created.config.publicUrl ?? ''}`);
      out.line(`  admin key:  ${created.adminKey}`);
      out.line(`  (stored in ${created.adminKeyFile}; keep it secret — it approves and revokes members)`);
      out.line(`Next: shuyu authority start --dir ${values.dir}`);
      return EXIT.ok;
    }
    case 'start': {
      applyLogLevel(values['log-level']);
      const running = await startAuthority({
        dataDir: values.dir,
        ...(values.port !== undefined ? { port: port(values.port) as number } : {}),
        ...(values['admin-port'] !== undefined
          ? { admin: { port: port(values['admin-port'], '--admin-port') as number } }
          : {}),
      });
      out.line(`Authority ${running.did} listening on ${running.url} (Ctrl-C to stop)`);
      out.line(`  admin API: ${running.admin.url}/authority/v1/admin (key in ${values.dir}/admin-api-key)`);
      out.line(`  console:   ${running.admin.url}/console`);
      await waitForStopSignal();
      await running.close();
      out.line('Authority stopped.');
      return EXIT.ok;
    }
    case undefined:
    case 'help':
      out.line(AUTHORITY_HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new CliError(`unknown authority command "${sub}"\n${AUTHORITY_HELP}`, EXIT.usage);
  }
}
