// Fail closed: anything the engine does not understand — in the policy or in the request — must
// never lead to a permit, must never throw, and must say what is wrong and where (JSON pointer).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  compilePolicy,
  compilePolicySync,
  evaluate,
  type EvaluationRequest,
  formatProblem,
} from '../../policies/index.js';
import {
  c,
  decide,
  expectDecision,
  expectDeniesEverything,
  GENEROUS_REQUESTS,
  type Json,
  type JsonObject,
  permissionWith,
  problem,
  problemsOf,
  req,
  typed,
} from './helpers.js';

/** Compiles a policy that must be refused with `code` at `path`, and checks it denies everything. */
async function refused(policy: unknown, code: string, path: string): Promise<string> {
  const problems = await problemsOf(policy);
  const p = problem(problems, code);
  expect(p.path).to.equal(path);
  const { policy: compiledPolicy } = await compilePolicy(policy);
  expectDeniesEverything(compiledPolicy);
  for (const r of GENEROUS_REQUESTS) expectDecision(await evaluate(policy, r), 'deny', 'INVALID_POLICY');
  return p.message;
}

describe('policies/fail closed', () => {
  describe('policy terms the engine does not know', () => {
    it('an unknown left operand, with a hint for a near miss', async () => {
      const message = await refused(
        permissionWith([c('count', 'lteq', 5), c('sector', 'eq', 'medical')]),
        'ERR_UNKNOWN_LEFT_OPERAND',
        '/permission/0/constraint/1/leftOperand',
      );
      expect(message).to.include('unknown left operand "sector"').and.include('did you mean "shuyu:sector"?');
    });
    it('an ODRL left operand Shuyu does not support (resolution)', async () => {
      const message = await refused(
        permissionWith([c('resolution', 'lteq', 1200)]),
        'ERR_UNKNOWN_LEFT_OPERAND',
        '/permission/0/constraint/0/leftOperand',
      );
      expect(message).to.include('the ODRL left operand "resolution" is not supported by Shuyu');
    });
    it('an unknown left operand inside a refinement', async () => {
      await refused(
        permissionWith([], { action: { value: 'print', refinement: [c('resolution', 'lteq', 1200)] } }),
        'ERR_UNKNOWN_LEFT_OPERAND',
        '/permission/0/action/refinement/0/leftOperand',
      );
    });
    it('an unknown operator', async () => {
      const message = await refused(
        permissionWith([c('count', 'lessThan', 5)]),
        'ERR_UNKNOWN_OPERATOR',
        '/permission/0/constraint/0/operator',
      );
      expect(message).to.include('unknown operator "lessThan"');
    });
    it('an operator that does not apply to the operand (elapsedTime gt)', async () => {
      await refused(
        permissionWith([c('elapsedTime', 'gt', typed('P1D', 'xsd:duration'))]),
        'ERR_OPERATOR_TYPE_MISMATCH',
        '/permission/0/constraint/0/operator',
      );
    });
    it('an unknown action in the policy', async () => {
      await refused(
        { uid: 'urn:x', permission: [{ action: 'fly' }] },
        'ERR_UNKNOWN_ACTION',
        '/permission/0/action',
      );
      await refused(
        { uid: 'urn:x', permission: [{ action: ['use', 'fly'] }] },
        'ERR_UNKNOWN_ACTION',
        '/permission/0/action/1',
      );
    });
    it('an unknown action of a duty', async () => {
      await refused(
        { uid: 'urn:x', permission: [{ action: 'use', duty: [{ action: 'dance' }] }] },
        'ERR_UNKNOWN_ACTION',
        '/permission/0/duty/0/action',
      );
    });
    it('a rule without an action', async () => {
      await refused(
        { uid: 'urn:x', permission: [{ target: 'urn:dataset:1' }] },
        'ERR_MISSING_ACTION',
        '/permission/0',
      );
    });
    it('an unknown profile', async () => {
      const message = await refused(
        { uid: 'urn:x', profile: 'https://example.org/my-profile', permission: [{ action: 'use' }] },
        'ERR_UNKNOWN_PROFILE',
        '/profile',
      );
      expect(message).to.include('https://example.org/my-profile');
    });
    it('the Shuyu profile is accepted', async () => {
      expect(
        (
          await compilePolicy({
            uid: 'urn:x',
            profile: 'https://w3id.org/shuyu/v1',
            permission: [{ action: 'use' }],
          })
        ).ok,
      ).to.equal(true);
    });
    it('inheritFrom', async () => {
      await refused(
        { uid: 'urn:x', inheritFrom: 'urn:policy:parent', permission: [{ action: 'use' }] },
        'ERR_INHERITANCE_UNSUPPORTED',
        '/inheritFrom',
      );
    });
    it('an unknown policy type', async () => {
      await refused(
        { uid: 'urn:x', '@type': 'Contract', permission: [{ action: 'use' }] },
        'ERR_UNKNOWN_POLICY_TYPE',
        '/@type',
      );
    });
    it('an unknown bare property (the typo "constraints"), with a hint', async () => {
      const message = await refused(
        { uid: 'urn:x', permission: [{ action: 'use', constraints: [c('count', 'lteq', 5)] }] },
        'ERR_UNKNOWN_PROPERTY',
        '/permission/0/constraints',
      );
      expect(message).to.include('unknown property "constraints"').and.include('did you mean "constraint"?');
    });
    it('an unknown bare property elsewhere suggests prefixing metadata', async () => {
      const message = await refused(
        { uid: 'urn:x', title: 'My offer', permission: [{ action: 'use' }] },
        'ERR_UNKNOWN_PROPERTY',
        '/title',
      );
      expect(message).to.include('"dct:title"');
    });
    it('prefixed metadata of other vocabularies is ignored', async () => {
      const d = await decide(
        { uid: 'urn:x', 'dct:title': 'My offer', permission: [{ action: 'use' }] },
        req(),
      );
      expectDecision(d, 'permit', 'PERMITTED');
    });
    it('a duty on a prohibition', async () => {
      await refused(
        { uid: 'urn:x', prohibition: [{ action: 'use', duty: [{ action: 'attribute' }] }] },
        'ERR_MISPLACED_PROPERTY',
        '/prohibition/0/duty',
      );
    });
    it('a unit on an operand that takes none', async () => {
      await refused(
        permissionWith([c('count', 'lteq', 5, { unit: 'CNY' })]),
        'ERR_UNIT_NOT_APPLICABLE',
        '/permission/0/constraint/0/unit',
      );
    });
    it('a constraint without a right operand', async () => {
      await refused(
        permissionWith([{ leftOperand: 'count', operator: 'lteq' }]),
        'ERR_POLICY_SHAPE',
        '/permission/0/constraint/0',
      );
    });
    it('a policy without rules', async () => {
      await refused({ uid: 'urn:x' }, 'ERR_POLICY_SHAPE', '');
    });
  });

  describe('right operands of the wrong type', () => {
    const cases: [string, JsonObject, string][] = [
      ['dateTime lt "yesterday"', c('dateTime', 'lt', 'yesterday'), '/rightOperand'],
      ['dateTime lt 5 (a number)', c('dateTime', 'lt', 5), '/rightOperand'],
      [
        'dateTime lt 2026-02-30 (no such day)',
        c('dateTime', 'lt', typed('2026-02-30', 'xsd:date')),
        '/rightOperand',
      ],
      ['count eq "abc"', c('count', 'eq', 'abc'), '/rightOperand'],
      ['count eq 1.5', c('count', 'eq', 1.5), '/rightOperand'],
      [
        'an xsd:integer typed value on dateTime',
        c('dateTime', 'lt', typed('5', 'xsd:integer')),
        '/rightOperand',
      ],
      [
        'a dataType that does not fit',
        c('dateTime', 'lt', '2026-01-01', { dataType: 'xsd:integer' }),
        '/dataType',
      ],
      ['a list with lt', c('count', 'lt', [1, 2]), '/rightOperand'],
      ['a list with eq', c('purpose', 'eq', ['marketing', 'public-health']), '/rightOperand'],
      ['an unknown grade', c('shuyu:dataGrade', 'lteq', 'secret'), '/rightOperand'],
      ['a malformed duration', c('elapsedTime', 'lteq', '30 days'), '/rightOperand'],
      ['a decimal with too many digits', c('payAmount', 'lteq', '0.1234567890123456789'), '/rightOperand'],
      ['one bad item of a list', c('spatial', 'isAnyOf', ['CN', 7]), '/rightOperand/1'],
    ];
    for (const [name, constraint, at] of cases) {
      it(name, async () => {
        await refused(permissionWith([constraint]), 'ERR_TYPE_MISMATCH', `/permission/0/constraint/0${at}`);
      });
    }
  });

  describe('input that is not a policy', () => {
    it('malformed JSON text', async () => {
      const message = await refused('{"permission": [', 'ERR_MALFORMED_JSON', '');
      expect(message).to.match(/^not valid JSON at line \d+, column \d+: /);
    });
    for (const [name, input] of [
      ['null', null],
      ['a number', 42],
      // A one-node array is JSON-LD's expanded form of one policy (accepted, see forms.test.ts).
      ['an array', [{ permission: [{ action: 'use' }] }, { permission: [{ action: 'use' }] }]],
      ['a string', 'use'],
      ['undefined', undefined],
      ['JSON text of a string', '"policy"'],
    ] as [string, unknown][]) {
      it(`${name} is not an object`, async () => {
        await refused(input, name === 'a string' ? 'ERR_MALFORMED_JSON' : 'ERR_EXPECTED_OBJECT', '');
      });
    }
    it('a rule that is not an object', async () => {
      await refused({ uid: 'urn:x', permission: ['use'] }, 'ERR_EXPECTED_OBJECT', '/permission/0');
    });
  });

  describe('limits', () => {
    it('60 nested "and" constraints: ERR_POLICY_TOO_DEEP', async () => {
      let inner: JsonObject = c('count', 'eq', 1);
      for (let i = 0; i < 60; i++) inner = { and: [inner] };
      const problems = await problemsOf(permissionWith([inner]));
      const p = problem(problems, 'ERR_POLICY_TOO_DEEP');
      expect(p.path).to.match(/^\/permission\/0\/constraint\/0(\/and\/0)+$/);
      expectDeniesEverything((await compilePolicy(permissionWith([inner]))).policy);
    });
    it('40 nested "and" constraints are fine and evaluate', async () => {
      let inner: JsonObject = c('count', 'eq', 1);
      for (let i = 0; i < 40; i++) inner = { and: [inner] };
      expectDecision(await decide(permissionWith([inner]), req({ count: 1 })), 'permit', 'PERMITTED');
      expectDecision(
        await decide(permissionWith([inner]), req({ count: 2 })),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
    });
    it('deeply nested JSON text or JSON-LD does not throw', async () => {
      await refused('['.repeat(100_000) + ']'.repeat(100_000), 'ERR_EXPECTED_OBJECT', '');
      const deep = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000)) as Json;
      const problems = await problemsOf({
        '@context': { o: 'http://www.w3.org/ns/odrl/2/' },
        'o:permission': deep,
      });
      expect(problems[0]?.code).to.be.oneOf(['ERR_JSONLD', 'ERR_POLICY_TOO_DEEP']);
    });
    it('more than 200,000 values: ERR_POLICY_TOO_LARGE', async () => {
      const many = Array.from({ length: 200_001 }, (_, i) => `purpose-${i}`);
      await refused(
        permissionWith([c('purpose', 'isAnyOf', many)]),
        'ERR_POLICY_TOO_LARGE',
        '/permission/0/constraint/0/rightOperand',
      );
    });
    it('more than 10,000 atomic rules after splitting: ERR_POLICY_TOO_LARGE', async () => {
      const targets = Array.from({ length: 101 }, (_, i) => `urn:dataset:${i}`);
      const assignees = Array.from({ length: 100 }, (_, i) => `did:web:p${i}.example`);
      await refused(
        { uid: 'urn:x', permission: [{ action: 'use', target: targets, assignee: assignees }] },
        'ERR_POLICY_TOO_LARGE',
        '/permission/0',
      );
    });
    it('a string longer than 16,384 characters: ERR_VALUE_TOO_LONG', async () => {
      await refused(
        permissionWith([c('version', 'eq', 'x'.repeat(16_385))]),
        'ERR_VALUE_TOO_LONG',
        '/permission/0/constraint/0/rightOperand',
      );
    });
    it('policy text larger than 4 MiB: ERR_POLICY_TOO_LARGE', async () => {
      const text = JSON.stringify({
        uid: 'urn:x',
        'dct:description': 'x'.repeat(4 * 1024 * 1024),
        permission: [{ action: 'use' }],
      });
      await refused(text, 'ERR_POLICY_TOO_LARGE', '');
    });
  });

  describe('requests', () => {
    const policy = permissionWith([c('count', 'lteq', 5)]);

    it('an unknown requested action: INVALID_REQUEST', async () => {
      const d = await decide(policy, req({ action: 'fly', count: 1 }));
      expectDecision(d, 'deny', 'INVALID_REQUEST');
      expect(d.detail).to.equal('the requested action "fly" is not an ODRL action Shuyu knows');
    });
    it('a request time that is not a date-time ("yesterday"): INVALID_REQUEST', async () => {
      const d = await decide(policy, req({ time: 'yesterday', count: 1 }));
      expectDecision(d, 'deny', 'INVALID_REQUEST');
      expect(d.detail).to.equal('the request time "yesterday" is not a date-time');
    });
    it('a number that is not a time (NaN): INVALID_REQUEST', async () => {
      const d = await decide(policy, req({ time: Number.NaN, count: 1 }));
      expectDecision(d, 'deny', 'INVALID_REQUEST');
    });
    // A request happens at an instant. Read as the whole day, "2026-06-01" satisfies
    // "dateTime lteq 2026-06-01T12:00:00Z" although most of that day lies after the deadline.
    it('a date without a time of day is not a request time: INVALID_REQUEST', async () => {
      const deadline = permissionWith([c('dateTime', 'lteq', '2026-06-01T12:00:00Z')]);
      const d = await decide(deadline, req({ time: '2026-06-01' }));
      expect(d.decision).to.not.equal('permit');
      expectDecision(d, 'deny', 'INVALID_REQUEST');
    });
    it('an invalid Date as request time: INVALID_REQUEST', async () => {
      expectDecision(
        await decide(policy, req({ time: new Date(Number.NaN), count: 1 })),
        'deny',
        'INVALID_REQUEST',
      );
    });
    for (const [name, request] of [
      ['null', null],
      ['undefined', undefined],
      ['a string', 'use'],
      ['a number', 7],
      ['an array', [{ action: 'use' }]],
      ['an object without an action', { count: 1 }],
      ['an object whose action is not a string', { action: ['use'], count: 1 }],
    ] as [string, unknown][]) {
      it(`a request that is ${name}: INVALID_REQUEST, and its trace and explanation do not throw`, async () => {
        const d = (await compilePolicy(policy)).policy.evaluate(request as EvaluationRequest);
        expectDecision(d, 'deny', 'INVALID_REQUEST');
        expect(() => JSON.stringify(d)).to.not.throw();
        expect(d.trace.rules).to.deep.equal([]);
      });
    }
    it('a request whose properties throw when read: deny, never throw', async () => {
      const compiledPolicy = (
        await compilePolicy(permissionWith([c('purpose', 'isA', 'scientific-research')]))
      ).policy;
      const hostile = new Proxy(
        { action: 'use', time: '2026-06-01T00:00:00Z' },
        {
          get(target, key) {
            if (key === 'purpose') throw new Error('boom');
            return Reflect.get(target, key);
          },
        },
      ) as EvaluationRequest;
      const d = compiledPolicy.evaluate(hostile);
      expectDecision(d, 'deny', 'INVALID_REQUEST');
      expect(d.detail).to.equal('boom');
      expect(() => d.trace).to.not.throw();
    });

    describe('missing request values never permit, whatever the operator', () => {
      const cases: JsonObject[] = [
        c('count', 'neq', 5),
        c('count', 'lt', 5),
        c('purpose', 'neq', 'marketing'),
        c('purpose', 'isNoneOf', ['marketing']),
        c('spatial', 'isNoneOf', ['US']),
        c('recipient', 'neq', 'did:web:competitor.example'),
        c('shuyu:credentialType', 'isNoneOf', ['SanctionedEntityCredential']),
        c('shuyu:credentialType', 'neq', 'SanctionedEntityCredential'),
        c('shuyu:dataGradeClearance', 'neq', 'JR-L1'),
        c('shuyu:dataGrade', 'lteq', 'core'),
        c('payAmount', 'gteq', '0'),
        c('elapsedTime', 'lteq', typed('P1Y', 'xsd:duration')),
        c('version', 'isNoneOf', ['0.9']),
        c('fileFormat', 'neq', 'text/csv'),
      ];
      for (const constraint of cases) {
        it(`${String(constraint.leftOperand)} ${String(constraint.operator)}`, async () => {
          const d = await decide(permissionWith([constraint]), req());
          // Absent is unknown, not false (so leaving a value out can never escape a prohibition).
          expectDecision(d, 'deny', 'MISSING_INFORMATION');
          const t = d.trace.rules[0]?.constraints[0];
          expect(t?.outcome).to.equal('error');
          expect(t?.requestValue).to.equal(undefined);
          expect(t?.reason).to.match(/^the request does not give /);
        });
      }
      it('an empty list of declared purposes is no purpose', async () => {
        const d = await decide(
          permissionWith([c('purpose', 'isNoneOf', ['marketing'])]),
          req({ purpose: [] }),
        );
        expectDecision(d, 'deny', 'MISSING_INFORMATION');
      });
    });
  });

  // compilePolicy is synchronous CPU work under the hood: a hang cannot be interrupted by mocha's
  // timeout, so the case runs in a child process that is killed after a deadline.
  it('an offer inside an in-memory DCAT graph with back-references compiles promptly', async function () {
    this.timeout(30_000);
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const script = fileURLToPath(new URL('./fixtures/back-references.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    let killed = false;
    const deadline = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 8_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearTimeout(deadline);
    expect(killed, 'compilePolicy did not return within 8 s').to.equal(false);
    expect(code, out).to.equal(0);
    expect(JSON.parse(out)).to.deep.equal({ ok: true, problems: [], decision: 'permit' });
  });

  it('compiling and evaluating odd inputs never throws', async () => {
    const inputs: unknown[] = [
      { permission: [{ action: { value: 42 } }] },
      {
        permission: [
          { action: 'use', constraint: [{ leftOperand: { nested: true }, operator: 'eq', rightOperand: 1 }] },
        ],
      },
      {
        permission: [
          {
            action: 'use',
            constraint: [{ leftOperand: 'count', operator: 'eq', rightOperand: { weird: 1 } }],
          },
        ],
      },
      {
        permission: [
          { action: 'use', constraint: [{ leftOperand: 'count', operator: 'eq', rightOperand: null }] },
        ],
      },
      { permission: [{ action: 'use', target: [{}, null, 5] }] },
      {
        permission: {
          action: 'use',
          constraint: { or: { leftOperand: 'count', operator: 'eq', rightOperand: 1 } },
        },
      },
      { '@context': 42, permission: [{ action: 'use' }] },
      { '@context': { '@vocab': 'http://www.w3.org/ns/odrl/2/' }, permission: [{ action: 'use' }] },
      { '@type': ['Offer', 'Agreement'], permission: [{ action: 'use' }] },
      { permission: [{ action: 'use', '@id': { not: 'a string' } }] },
      { uid: 'urn:x', permission: [{ action: 'use', constraint: [{ '@list': [c('count', 'eq', 1)] }] }] },
    ];
    for (const input of inputs) {
      const result = await compilePolicy(input);
      const sync = (() => {
        try {
          return compilePolicySync(input);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(sync, JSON.stringify(input)).to.not.be.instanceOf(Error);
      for (const p of result.problems) expect(formatProblem(p)).to.be.a('string');
      for (const r of GENEROUS_REQUESTS) {
        const d = result.policy.evaluate(r);
        if (!result.ok) expectDecision(d, 'deny', 'INVALID_POLICY');
        expect(() => d.trace).to.not.throw();
      }
    }
  });
});
