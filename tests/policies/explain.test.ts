// Explanations: explain() names each constraint and the values compared, reasonOf() gives one
// sentence naming the failing constraint, the trace is plain JSON, and it is built only when read
// (by evaluating again with tracing on, which must reach the same decision as the fast path).
import { expect } from 'chai';
import {
  CompiledPolicy,
  type Decision,
  type EvaluationRequest,
  explain,
  reasonOf,
} from '../../policies/index.js';
import { c, compiled, decide, expectDecision, type JsonObject, req, T, T_MS, typed } from './helpers.js';

const policy: JsonObject = {
  uid: 'urn:test:explain',
  permission: [
    {
      uid: 'urn:permission:research',
      action: 'use',
      constraint: [c('purpose', 'isA', 'scientific-research'), c('count', 'lteq', 5)],
      duty: [
        {
          uid: 'urn:duty:pay',
          action: {
            value: 'compensate',
            refinement: [c('payAmount', 'eq', typed('500.00', 'xsd:decimal'), { unit: 'CNY' })],
          },
        },
      ],
    },
  ],
  prohibition: [{ action: 'distribute' }],
};

/** The private cache of the lazily built trace (read without triggering the getter). */
function cachedTrace(d: Decision): unknown {
  return (d as unknown as { cachedTrace: unknown }).cachedTrace;
}

/** Only plain objects, arrays, strings, finite numbers, booleans and null (undefined properties allowed). */
function expectPlainJson(value: unknown, at: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') return void expect(Number.isFinite(value), at).to.equal(true);
  if (Array.isArray(value)) return value.forEach((v, i) => expectPlainJson(v, `${at}[${i}]`));
  expect(typeof value, at).to.equal('object');
  expect(Object.getPrototypeOf(value), `${at} is a plain object`).to.equal(Object.prototype);
  for (const [k, v] of Object.entries(value as object)) if (v !== undefined) expectPlainJson(v, `${at}.${k}`);
}

describe('policies/explain', () => {
  describe('explain()', () => {
    it('names the failing constraint and the values compared', async () => {
      const d = await decide(policy, req({ purpose: 'clinical-research', count: 6 }));
      expect(explain(d)).to.deep.equal([
        'Decision: DENY because a permission applies but its constraints are not satisfied.',
        `Request: use at ${T}.`,
        'Permission urn:permission:research (use) is not satisfied:',
        '  ✓ purpose isA scientific-research: clinical-research (the purpose of use) is a kind of scientific-research',
        '  ✗ count lteq 5: 6 (the number of uses including this one) exceeds 5',
        'Prohibition /prohibition/0 (distribute) does not apply: the rule is about distribute, which does not include use.',
      ]);
    });

    it('lists the duties of a permit with their refinements and state', async () => {
      const lines = explain(
        await decide(policy, req({ purpose: 'clinical-research', count: 1, target: 'urn:dataset:1' })),
      );
      expect(lines[0]).to.equal(
        'Decision: PERMIT because a permission applies and all its constraints are satisfied.',
      );
      expect(lines[1]).to.equal(`Request: use of urn:dataset:1 at ${T}.`);
      expect(lines).to.include('  duty urn:duty:pay: pending');
      expect(lines.slice(-2)).to.deep.equal([
        'Duties that come with the permit:',
        '  - compensate (payAmount eq 500.00 CNY): pending',
      ]);
    });

    it('marks errors and shows the members of a logical constraint', async () => {
      const p = {
        uid: 'urn:x',
        permission: [
          { action: 'use', constraint: [{ or: [c('elapsedTime', 'eq', 'P30D'), c('count', 'lt', 2)] }] },
        ],
      };
      const lines = explain(await decide(p, req({ elapsedTime: 'P1M', count: 5 })));
      expect(lines.slice(2)).to.deep.equal([
        'Permission /permission/0 (use) could not be evaluated:',
        '  ! or(elapsedTime eq P30D; count lt 2): or could not be decided: at least one of 2 must be satisfied and 0 are',
        '    ! elapsedTime eq P30D: P1M and P30D cannot be compared with eq (their order is indeterminate)',
        '    ✗ count lt 2: 5 (the number of uses including this one) is not below 2',
      ]);
    });

    it('says when a value is missing from the request', async () => {
      const lines = explain(await decide(policy, req({ count: 1 })));
      expect(lines).to.include(
        '  ! purpose isA scientific-research: the request does not give the purpose of use',
      );
    });

    it('an invalid policy: the problems with their pointers', async () => {
      const { policy: invalid } = await import('../../policies/index.js').then((m) =>
        m.compilePolicy({ permission: [{ action: 'use', constraint: [c('sector', 'eq', 'medical')] }] }),
      );
      const d = invalid.evaluate(req());
      expect(explain(d)).to.deep.equal([
        'Decision: DENY because the policy is invalid, so nothing it says is permitted.',
        '  Policy error at /permission/0/constraint/0/leftOperand: unknown left operand "sector"; a rule using it is never permitted (did you mean "shuyu:sector"?)',
      ]);
    });
  });

  describe('reasonOf()', () => {
    it('a deny names the first failing constraint and the values', async () => {
      const d = await decide(policy, req({ purpose: 'marketing', count: 9 }));
      expect(reasonOf(d)).to.equal(
        'deny: a permission applies but its constraints are not satisfied (purpose isA scientific-research: marketing (the purpose of use) is not a kind of scientific-research)',
      );
    });
    it('an error names the innermost undecidable constraint', async () => {
      const p = {
        uid: 'urn:x',
        permission: [
          { action: 'use', constraint: [{ and: [c('count', 'lt', 9), c('elapsedTime', 'lteq', 'P30D')] }] },
        ],
      };
      expect(reasonOf(await decide(p, req({ count: 1, elapsedTime: 'P1M' })))).to.equal(
        'deny: a constraint could not be evaluated (a value is malformed or cannot be compared), so the engine refuses (fail closed) (elapsedTime lteq P30D: P1M and P30D cannot be compared with lteq (their order is indeterminate))',
      );
    });
    it('a prohibition that wins a conflict names the prohibition', async () => {
      const d = await decide(
        { ...policy, conflict: 'prohibit' },
        req({ action: 'distribute', purpose: 'academic-research', count: 1 }),
      );
      expectDecision(d, 'deny', 'PROHIBITED');
      expect(reasonOf(d)).to.equal(
        'deny: a prohibition applies and its constraints are satisfied (prohibition at /prohibition/0 on distribute)',
      );
    });
    // The permission does not hold either, but that is not why the request is denied.
    it('a prohibition names the prohibition, not a permission constraint that also failed', async () => {
      const d = await decide(policy, req({ action: 'distribute', purpose: 'public-health', count: 1 }));
      expectDecision(d, 'deny', 'PROHIBITED');
      expect(reasonOf(d)).to.equal(
        'deny: a prohibition applies and its constraints are satisfied (prohibition at /prohibition/0 on distribute)',
      );
    });
    it('a permit is one sentence', async () => {
      expect(reasonOf(await decide(policy, req({ purpose: 'academic-research', count: 1 })))).to.equal(
        'permit: a permission applies and all its constraints are satisfied',
      );
    });
    it('an invalid request gives its detail', async () => {
      expect(reasonOf(await decide(policy, req({ action: 'fly' })))).to.equal(
        'deny: the request is malformed: the requested action "fly" is not an ODRL action Shuyu knows',
      );
    });
  });

  describe('the trace', () => {
    it('is plain JSON: plain objects, arrays and primitives that survive a round trip', async () => {
      const d = await decide(policy, req({ purpose: ['clinical-research', 'marketing'], count: 2 }));
      const trace = d.trace;
      expectPlainJson(trace, 'trace');
      const text = JSON.stringify(trace);
      expect(JSON.stringify(JSON.parse(text))).to.equal(text);
      const json = JSON.parse(JSON.stringify(d)) as {
        decision: string;
        code: string;
        trace: unknown;
        duties: unknown[];
      };
      expect(json).to.include({ decision: 'deny', code: 'CONSTRAINT_NOT_SATISFIED' });
      expect(json.trace).to.deep.equal(JSON.parse(text));
      expect(trace.policy).to.deep.equal({ uid: 'urn:test:explain', type: 'Set', conflict: 'invalid' });
      expect(trace.request).to.deep.equal({ action: 'use', target: undefined, assignee: undefined, time: T });
      expect(trace.rules[0]?.constraints[0]).to.include({
        path: '/permission/0/constraint/0',
        role: 'constraint',
        constraint: 'purpose isA scientific-research',
        outcome: 'not-satisfied',
        requestValue: '[clinical-research, marketing]',
      });
    });

    // docs/policies.md: "Prohibitions' remedies are listed in the trace."
    it("lists a prohibition's remedies", async () => {
      const p = {
        uid: 'urn:x',
        conflict: 'prohibit',
        permission: [{ action: 'use' }],
        prohibition: [
          {
            uid: 'urn:prohibition:distribute',
            action: 'distribute',
            remedy: [{ uid: 'urn:remedy:delete', action: 'delete' }],
          },
        ],
      };
      const d = await decide(p, req({ action: 'distribute' }));
      expectDecision(d, 'deny', 'PROHIBITED');
      const prohibition = d.trace.rules.find((r) => r.kind === 'prohibition');
      expect(prohibition?.outcome).to.equal('satisfied');
      expect(JSON.stringify(prohibition)).to.include('urn:remedy:delete');
    });

    it('is not built until it is read, then built once', async () => {
      const p = await compiled(policy);
      const original = CompiledPolicy.prototype.traceOf;
      let calls = 0;
      CompiledPolicy.prototype.traceOf = function (
        this: CompiledPolicy,
        ...args: Parameters<typeof original>
      ) {
        calls++;
        return original.apply(this, args);
      };
      try {
        const d = p.evaluate(req({ purpose: 'public-health', count: 1 }));
        expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
        expect(d.duties).to.deep.equal([]);
        expect(calls).to.equal(0);
        expect(cachedTrace(d)).to.equal(undefined);
        const first = d.trace;
        expect(calls).to.equal(1);
        expect(cachedTrace(d)).to.equal(first);
        expect(d.trace).to.equal(first);
        expect(calls).to.equal(1);
      } finally {
        CompiledPolicy.prototype.traceOf = original;
      }
    });

    it('uses the evaluation time when the request gives none', async () => {
      const p = await compiled({
        uid: 'urn:x',
        permission: [{ action: 'use', constraint: [c('dateTime', 'gt', '2020-01-01T00:00:00Z')] }],
      });
      const before = Date.now();
      const d = p.evaluate({ action: 'use' });
      const after = Date.now();
      expectDecision(d, 'permit', 'PERMITTED');
      const traced = Date.parse(d.trace.request.time);
      expect(traced).to.be.within(before, after);
      expect(d.trace.rules[0]?.constraints[0]?.requestValue).to.equal(d.trace.request.time);
    });

    it('describes the request as evaluated, even if the caller later reuses the request object', async () => {
      const p = await compiled(policy);
      const request = { ...req({ purpose: 'public-health', count: 1 }) } as {
        -readonly [K in keyof EvaluationRequest]: EvaluationRequest[K];
      };
      request.purpose = 'academic-research';
      const d = p.evaluate(request);
      expectDecision(d, 'permit', 'PERMITTED');
      request.count = 99; // e.g. a connector reusing one request object for its next access
      expect(d.trace.rules[0]?.outcome).to.equal('satisfied');
      expect(explain(d)[0]).to.equal(
        'Decision: PERMIT because a permission applies and all its constraints are satisfied.',
      );
    });

    it('the traced evaluation reaches the fast path’s decision on 3000 generated requests', async () => {
      const p = await compiled({
        uid: 'urn:x',
        conflict: 'perm',
        permission: [
          {
            action: 'use',
            constraint: [
              {
                or: [
                  c('purpose', 'isA', 'scientific-research'),
                  { xone: [c('count', 'lt', 3), c('spatial', 'isPartOf', 'CN')] },
                ],
              },
              c('elapsedTime', 'lteq', 'P30D'),
            ],
            duty: [
              {
                uid: 'urn:d',
                action: 'attribute',
                constraint: [c('count', 'gt', 2)],
                consequence: [{ action: 'compensate' }],
              },
            ],
          },
          { action: 'read', constraint: [c('shuyu:dataGrade', 'lteq', 'general')] },
        ],
        prohibition: [{ action: 'use', constraint: [c('purpose', 'isA', 'marketing')] }],
      });
      // mulberry32: a small deterministic generator (fixed seed, so failures reproduce)
      let seed = 42;
      const pick = <X>(xs: readonly X[]): X => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        return xs[Math.floor(u * xs.length)] as X;
      };
      const seen = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        const r: EvaluationRequest = {
          action: pick(['use', 'read', 'print', 'distribute', 'transfer']),
          time: T_MS,
          purpose: pick([
            undefined,
            'clinical-research',
            'marketing',
            ['public-health', 'academic-research'],
            7 as unknown as string,
          ]),
          count: pick([undefined, 1, 3, 'x' as unknown as number]),
          spatial: pick([undefined, 'CN-BJ', 'US']),
          elapsedTime: pick([undefined, 'P1D', 'P1M', 'P40D']),
          asset: { dataGrade: pick([undefined, 'JR-L1', 'core']) },
          duties: pick<EvaluationRequest['duties']>([
            undefined,
            { 'urn:d': 'violated' },
            { 'urn:d': 'violated', compensate: 'fulfilled' },
            { attribute: 'fulfilled' },
          ]),
        };
        const fast = p.evaluate(r);
        const traced = p.traceOf(r, T_MS).decision;
        expect([traced.decision, traced.code, traced.duties], JSON.stringify(r)).to.deep.equal([
          fast.decision,
          fast.code,
          fast.duties,
        ]);
        seen.add(fast.code);
      }
      // The generator reaches the interesting outcomes, so the comparison means something.
      expect([...seen]).to.include.members([
        'PERMITTED',
        'PERMITTED_BY_CONFLICT_STRATEGY',
        'CONSTRAINT_NOT_SATISFIED',
        'EVALUATION_ERROR',
        'DUTY_VIOLATED',
        'NO_RULE_APPLIES',
      ]);
    });
  });
});
