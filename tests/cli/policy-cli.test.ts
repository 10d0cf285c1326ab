import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../cli/main.js';
import type { Output } from '../../cli/io.js';

const run = promisify(execFile);

function capture(): Output & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, line: (t = '') => out.push(t), error: (t) => err.push(t) };
}

const templates = ['medical', 'finance', 'energy', 'education'].map((s) => `policies/templates/${s}.json`);

describe('cli: shuyu policy check / eval', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shuyu-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('checks every sector template without errors', async () => {
    const io = capture();
    expect(await main(['policy', 'check', ...templates], io)).to.equal(0);
    for (const t of templates) expect(io.out.some((l) => l.startsWith(`${t}: ok`))).to.equal(true, t);
  });

  it('exits 1 and names the JSON pointer for a policy with an unknown operand', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        uid: 'urn:x',
        permission: [
          { action: 'use', constraint: [{ leftOperand: 'sector', operator: 'eq', rightOperand: 'medical' }] },
        ],
      }),
    );
    const io = capture();
    expect(await main(['policy', 'check', file], io)).to.equal(1);
    expect(io.out.join('\n')).to.match(
      /ERR_UNKNOWN_LEFT_OPERAND at \/permission\/0\/constraint\/0\/leftOperand: .*did you mean "shuyu:sector"/,
    );
  });

  it('prints machine-readable results with --json', async () => {
    const file = join(dir, 'lint.json');
    writeFileSync(file, JSON.stringify({ '@type': 'Agreement', permission: [{ action: 'use' }] }));
    const io = capture();
    expect(await main(['policy', 'check', '--json', file], io)).to.equal(0);
    const [report] = JSON.parse(io.out.join('\n')) as {
      ok: boolean;
      warnings: number;
      problems: { code: string }[];
    }[];
    expect(report?.ok).to.equal(true);
    expect(report?.problems.map((p) => p.code)).to.include.members([
      'LINT_NO_UID',
      'LINT_AGREEMENT_INCOMPLETE',
      'LINT_UNCONSTRAINED',
    ]);
  });

  it('reports unreadable and malformed files without crashing', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"permission": [');
    const io = capture();
    expect(await main(['policy', 'check', join(dir, 'absent.json'), broken], io)).to.equal(1);
    const text = io.out.join('\n');
    expect(text).to.match(/absent\.json: cannot read .*no such file/);
    expect(text).to.match(/broken\.json: 1 error/);
    expect(text).to.match(/ERR_MALFORMED_JSON/);
  });

  it('evaluates and explains: permit exits 0, deny exits 3 with the failing constraint', async () => {
    const permit = capture();
    expect(
      await main(
        [
          'policy',
          'eval',
          '--policy',
          templates[1] as string,
          '--request',
          'policies/templates/requests/finance-permit.json',
        ],
        permit,
      ),
    ).to.equal(0);
    expect(permit.out[0]).to.match(/^Decision: PERMIT/);
    expect(permit.out.join('\n')).to.match(/compensate \(payAmount eq 5000\.00 CNY\): fulfilled/);

    const deny = capture();
    expect(
      await main(
        [
          'policy',
          'eval',
          '--policy',
          templates[1] as string,
          '--request',
          'policies/templates/requests/finance-deny.json',
        ],
        deny,
      ),
    ).to.equal(3);
    expect(deny.out.join('\n')).to.match(
      /✗ count lteq 1000: 1001 \(the number of uses including this one\) exceeds 1000/,
    );
  });

  it('gives the decision, code, reason and trace as JSON with --json', async () => {
    const io = capture();
    const code = await main(
      [
        'policy',
        'eval',
        '--json',
        '--policy',
        templates[0] as string,
        '--request',
        'policies/templates/requests/medical-deny.json',
      ],
      io,
    );
    expect(code).to.equal(3);
    const result = JSON.parse(io.out.join('\n')) as {
      decision: string;
      code: string;
      reason: string;
      trace: { rules: unknown[] };
    };
    expect(result.decision).to.equal('deny');
    expect(result.code).to.equal('CONSTRAINT_NOT_SATISFIED');
    expect(result.reason).to.match(/shuyu:sectorRole isAnyOf/);
    expect(result.trace.rules.length).to.be.greaterThan(0);
  });

  it('answers usage errors with exit 2 and a hint', async () => {
    const io = capture();
    expect(await main(['policy', 'eval', '--policy', 'x.json'], io)).to.equal(2);
    expect(io.err.join('\n')).to.match(/needs --policy FILE and --request FILE/);
    const unknown = capture();
    expect(await main(['nonsense'], unknown)).to.equal(2);
    expect(unknown.err.join('\n')).to.match(/unknown command "nonsense".*shuyu help/);
    const option = capture();
    expect(await main(['policy', 'check', '--bogus', 'a.json'], option)).to.equal(2);
  });

  it('runs as a real process through the shuyu entry point', async function () {
    this.timeout(30_000);
    // Through tsx, so the test does not depend on a previous build of dist/.
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "const m = await import('./cli/main.ts'); process.exitCode = await m.main(['policy', 'check', 'policies/templates/energy.json']);",
      ],
      { cwd: process.cwd() },
    );
    expect(stdout).to.match(/energy\.json: ok/);
  });
});
