// `shuyu connector start`: run a participant's connector from its data directory. The first start records
// the effective settings in DIR/connector.json, so later starts keep the same URL (and so the same DID) and
// the other commands (member apply, asset, negotiate, ...) find the connector.
import { join } from 'node:path';
import YAML from 'yaml';
import {
  CONNECTOR_CONFIG_FILE,
  MANAGEMENT_URL_FILE,
  type ConnectorConfig,
} from '../connector/process/connector.js';
import { readConfigFile, writeConfigFile } from '../connector/process/config.js';
import {
  AUTOMATION_STEPS,
  AutomationConfigError,
  parseAutomationFlag,
  resolveAutomation,
} from '../connector/control-plane/index.js';
import { outboxTuningFromEnv, startControlPlaneConnector } from '../connector/process/run-connector.js';
import { CliError, EXIT, readTextFile, type Output } from './io.js';
import { commandLine, connectorDir, DEFAULT_CONNECTOR_DIR } from './dirs.js';
import { applyLogLevel, LOG_LEVEL_FLAG, waitForStopSignal } from './process.js';
import { parseFlags, type CommandGroup, type Flags } from './spec.js';

export const DEFAULT_CONNECTOR_PORT = 7800;

const OPTIONS = {
  dir: {
    type: 'string',
    value: 'DIR',
    help: `the connector directory, created on the first start (default: $SHUYU_DIR, else ${DEFAULT_CONNECTOR_DIR})`,
  },
  config: {
    type: 'string',
    value: 'FILE',
    help: `YAML or JSON with the keys of DIR/${CONNECTOR_CONFIG_FILE}`,
  },
  port: {
    type: 'string',
    value: 'N',
    help: `the port (default: $SHUYU_CONNECTOR_PORT, else ${DEFAULT_CONNECTOR_PORT}; 0: any free port)`,
  },
  host: { type: 'string', value: 'H', help: 'the address to listen on (default 127.0.0.1)' },
  'management-port': {
    type: 'string',
    value: 'N',
    help: `the management listener (management API, console, metrics; host management.host, default\n127.0.0.1; 0 or unset: a free port), never the public port; its URL goes to DIR/${MANAGEMENT_URL_FILE}`,
  },
  authority: { type: 'string', value: 'URL', help: "the authority's URL (default: $SHUYU_AUTHORITY_URL)" },
  'public-url': {
    type: 'string',
    value: 'URL',
    help: 'the URL others reach it at; keep it stable: the DID follows from it',
  },
  automation: {
    type: 'string',
    value: 'auto|none|STEP=MODE,...',
    help: `which DSP steps it takes by itself (this run only); steps: ${AUTOMATION_STEPS.join(', ')}`,
  },
  ...LOG_LEVEL_FLAG,
} as const satisfies Flags;

export const CONNECTOR_COMMAND: CommandGroup = {
  name: 'connector',
  summary: "run a participant's connector",
  subcommands: {
    start: {
      usage:
        '[--dir DIR] [--config FILE] [--port N] [--host H] [--management-port N] [--authority URL]\n' +
        '                      [--public-url URL] [--automation auto|none|STEP=MODE,...] [--log-level L]',
      summary:
        `Run the connector until Ctrl-C. FILE is YAML or JSON with the same keys as DIR/${CONNECTOR_CONFIG_FILE}\n` +
        '(host, port, publicUrl, authorityUrl, didHosts, management.host, management.port, automation,\n' +
        `delivery.giveUpAfterMs, timeouts.negotiationMs, timeouts.transferMs); options override it. The first start writes the effective settings to\n` +
        `DIR/${CONNECTOR_CONFIG_FILE}; keep the public URL stable: the DID is derived from it.\n` +
        '--automation (this run only): auto (default): all steps; none: no message leaves without a management\n' +
        'call; or STEP=auto|manual for single steps (unlisted steps are auto).',
      flags: OPTIONS,
    },
  },
};

function readConfigArgument(file: string): Partial<ConnectorConfig> {
  const text = readTextFile(file);
  try {
    const value: unknown = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Partial<ConnectorConfig>;
  } catch (error) {
    throw new CliError(`${file} is not a valid configuration: ${(error as Error).message}`);
  }
}

export async function connectorCommand(sub: string, args: string[], out: Output): Promise<number> {
  const { values } = parseFlags<typeof OPTIONS>(CONNECTOR_COMMAND, sub, args);
  applyLogLevel(values['log-level']);
  const dir = connectorDir(values.dir, false);
  const stored = readConfigFile<Partial<ConnectorConfig>>(join(dir, CONNECTOR_CONFIG_FILE)) ?? {};
  const fromFile = values.config ? readConfigArgument(values.config) : {};
  const envPort = process.env.SHUYU_CONNECTOR_PORT;
  const portText = values.port ?? envPort;
  const port =
    portText !== undefined ? Number(portText) : (fromFile.port ?? stored.port ?? DEFAULT_CONNECTOR_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new CliError(`port ${portText} is not a port number`, EXIT.usage);
  const managementPort = values['management-port'];
  if (managementPort !== undefined) {
    const value = Number(managementPort);
    if (managementPort.trim() === '' || !Number.isInteger(value) || value < 0 || value > 65_535)
      throw new CliError(`--management-port ${managementPort} is not a port number`, EXIT.usage);
  }
  const management = {
    ...stored.management,
    ...fromFile.management,
    ...(managementPort !== undefined ? { port: Number(managementPort) } : {}),
  };
  const config: Partial<ConnectorConfig> = {
    ...stored,
    ...fromFile,
    port,
    ...(Object.keys(management).length > 0 ? { management } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
  };
  const automation = automationOf(
    values.automation,
    config.automation,
    values.config ?? CONNECTOR_CONFIG_FILE,
  );
  const authorityUrl = values.authority ?? process.env.SHUYU_AUTHORITY_URL ?? config.authorityUrl;
  if (!authorityUrl) {
    throw new CliError(
      'the connector needs its authority: pass --authority URL (or set authorityUrl in the config)',
      EXIT.usage,
    );
  }
  const connector = await startControlPlaneConnector({
    dataDir: dir,
    ...config,
    automation,
    authorityUrl,
    controlPlane: { outbox: outboxTuningFromEnv() },
  });
  // The --automation flag is for this run; the configured automation is kept as it was.
  writeConfigFile(join(dir, CONNECTOR_CONFIG_FILE), {
    ...config,
    host: connector.server.host,
    port: connector.server.port,
    publicUrl: connector.url,
    authorityUrl,
  });
  out.line(`Connector ${connector.did} listening on ${connector.url} (Ctrl-C to stop)`);
  out.line(`  DSP endpoint:   ${connector.url}/dsp`);
  out.line(`  management API: ${connector.managementUrl} (key in ${join(dir, 'management-api-key')})`);
  out.line(`  console:        ${connector.consoleUrl} (sign in with the same key)`);
  const credentials = await connector.wallet.list();
  if (credentials.length === 0) {
    out.line(
      `  wallet: empty — apply with "${commandLine('member', 'apply', '--connector-dir', dir)} --organisation NAME ..." ` +
        `(${commandLine('member', 'apply', '--help')}), then after approval ${commandLine('wallet', 'collect', '--dir', dir)}`,
    );
  }
  await waitForStopSignal();
  await connector.close();
  out.line('Connector stopped.');
  return EXIT.ok;
}

/** The flag's automation, else the configured one; a bad value is a usage error naming the step. */
function automationOf(
  flag: string | undefined,
  configured: ConnectorConfig['automation'],
  where: string,
): NonNullable<ConnectorConfig['automation']> {
  try {
    if (flag !== undefined) return parseAutomationFlag(flag);
    resolveAutomation(configured, `${where} "automation"`);
    return configured ?? 'auto';
  } catch (error) {
    if (error instanceof AutomationConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}
