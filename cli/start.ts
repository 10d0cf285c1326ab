// `shuyu start` (npm start): the local data space with all four sectors, until Ctrl-C; and `shuyu demo`
// (npm run demo), the narrated story through a fresh one.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
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
import { CliError, EXIT, projectRoot, type Output } from './io.js';
import { applyLogLevel, LOG_LEVEL_HELP, waitForStopSignal } from './process.js';

export const START_HELP = `Usage:
  shuyu start [--data-dir DIR (default ./data)] [--only authority|medical|finance|energy|education] [--authority URL]
              [--evidence default|sm] [--log-level L]
      Start the local data space: the authority with the federated catalog (port 7700; admin API and console
      on 127.0.0.1:7800) and one connector per seed member (medical 7710+, finance 7720+, energy 7730+,
      education 7740+; each one's management API on 127.0.0.1 at its port + 100), onboard every member and
      publish the seed datasets. A second start reuses DIR. Ctrl-C stops everything.
      --evidence sm keeps the evidence with SM3 and SM2 instead of SHA-256 and Ed25519 (default: the
      SHUYU_EVIDENCE_ALGORITHMS environment variable, else "default"); a data directory keeps its first choice.
      ${LOG_LEVEL_HELP}`;

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
  const { values } = parseArgs({ args, options: { evidence: { type: 'string' } } });
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

function nextSteps(space: RunningDataSpace, out: Output): void {
  out.line('');
  out.line(READY_LINE);
  out.line(`  authority and federated catalog: ${space.authorityUrl}`);
  const adminUrl = space.authority?.admin.url ?? `http://127.0.0.1:${AUTHORITY_ADMIN_PORT}`;
  out.line(`  admin API: ${adminUrl}/authority/v1/admin`);
  const consoleUrl = `${adminUrl}/console`;
  out.line(`  console: ${consoleUrl}`);
  const insurer = member(space, 'commercial-insurer');
  const hospital = member(space, 'research-hospital');
  const centre = member(space, 'medical-insurance-centre');
  if (!insurer || !hospital || !centre) return;
  const rel = (dir: string): string => dir.replace(resolve(process.cwd()) + '/', '');
  const dataset = 'urn:shuyu:dataset:medical:inpatient-claims-2025';
  out.line('');
  out.line('Try (in another terminal):');
  out.line(`  # the commercial insurer searches the federated catalog: only what its credentials let it see`);
  out.line(`  npx shuyu catalog search claims --dir ${rel(insurer.dir)}`);
  out.line(`  # the insurer negotiates the settled-claims data with the medical insurance centre`);
  out.line(
    `  npx shuyu negotiate start --dir ${rel(insurer.dir)} --provider ${centre.connector.url}/dsp --provider-did ${centre.connector.did} --dataset ${dataset} --offer urn:shuyu:offer:claims-settlement:${dataset}`,
  );
  out.line(`  # what the insurer may see at the hospital, asked directly over DSP`);
  out.line(
    `  npx shuyu catalog request --dir ${rel(insurer.dir)} --provider ${hospital.connector.url}/dsp --provider-did ${hospital.connector.did}`,
  );
  out.line(
    `  (the members and the applications queue: ${consoleUrl}, or npx shuyu member list --dir ${rel(join(space.dataDir, 'authority'))})`,
  );
  out.line('');
  out.line('Ctrl-C stops everything.');
}

export async function startCommand(args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: 'data' },
      only: { type: 'string' },
      authority: { type: 'string' },
      evidence: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    out.line(START_HELP);
    return EXIT.ok;
  }
  if (values.only !== undefined && !(PARTS as readonly string[]).includes(values.only)) {
    throw new CliError(`--only must be one of ${PARTS.join(', ')}`, EXIT.usage);
  }
  applyLogLevel(values['log-level']);
  const algorithms = evidenceAlgorithms(values.evidence);
  const dataDir = resolve(values['data-dir']);
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
