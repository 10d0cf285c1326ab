// The CLI's self-description: every command and subcommand answers --help (exit 0) listing every flag its
// parser accepts (walked from the same declarations, so a new flag without help cannot pass), `shuyu help
// CMD SUB`, --version, "did you mean", and the usage errors a person meets (no raw parseArgs message,
// no stack trace, a clear word on a missing directory, quiet exit into a closed pipe).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { normaliseDid } from '../../cli/did.js';
import { formatTime, type Output } from '../../cli/io.js';
import { COMMANDS, main } from '../../cli/main.js';
import { closest, editDistance } from '../../cli/spec.js';
import { usageHints } from '../../cli/usage-hints.js';

function capture(): Output & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { line: (t = '') => out.push(t), error: (t) => err.push(t), out, err };
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await main(args, io);
  return { code, stdout: io.out.join('\n'), stderr: io.err.join('\n') };
}

const ENTRY = resolve('cli/entry.ts');
const TSX = import.meta.resolve('tsx');

/** The CLI as a real process in `cwd`; `closeAfter` closes its stdout after that many bytes (| head). */
function spawnCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; closeAfter?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.closeAfter !== undefined && stdout.length >= options.closeAfter) child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('cli: help, version and usage errors', function () {
  this.timeout(30_000);

  it('answers --help and -h on every command and subcommand, listing every flag its parser accepts', async () => {
    let walked = 0;
    for (const { group } of COMMANDS) {
      for (const [sub, spec] of Object.entries(group.subcommands)) {
        for (const flag of ['--help', '-h']) {
          const args = sub === '' ? [group.name, flag] : [group.name, sub, flag];
          const result = await run(args);
          expect(result.code, args.join(' ')).to.equal(0);
          expect(result.stdout, args.join(' ')).to.include(`Usage: shuyu ${group.name}`);
          for (const name of Object.keys(spec.flags)) {
            expect(result.stdout, `${args.join(' ')} lists --${name}`).to.include(`--${name}`);
            expect(spec.flags[name]?.help, `--${name} of ${group.name} ${sub} has a help text`).to.not.equal(
              '',
            );
          }
        }
        walked++;
      }
    }
    expect(walked).to.be.greaterThan(40);
  });

  it('lists every command in the top-level help and every subcommand in its command help', async () => {
    const top = await run(['help']);
    expect(top.code).to.equal(0);
    for (const { group } of COMMANDS) {
      expect(top.stdout).to.include(`shuyu ${group.name}`);
      const help = await run(['help', group.name]);
      expect(help.code).to.equal(0);
      for (const sub of Object.keys(group.subcommands))
        expect(help.stdout).to.include(`shuyu ${group.name} ${sub}`.trim());
    }
    // `shuyu catalog` lists search with its filters; `shuyu help member approve` is that subcommand's help.
    const catalog = await run(['catalog', '--help']);
    expect(catalog.stdout)
      .to.include('shuyu catalog search')
      .and.include('--sector S')
      .and.include('--region R');
    const approve = await run(['help', 'member', 'approve']);
    expect(approve.stdout)
      .to.include('Usage: shuyu member approve APPLICATION_ID')
      .and.include('--connector-dir');
    expect((await run(['member'])).code).to.equal(2);
  });

  it('prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const result = await spawnCli(['--version']);
    expect(result.code).to.equal(0);
    expect(result.stdout.trim()).to.equal(`shuyu ${pkg.version}`);
  });

  it('suggests the command, subcommand or flag meant, never a raw parseArgs error', async () => {
    const command = await run(['negotaite', 'start']);
    expect(command.code).to.equal(2);
    expect(command.stderr).to.include('did you mean "negotiate"').and.include('shuyu help');
    const sub = await run(['transfer', 'strat']);
    expect(sub.code).to.equal(2);
    expect(sub.stderr).to.include('did you mean "start"').and.include('shuyu transfer --help');
    const flag = await run(['transfer', 'start', '--purpse', 'x']);
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.include('did you mean --purpose?').and.include('shuyu transfer start --help');
    const missing = await run(['policy', 'eval', '--policy']);
    expect(missing.code).to.equal(2);
    for (const r of [command, sub, flag, missing]) {
      expect(r.stderr).to.not.match(/ERR_PARSE_ARGS|Unknown option '|\n\s+at /);
    }
    expect(editDistance('strat', 'start')).to.equal(1);
    expect(closest('zzzz', ['start', 'list'])).to.equal(undefined);
  });

  it('exits quietly when the reader of its output goes away (| head)', async () => {
    const result = await spawnCli(['policy', 'demo'], { closeAfter: 10 });
    expect(result.stderr).to.not.include('EPIPE');
    expect(result.code).to.equal(0);
  });

  it('names the connectors under ./data when the default directory holds none, and honours SHUYU_DIR', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'shuyu-cli-dirs-'));
    try {
      const member = join(cwd, 'data', 'medical', 'commercial-insurer');
      mkdirSync(member, { recursive: true });
      writeFileSync(join(member, 'connector.json'), JSON.stringify({ publicUrl: 'http://127.0.0.1:1' }));
      const result = await spawnCli(['wallet', 'list'], { cwd, env: { SHUYU_DIR: '' } });
      expect(result.code).to.equal(2);
      expect(result.stderr)
        .to.include('no connector in data/connector')
        .and.include('data/medical/commercial-insurer')
        .and.include('SHUYU_DIR');
      const viaEnv = await spawnCli(['wallet', 'list'], {
        cwd,
        env: { SHUYU_DIR: 'data/medical/commercial-insurer' },
      });
      // The directory is taken from the environment: it has a config but no database yet.
      expect(viaEnv.stderr).to.include('data/medical/commercial-insurer holds no connector database');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('refuses an output file in a missing directory with a sentence, not ENOENT', async () => {
    const result = await spawnCli(
      ['transfer', 'fetch', 'urn:uuid:x', '--out', '/nonexistent-shuyu/x.csv', '--url', 'http://127.0.0.1:9'],
      { env: { SHUYU_MANAGEMENT_KEY: 'k' } },
    );
    expect(result.code).to.equal(1);
    expect(result.stderr)
      .to.include('the directory /nonexistent-shuyu does not exist')
      .and.not.include('ENOENT');
  });

  it("says the project's explained errors in one line, without a stack", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shuyu-cli-keys-'));
    try {
      mkdirSync(join(dir, 'keys'), { mode: 0o755 });
      chmodSync(join(dir, 'keys'), 0o755);
      writeFileSync(
        join(dir, 'connector.json'),
        JSON.stringify({ publicUrl: 'http://127.0.0.1:9', authorityUrl: 'http://127.0.0.1:9' }),
      );
      const result = await run(['catalog', 'search', 'x', '--dir', dir]);
      expect(result.code).to.equal(1);
      expect(result.stderr)
        .to.include('chmod 700')
        .and.not.match(/\n\s+at |unexpected failure/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('normalises a did:web port written with ":" and leaves other DIDs alone', () => {
    const notes: string[] = [];
    expect(normaliseDid('did:web:127.0.0.1:8410', (n) => notes.push(n))).to.equal('did:web:127.0.0.1%3A8410');
    expect(notes[0]).to.include('%3A');
    expect(normaliseDid('did:web:127.0.0.1:8410:connectors:a')).to.equal(
      'did:web:127.0.0.1%3A8410:connectors:a',
    );
    expect(normaliseDid('did:web:127.0.0.1%3A8410')).to.equal('did:web:127.0.0.1%3A8410');
    expect(normaliseDid('did:web:example.com:user:alice')).to.equal('did:web:example.com:user:alice');
    expect(normaliseDid('did:key:z6Mk')).to.equal('did:key:z6Mk');
  });

  it('reads the purposes and places a policy permits (not the prohibited ones)', () => {
    const policy = JSON.parse(
      readFileSync('seeds/contracts/medical-claims-settlement.json', 'utf8'),
    ) as object;
    expect(usageHints(policy)).to.deep.equal({
      purposes: ['insurance-claims-settlement'],
      places: ['CN-BJ'],
    });
    const prefixed = {
      'odrl:permission': [
        {
          'odrl:constraint': [
            { 'odrl:leftOperand': { '@id': 'odrl:purpose' }, 'odrl:rightOperand': 'research' },
          ],
        },
      ],
      'odrl:prohibition': [{ constraint: [{ leftOperand: 'spatial', rightOperand: 'US' }] }],
    };
    expect(usageHints(prefixed)).to.deep.equal({ purposes: ['research'], places: [] });
  });

  it('shows times with their UTC offset, the same instant as the ISO time', () => {
    const iso = '2026-12-06T04:08:28.000Z';
    const shown = formatTime(iso);
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2}:\d{2})$/.exec(shown);
    expect(match, shown).to.not.equal(null);
    expect(Date.parse(`${match?.[1]}T${match?.[2]}${match?.[3]}`)).to.equal(Date.parse(iso));
  });
});
