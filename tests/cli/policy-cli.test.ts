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

  it('shows all five mistakes of a five-mistake offer in one run', async () => {
    // A new author's offer: a misspelt property, an action given as a number, an unknown left operand,
    // a date that is not a date, and a misspelt purpose.
    const file = join(dir, 'five-mistakes.json');
    writeFileSync(
      file,
      JSON.stringify(
        {
          '@type': 'Offer',
          uid: 'urn:offer:five',
          permission: [
            {
              action: 'use',
              constraints: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'x' }],
              constraint: [
                { leftOperand: 'purpse', operator: 'eq', rightOperand: 'scientific-research' },
                { leftOperand: 'dateTime', operator: 'lt', rightOperand: 'next year' },
                { leftOperand: 'purpose', operator: 'isA', rightOperand: 'scientific-reserch' },
              ],
            },
            { action: 42 },
          ],
        },
        null,
        2,
      ),
    );
    const io = capture();
    expect(await main(['policy', 'check', file], io)).to.equal(1);
    const text = io.out.join('\n');
    expect(text).to.match(/five-mistakes\.json: 5 errors/);
    expect(text).to.match(/ERR_UNKNOWN_PROPERTY at \/permission\/0\/constraints/);
    expect(text).to.match(/ERR_EXPECTED_IRI at \/permission\/1\/action/);
    expect(text).to.match(/ERR_UNKNOWN_LEFT_OPERAND at \/permission\/0\/constraint\/0\/leftOperand/);
    expect(text).to.match(/ERR_TYPE_MISMATCH at \/permission\/0\/constraint\/1\/rightOperand/);
    expect(text).to.match(/ERR_UNKNOWN_TERM at \/permission\/0\/constraint\/2.*scientific-reserch/);
    expect(text).to.match(/lint ran on the parts of the policy that compiled/);
    // --allow-unknown turns the unknown term back into a warning
    const allowed = capture();
    expect(await main(['policy', 'check', '--allow-unknown', file], allowed)).to.equal(1);
    expect(allowed.out.join('\n')).to.match(/4 errors, 1 warning/);
  });

  it('reports a JSON syntax error as file:line:column with the line and a caret', async () => {
    const file = join(dir, 'syntax.json');
    writeFileSync(
      file,
      '{\n  "uid": "urn:x",\n  "permission": [{ "action": "use" }]\n  "prohibition": []\n}\n',
    );
    const io = capture();
    expect(await main(['policy', 'check', file], io)).to.equal(1);
    const lines = io.out;
    const at = lines.findIndex((l) => l.includes(`${file}:4:3: error ERR_MALFORMED_JSON`));
    expect(at, lines.join('\n')).to.be.above(-1);
    expect(lines[at + 1]).to.equal('    4 |   "prohibition": []');
    expect(lines[at + 2]).to.equal('      |   ^');
    expect(lines.join('\n')).to.match(/not checked: shape, meaning, lint/);
  });

  it('suggests the refinement form for a constraint on a duty', async () => {
    const file = join(dir, 'duty.json');
    writeFileSync(
      file,
      JSON.stringify({
        uid: 'urn:x',
        permission: [
          {
            action: 'use',
            assignee: 'did:web:a.example',
            duty: [
              {
                action: 'delete',
                constraint: [{ leftOperand: 'elapsedTime', operator: 'lteq', rightOperand: 'P30D' }],
              },
            ],
          },
        ],
      }),
    );
    const io = capture();
    expect(await main(['policy', 'check', file], io)).to.equal(0);
    const text = io.out.join('\n');
    expect(text).to.include('LINT_DUTY_CONSTRAINT at /permission/0/duty/0/constraint/0');
    expect(text).to.include(
      '"action": {"value": "delete", "refinement": [{"leftOperand":"elapsedTime","operator":"lteq","rightOperand":"P30D"}]}',
    );
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
