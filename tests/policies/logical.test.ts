// Logical constraints (or, xone, and, andSequence), nesting, and Kleene's three-valued logic: a
// member that cannot be decided (an error) is "unknown", and an unknown permission never permits.
import { expect } from 'chai';
import type { ConstraintTrace } from '../../policies/index.js';
import {
  c,
  decide,
  expectDecision,
  type JsonObject,
  permissionWith,
  problem,
  problemsOf,
  req,
  typed,
} from './helpers.js';

// Three members whose truth each request field controls.
const A = c('purpose', 'isA', 'scientific-research'); // purpose
const B = c('count', 'lteq', 5); // count
const C = c('spatial', 'isPartOf', 'CN'); // spatial
// A member that errs for elapsedTime P1M (indeterminate against P30D) and holds for P10D.
const E = c('elapsedTime', 'lteq', typed('P30D', 'xsd:duration'));
const UNKNOWN = { elapsedTime: 'P1M' };

const logical = (op: string, ...members: JsonObject[]) => permissionWith([{ [op]: members }]);

function only(trace: readonly ConstraintTrace[] | undefined): ConstraintTrace {
  expect(trace).to.have.length(1);
  return (trace as readonly ConstraintTrace[])[0] as ConstraintTrace;
}

describe('policies/logical constraints', () => {
  describe('or', () => {
    const policy = logical('or', A, B);
    it('holds when one member holds', async () => {
      expectDecision(await decide(policy, req({ purpose: 'marketing', count: 3 })), 'permit', 'PERMITTED');
      expectDecision(
        await decide(policy, req({ purpose: 'clinical-research', count: 9 })),
        'permit',
        'PERMITTED',
      );
    });
    it('does not hold when none does', async () => {
      const d = await decide(policy, req({ purpose: 'marketing', count: 9 }));
      expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
      const t = only(d.trace.rules[0]?.constraints);
      expect(t.outcome).to.equal('not-satisfied');
      expect(t.reason).to.equal('or does not hold: at least one of 2 must be satisfied and 0 are');
      expect(t.constraints?.map((m) => m.outcome)).to.deep.equal(['not-satisfied', 'not-satisfied']);
    });
    it('an error in one member is outweighed by another true member', async () => {
      const d = await decide(logical('or', E, B), req({ ...UNKNOWN, count: 3 }));
      expectDecision(d, 'permit', 'PERMITTED');
      expect(only(d.trace.rules[0]?.constraints).constraints?.map((m) => m.outcome)).to.deep.equal([
        'error',
        'satisfied',
      ]);
    });
    it('an error with every other member false is unknown: deny EVALUATION_ERROR', async () => {
      const d = await decide(logical('or', E, B), req({ ...UNKNOWN, count: 9 }));
      expectDecision(d, 'deny', 'EVALUATION_ERROR');
      const t = only(d.trace.rules[0]?.constraints);
      expect(t.outcome).to.equal('error');
      expect(t.reason).to.equal('or could not be decided: at least one of 2 must be satisfied and 0 are');
      expect(d.trace.rules[0]?.outcome).to.equal('error');
    });
  });

  describe('xone', () => {
    const policy = logical('xone', A, B, C);
    it('does not hold when no member holds', async () => {
      const d = await decide(policy, req({ purpose: 'marketing', count: 9, spatial: 'US' }));
      expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });
    it('holds when exactly one member holds', async () => {
      const d = await decide(policy, req({ purpose: 'marketing', count: 3, spatial: 'US' }));
      expectDecision(d, 'permit', 'PERMITTED');
      expect(only(d.trace.rules[0]?.constraints).reason).to.equal(
        'xone holds: exactly one of 3 must be satisfied and 1 is',
      );
    });
    it('does not hold when two members hold', async () => {
      const d = await decide(policy, req({ purpose: 'marketing', count: 3, spatial: 'CN-SH' }));
      expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
      expect(only(d.trace.rules[0]?.constraints).reason).to.equal(
        'xone does not hold: exactly one of 3 must be satisfied and 2 are',
      );
    });
    it('does not hold when all members hold', async () => {
      const d = await decide(policy, req({ purpose: 'academic-research', count: 3, spatial: 'CN-SH' }));
      expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });
    it('one true member and one unknown member is unknown (the unknown one might be true too)', async () => {
      expectDecision(
        await decide(logical('xone', E, B), req({ ...UNKNOWN, count: 3 })),
        'deny',
        'EVALUATION_ERROR',
      );
    });
    it('two true members decide it false whatever the unknown one is', async () => {
      const d = await decide(
        logical('xone', E, A, B),
        req({ ...UNKNOWN, purpose: 'academic-research', count: 3 }),
      );
      expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });
  });

  describe('and / andSequence', () => {
    for (const op of ['and', 'andSequence']) {
      const policy = logical(op, A, B);
      it(`${op} holds when every member holds`, async () => {
        expectDecision(
          await decide(policy, req({ purpose: 'clinical-research', count: 5 })),
          'permit',
          'PERMITTED',
        );
      });
      it(`${op} does not hold when one member does not`, async () => {
        const d = await decide(policy, req({ purpose: 'clinical-research', count: 6 }));
        expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
        expect(only(d.trace.rules[0]?.constraints).reason).to.equal(
          `${op} does not hold: ${op === 'and' ? 'all' : 'all, in order,'} of 2 must be satisfied and 1 is`,
        );
      });
      it(`${op} with an unknown member and the others true is unknown`, async () => {
        const d = await decide(logical(op, E, B), req({ ...UNKNOWN, count: 5 }));
        expectDecision(d, 'deny', 'EVALUATION_ERROR');
      });
      it(`${op} with an unknown member and a false one is false`, async () => {
        const d = await decide(logical(op, E, B), req({ ...UNKNOWN, count: 6 }));
        expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
      });
    }
  });

  it('andSequence written as a JSON-LD @list', async () => {
    const policy = permissionWith([{ andSequence: { '@list': [A, B] } }]);
    expectDecision(
      await decide(policy, req({ purpose: 'clinical-research', count: 5 })),
      'permit',
      'PERMITTED',
    );
    expectDecision(
      await decide(policy, req({ purpose: 'clinical-research', count: 6 })),
      'deny',
      'CONSTRAINT_NOT_SATISFIED',
    );
  });

  describe('nesting', () => {
    // (A and B) or xone(C, purpose isA marketing)
    const policy = permissionWith([
      { or: [{ and: [A, B] }, { xone: [C, c('purpose', 'isA', 'marketing')] }] },
    ]);
    it('the first branch alone', async () => {
      const d = await decide(policy, req({ purpose: 'clinical-research', count: 1, spatial: 'US' }));
      expectDecision(d, 'permit', 'PERMITTED');
      const t = only(d.trace.rules[0]?.constraints);
      expect(t.constraints?.map((m) => [m.constraint, m.outcome])).to.deep.equal([
        ['and(purpose isA scientific-research; count lteq 5)', 'satisfied'],
        ['xone(spatial isPartOf CN; purpose isA marketing)', 'not-satisfied'],
      ]);
    });
    it('the second branch alone', async () => {
      expectDecision(
        await decide(policy, req({ purpose: 'marketing', count: 9, spatial: 'US' })),
        'permit',
        'PERMITTED',
      );
    });
    it('neither branch', async () => {
      const d = await decide(policy, req({ purpose: 'targeted-advertising', count: 9, spatial: 'CN-BJ' }));
      expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });
    it('logical constraints combine with the rule’s other constraints as a conjunction', async () => {
      const p = permissionWith([{ or: [A, B] }, C]);
      expectDecision(await decide(p, req({ count: 1, spatial: 'CN' })), 'permit', 'PERMITTED');
      expectDecision(await decide(p, req({ count: 1, spatial: 'JP' })), 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });
    it('an error deep inside an and inside an or', async () => {
      const p = permissionWith([{ or: [{ and: [E, B] }, A] }]);
      expectDecision(
        await decide(p, req({ ...UNKNOWN, count: 1, purpose: 'marketing' })),
        'deny',
        'EVALUATION_ERROR',
      );
      expectDecision(
        await decide(p, req({ ...UNKNOWN, count: 9, purpose: 'marketing' })),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
      expectDecision(
        await decide(p, req({ ...UNKNOWN, count: 1, purpose: 'clinical-research' })),
        'permit',
        'PERMITTED',
      );
    });
  });

  describe('malformed logical constraints are compile errors', () => {
    it('two logical operators in one constraint', async () => {
      const problems = await problemsOf(permissionWith([{ and: [A], or: [B] }]));
      expect(problem(problems, 'ERR_AMBIGUOUS_CONSTRAINT').path).to.equal('/permission/0/constraint/0');
    });
    it('a logical operator next to a leftOperand', async () => {
      const problems = await problemsOf(permissionWith([{ and: [A], leftOperand: 'count' }]));
      expect(problem(problems, 'ERR_AMBIGUOUS_CONSTRAINT').path).to.equal('/permission/0/constraint/0');
    });
    it('an empty member list', async () => {
      const problems = await problemsOf(permissionWith([{ or: [] }]));
      expect(problem(problems, 'ERR_POLICY_SHAPE').path).to.equal('/permission/0/constraint/0/or');
    });
    it('an error inside a member names the member', async () => {
      const problems = await problemsOf(permissionWith([{ or: [A, c('count', 'lteq', 'many')] }]));
      expect(problem(problems, 'ERR_TYPE_MISMATCH').path).to.equal(
        '/permission/0/constraint/0/or/1/rightOperand',
      );
    });
  });
});
