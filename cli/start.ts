// `shuyu start` (npm start): the local data space with all four sectors, until Ctrl-C; and `shuyu demo`
// (npm run demo), the narrated story through a fresh one.
import { join, relative, resolve } from 'node:path';
import {
  EvidenceError,
  evidenceAlgorithmsFrom,
  type EvidenceAlgorithms,
} from '../connector/evidence/index.js';
import {
  AUTHORITY_ADMIN_PORT,
  DataSpaceStartError,
  startDataSpace,
  type Part,
  type RunningDataSpace,
} from '../seeds/dataspace.js';
import { runDemo } from '../seeds/demo.js';
import { commandLine } from './dirs.js';
import { CliError, EXIT, projectRoot, type Output } from './io.js';
import { applyLogLevel, LOG_LEVEL_FLAG, waitForStopSignal } from './process.js';
import { parseFlags, type CommandGroup, type Flags } from './spec.js';

const EVIDENCE = {
  evidence: {
    type: 'string',
    value: 'default|sm',
    help: 'sm keeps the evidence with SM3 and SM2 instead of SHA-256 and Ed25519\n(default: $SHUYU_EVIDENCE_ALGORITHMS, else "default"); a data directory keeps its first choice',
  },
} as const;
const START_OPTIONS = {
  'data-dir': { type: 'string', value: 'DIR', help: 'where every process keeps its files (default ./data)' },
  only: { type: 'string', value: 'PART', help: 'run only: authority, medical, finance, energy or education' },
  authority: { type: 'string', value: 'URL', help: 'the authority to use when it is not started here' },
  ...EVIDENCE,
  ...LOG_LEVEL_FLAG,
} as const satisfies Flags;

export const START_COMMAND: CommandGroup = {
  name: 'start',
  summary: 'run the local data space, all four sectors (npm start)',
  subcommands: {
    '': {
      usage:
        '[--data-dir DIR] [--only authority|medical|finance|energy|education] [--authority URL] [--evidence default|sm]\n' +
        '            [--log-level L]',
      summary:
        'Start the local data space: the authority with the federated catalog (port 7700; admin API and console\n' +
        'on 127.0.0.1:7800) and one connector per seed member (medical 7710+, finance 7720+, energy 7730+,\n' +
        "education 7740+; each one's management API and console on 127.0.0.1 at its port + 100), onboard every member and\n" +
        'publish the seed datasets; then print the commands from search to a downloaded file. A second start\n' +
        'reuses DIR. Ctrl-C stops everything.',
      flags: START_OPTIONS,
    },
  },
};

export const DEMO_COMMAND: CommandGroup = {
  name: 'demo',
  summary: 'a narrated end-to-end story that exits 0 when every step works (npm run demo)',
  subcommands: {
    '': {
      usage: '[--evidence default|sm]',
      summary:
        'Run a fresh data space on free ports and tell the story step by step; exit 0 when every step works.',
      flags: EVIDENCE,
    },
  },
};

/** --evidence, else SHUYU_EVIDENCE_ALGORITHMS, else undefined (the default algorithms). */
function evidenceAlgorithms(flag: string | undefined): EvidenceAlgorithms | undefined {
  const value = flag ?? process.env.SHUYU_EVIDENCE_ALGORITHMS;
  if (value === undefined || value === '') return undefined;
  try {
    return evidenceAlgorithmsFrom(value, flag === undefined ? 'SHUYU_EVIDENCE_ALGORITHMS' : '--evidence');
  } catch (error) {
    if (error instanceof EvidenceError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/** `shuyu demo [--evidence default|sm]`. */
export async function demoCommand(args: string[], out: Output): Promise<number> {
  const { values } = parseFlags<typeof EVIDENCE>(DEMO_COMMAND, '', args);
  // The demo narrates on stdout: only warnings and errors from its servers, unless asked for more.
  applyLogLevel(undefined, 'warn');
  const algorithms = evidenceAlgorithms(values.evidence);
  const ok = await runDemo(projectRoot(), out, algorithms ? { evidenceAlgorithms: algorithms } : {});
  return ok ? EXIT.ok : EXIT.invalid;
}

const PARTS: readonly Part[] = ['authority', 'medical', 'finance', 'energy', 'education'];

/** The line CI and scripts wait for. */
export const READY_LINE = 'Shuyu data space is ready.';

function member(space: RunningDataSpace, key: string) {
  return space.members.find((m) => m.seed.key === key);
}

/** The file the printed sequence downloads (in the working directory). */
export const QUICK_START_FILE = 'inpatient-claims-2025.csv';

/**
 * The commands from search to a downloaded file, as the insurer: each pastable, runnable in this order
 * with nothing to fill in (CI runs them as printed).
 */
export function quickStartCommands(
  space: RunningDataSpace,
  cwd: string = process.cwd(),
): { comment: string; command: string }[] {
  const insurer = member(space, 'commercial-insurer');
  const centre = member(space, 'medical-insurance-centre');
  if (!insurer || !centre) return [];
  const dir = relative(cwd, insurer.dir) || '.';
  const dataset = 'urn:shuyu:dataset:medical:inpatient-claims-2025';
  const npx = (...words: string[]) => `npx ${commandLine(...words)}`;
  return [
    {
      comment: 'the commercial insurer searches the federated catalog: only what its credentials let it see',
      command: npx('catalog', 'search', 'claims', '--dir', dir),
    },
    {
      comment:
        'it negotiates the settled-claims data with the medical insurance centre (waits for the agreement)',
      command: npx(
        'negotiate',
        'start',
        '--dir',
        dir,
        '--provider',
        `${centre.connector.url}/dsp`,
        '--provider-did',
        centre.connector.did,
        '--dataset',
        dataset,
        '--offer',
        `urn:shuyu:offer:claims-settlement:${dataset}`,
      ),
    },
    {
      comment: 'a transfer under that agreement, declaring the purpose and place of use the policy asks for',
      command: npx(
        'transfer',
        'start',
        '--dir',
        dir,
        '--dataset',
        dataset,
        '--purpose',
        'insurance-claims-settlement',
        '--place',
        'CN-BJ',
      ),
    },
    {
      comment: 'download the data to a file',
      command: npx('transfer', 'fetch', '--dir', dir, '--dataset', dataset, '--out', QUICK_START_FILE),
    },
    {
      comment: "the evidence of that agreement, on the insurer's side",
      command: npx('evidence', 'list', '--dir', dir, '--kind', 'agreement'),
    },
  ];
}

function nextSteps(space: RunningDataSpace, out: Output): void {
  out.line('');
  out.line(READY_LINE);
  out.line(`  authority and federated catalog: ${space.authorityUrl}`);
  const adminUrl = space.authority?.admin.url ?? `http://127.0.0.1:${AUTHORITY_ADMIN_PORT}`;
  out.line(`  admin API: ${adminUrl}/authority/v1/admin`);
  out.line(`  authority console: ${adminUrl}/console`);
  const insurer = member(space, 'commercial-insurer');
  const hospital = member(space, 'research-hospital');
  if (!insurer || !hospital) return;
  out.line(`  console: ${insurer.connector.consoleUrl}  (the commercial insurer's connector)`);
  out.line('');
  out.line('Try (in another terminal), from search to a downloaded file:');
  for (const { comment, command } of quickStartCommands(space)) {
    out.line(`  # ${comment}`);
    out.line(`  ${command}`);
  }
  const dir = relative(process.cwd(), insurer.dir) || '.';
  out.line(`  # what the insurer may see at the hospital, asked directly over DSP`);
  out.line(
    `  npx ${commandLine('catalog', 'request', '--dir', dir, '--provider', `${hospital.connector.url}/dsp`, '--provider-did', hospital.connector.did)}`,
  );
  out.line(
    `  (the members and the applications queue: ${adminUrl}/console, or npx ${commandLine('member', 'list', '--dir', relative(process.cwd(), join(space.dataDir, 'authority')))})`,
  );
  out.line(`  (every command: npx shuyu help; one command: npx shuyu transfer start --help)`);
  out.line('');
  out.line('Ctrl-C stops everything.');
}

export async function startCommand(args: string[], out: Output): Promise<number> {
  const { values } = parseFlags<typeof START_OPTIONS>(START_COMMAND, '', args);
  applyLogLevel(values['log-level']);
  if (values.only !== undefined && !(PARTS as readonly string[]).includes(values.only)) {
    throw new CliError(`--only must be one of ${PARTS.join(', ')}`, EXIT.usage);
  }
  const algorithms = evidenceAlgorithms(values.evidence);
  const dataDir = resolve(values['data-dir'] ?? 'data');
  out.line(`Starting the Shuyu data space in ${dataDir}`);
  let space: RunningDataSpace;
  try {
    space = await startDataSpace({
      root: projectRoot(),
      dataDir,
      ...(values.only ? { only: values.only as Part } : {}),
      ...(values.authority ? { authorityUrl: values.authority } : {}),
      ...(algorithms ? { evidenceAlgorithms: algorithms } : {}),
      progress: (line) => out.line(line),
    });
  } catch (error) {
    if (error instanceof DataSpaceStartError) throw new CliError(error.message);
    throw error;
  }
  nextSteps(space, out);
  const signal = await waitForStopSignal();
  out.line(`\n${signal}: stopping…`);
  await space.close();
  out.line('Stopped. Start again with "npm start"; the data in ' + dataDir + ' is kept.');
  return EXIT.ok;
}
