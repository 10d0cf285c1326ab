// The quick start `npm start` prints, run as printed by real `shuyu` processes against the seed data space
// (on free ports): search, negotiate (waits for the agreement), transfer with purpose and place, fetch to a
// file. Then what a person meets around it: a transfer without the purpose is refused at the download with
// the values the policy accepts, the evidence of one agreement, a did:web written host:port.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { projectRoot } from '../../cli/io.js';
import { QUICK_START_FILE, quickStartCommands } from '../../cli/start.js';
import { startDataSpace, type RunningDataSpace } from '../../seeds/dataspace.js';

const ENTRY = resolve('cli/entry.ts');
const TSX = import.meta.resolve('tsx');

function shuyu(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The words of a printed line; the quick start prints no quoted words (checked). */
function words(line: string): string[] {
  expect(line, 'a printed command needs no quoting').to.not.match(/['"\\]/);
  const parts = line.split(' ').filter(Boolean);
  expect(parts.slice(0, 2)).to.deep.equal(['npx', 'shuyu']);
  return parts.slice(2);
}

const DATASET = 'urn:shuyu:dataset:medical:inpatient-claims-2025';

describe('cli: the quick start, run as printed', function () {
  this.timeout(240_000);
  let cwd: string;
  let space: RunningDataSpace;
  let insurerDir: string;

  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'shuyu-quick-start-'));
    space = await startDataSpace({
      root: projectRoot(),
      dataDir: join(cwd, 'data'),
      ephemeralPorts: true,
      progress: () => undefined,
    });
    const insurer = space.members.find((m) => m.seed.key === 'commercial-insurer');
    insurerDir = relative(cwd, insurer?.dir ?? '');
  });

  after(async () => {
    await space?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('goes from search to a downloaded file with the printed commands, in order, nothing filled in', async () => {
    const commands = quickStartCommands(space, cwd);
    expect(commands.map((c) => words(c.command).slice(0, 2).join(' '))).to.include.members([
      'catalog search',
      'negotiate start',
      'transfer start',
      'transfer fetch',
    ]);
    for (const { command } of commands) {
      const result = await shuyu(words(command), cwd);
      expect(result.code, `${command}\n${result.stdout}\n${result.stderr}`).to.equal(0);
      if (command.includes('negotiate start')) {
        expect(result.stdout)
          .to.match(/FINALIZED/)
          .and.match(/Agreement urn:uuid:/);
        expect(result.stdout).to.include('--purpose insurance-claims-settlement --place CN-BJ');
      }
    }
    expect((await stat(join(cwd, QUICK_START_FILE))).size).to.be.greaterThan(1000);
  });

  it('refuses a download declared without purpose, naming the values the policy accepts', async () => {
    const dir = ['--dir', insurerDir];
    const started = await shuyu(['transfer', 'start', ...dir, '--dataset', DATASET], cwd);
    expect(started.code, started.stderr).to.equal(0);
    expect(started.stderr).to.include('warning: the agreement asks for the purpose and place of use');
    const fetched = await shuyu(
      ['transfer', 'fetch', ...dir, '--dataset', DATASET, '--out', join(cwd, 'refused.csv')],
      cwd,
    );
    expect(fetched.code).to.equal(1);
    expect(fetched.stderr)
      .to.include('(403)')
      .and.include('The agreement permits the purpose(s): insurance-claims-settlement')
      .and.include(`--dataset ${DATASET} --purpose insurance-claims-settlement --place CN-BJ`)
      .and.not.include('Run the same command again');
  });

  it("lists one agreement's evidence, its transfers' entries included", async () => {
    const list = await shuyu(['transfer', 'list', '--dir', insurerDir, '--json'], cwd);
    const transfers = (JSON.parse(list.stdout) as { transfers: { id: string; agreementId: string }[] })
      .transfers;
    const agreementId = transfers[0]?.agreementId ?? '';
    const evidence = await shuyu(['evidence', 'list', '--dir', insurerDir, '--agreement', agreementId], cwd);
    expect(evidence.code, evidence.stderr).to.equal(0);
    expect(evidence.stdout).to.include(`of agreement ${agreementId}`).and.include('agreement ');
    for (const t of transfers.filter((t) => t.agreementId === agreementId)) {
      expect(evidence.stdout).to.include(t.id);
    }
    expect(evidence.stdout).to.match(/transfer-state REQUESTED -> STARTED|transfer-state .*STARTED/);
    const one = await shuyu(
      ['evidence', 'list', '--dir', insurerDir, '--transfer', transfers[0]?.id ?? ''],
      cwd,
    );
    expect(one.stdout)
      .to.include(transfers[0]?.id ?? '')
      .and.not.include(' agreement-verification ');
  });

  it('accepts a did:web written host:port, with a note, and hints at a wrong DID', async () => {
    const hospital = space.members.find((m) => m.seed.key === 'research-hospital');
    const url = new URL(hospital?.connector.url ?? '');
    const typed = `did:web:${url.hostname}:${url.port}`;
    const provider = ['--provider', `${hospital?.connector.url ?? ''}/dsp`];
    const ok = await shuyu(
      ['catalog', 'request', '--dir', insurerDir, ...provider, '--provider-did', typed],
      cwd,
    );
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stderr).to.include(`read ${typed} as did:web:${url.hostname}%3A${url.port}`);
    expect(ok.stdout).to.include('visible to you');
    const wrong = await shuyu(
      [
        'catalog',
        'request',
        '--dir',
        insurerDir,
        ...provider,
        '--provider-did',
        `did:web:${url.hostname}%3A1`,
      ],
      cwd,
    );
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr)
      .to.include('hint: check the DID')
      .and.not.match(/\n\s+at /);
  });

  it('finds the connector from SHUYU_DIR', async () => {
    const result = await shuyu(['wallet', 'list'], cwd, { SHUYU_DIR: insurerDir });
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout)
      .to.include('MembershipCredential')
      .and.match(/valid until \d{4}-\d{2}-\d{2} /);
  });
});
