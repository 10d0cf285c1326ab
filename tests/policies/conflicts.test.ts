// Permissions against prohibitions: the three conflict strategies (perm, prohibit, invalid = the
// default), prohibitions on their own, and prohibitions that cannot be evaluated (fail closed).
import { expect } from 'chai';
import { c, decide, expectDecision, type JsonObject, problem, problemsOf, req, typed } from './helpers.js';

const permission = { action: 'use', duty: [{ uid: 'urn:duty:attribute', action: 'attribute' }] };
const prohibitMarketing = {
  uid: 'urn:prohibition:marketing',
  action: 'use',
  constraint: [c('purpose', 'isA', 'marketing')],
};

function policy(extra: JsonObject = {}, prohibition: JsonObject = prohibitMarketing): JsonObject {
  return { uid: 'urn:test:conflicts', permission: [permission], prohibition: [prohibition], ...extra };
}

describe('policies/conflicts', () => {
  describe('a permission and a prohibition both apply', () => {
    const clash = req({ purpose: 'targeted-advertising' });

    it('perm: the permission wins, with its duties', async () => {
      const d = await decide(policy({ conflict: 'perm' }), clash);
      expectDecision(d, 'permit', 'PERMITTED_BY_CONFLICT_STRATEGY');
      expect(d.duties.map((x) => [x.uid, x.state])).to.deep.equal([['urn:duty:attribute', 'pending']]);
      expect(d.trace.rules.map((r) => [r.kind, r.outcome])).to.deep.equal([
        ['permission', 'satisfied'],
        ['prohibition', 'satisfied'],
      ]);
    });
    it('prohibit: the prohibition wins', async () => {
      expectDecision(await decide(policy({ conflict: 'prohibit' }), clash), 'deny', 'PROHIBITED');
    });
    it('invalid: the policy is void for the request', async () => {
      expectDecision(await decide(policy({ conflict: 'invalid' }), clash), 'deny', 'POLICY_VOID_BY_CONFLICT');
    });
    it('invalid is the default', async () => {
      expectDecision(await decide(policy(), clash), 'deny', 'POLICY_VOID_BY_CONFLICT');
      expect((await decide(policy(), clash)).trace.policy.conflict).to.equal('invalid');
    });
    it('the strategy accepts the odrl: and full-IRI spellings', async () => {
      expectDecision(
        await decide(policy({ conflict: 'odrl:perm' }), clash),
        'permit',
        'PERMITTED_BY_CONFLICT_STRATEGY',
      );
      expectDecision(
        await decide(policy({ conflict: 'http://www.w3.org/ns/odrl/2/prohibit' }), clash),
        'deny',
        'PROHIBITED',
      );
    });
    it('an unknown strategy is a compile error', async () => {
      const problems = await problemsOf(policy({ conflict: 'permit' }));
      expect(problem(problems, 'ERR_UNKNOWN_CONFLICT_STRATEGY').path).to.equal('/conflict');
    });
  });

  describe('when the prohibition does not hold, there is no conflict', () => {
    for (const conflict of ['perm', 'prohibit', 'invalid']) {
      it(`${conflict}: permit`, async () => {
        const d = await decide(policy({ conflict }), req({ purpose: 'clinical-research' }));
        expectDecision(d, 'permit', 'PERMITTED');
        expect(d.trace.rules[1]).to.include({ kind: 'prohibition', outcome: 'not-satisfied' });
      });
    }
  });

  describe('use, but never distribute (default strategy)', () => {
    const p = {
      uid: 'urn:test:no-distribution',
      permission: [{ action: 'use' }],
      prohibition: [{ action: 'distribute' }],
    };
    it('permits read (the prohibition is about another action)', async () => {
      const d = await decide(p, req({ action: 'read' }));
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.trace.rules[1]?.outcome).to.equal('not-applicable');
    });
    it('denies distribute', async () => {
      const d = await decide(p, req({ action: 'distribute' }));
      expect(d.decision).to.equal('deny');
      expect(d.code).to.equal('POLICY_VOID_BY_CONFLICT');
    });
    it('with prohibit, distribute is PROHIBITED', async () => {
      expectDecision(
        await decide({ ...p, conflict: 'prohibit' }, req({ action: 'distribute' })),
        'deny',
        'PROHIBITED',
      );
    });
    it('a prohibition of a broader action covers the narrower request', async () => {
      const q = {
        uid: 'urn:x',
        permission: [{ action: 'read' }],
        prohibition: [{ action: 'use' }],
        conflict: 'prohibit',
      };
      expectDecision(await decide(q, req({ action: 'read' })), 'deny', 'PROHIBITED');
    });
  });

  describe('a prohibition alone', () => {
    it('denies with PROHIBITED when it holds', async () => {
      const d = await decide(
        { uid: 'urn:x', prohibition: [prohibitMarketing] },
        req({ purpose: 'marketing' }),
      );
      expectDecision(d, 'deny', 'PROHIBITED');
    });
    it('is not a permission: when it does not hold nothing applies', async () => {
      const d = await decide(
        { uid: 'urn:x', prohibition: [prohibitMarketing] },
        req({ purpose: 'public-health' }),
      );
      expectDecision(d, 'not-applicable', 'NO_RULE_APPLIES');
    });
    it('beats a permission whose constraints fail', async () => {
      const p = {
        uid: 'urn:x',
        permission: [{ action: 'use', constraint: [c('count', 'lteq', 1)] }],
        prohibition: [prohibitMarketing],
      };
      expectDecision(await decide(p, req({ purpose: 'marketing', count: 2 })), 'deny', 'PROHIBITED');
    });
  });

  describe('a prohibition that cannot be evaluated denies (fail closed)', () => {
    const erring = {
      uid: 'urn:prohibition:long-use',
      action: 'use',
      constraint: [c('elapsedTime', 'lteq', typed('P30D', 'xsd:duration'))],
    };
    for (const conflict of ['perm', 'prohibit', 'invalid']) {
      it(`even when a permission holds and the strategy is ${conflict}`, async () => {
        const d = await decide(policy({ conflict }, erring), req({ elapsedTime: 'P1M' }));
        expectDecision(d, 'deny', 'EVALUATION_ERROR');
        expect(d.trace.rules[1]).to.include({ kind: 'prohibition', outcome: 'error' });
      });
    }
    it('a malformed request value read only by the prohibition is refused with the request', async () => {
      const d = await decide(policy({ conflict: 'perm' }), req({ purpose: 42 as unknown as string }));
      expectDecision(d, 'deny', 'INVALID_REQUEST');
    });
    it('an erring prohibition alone', async () => {
      const d = await decide({ uid: 'urn:x', prohibition: [erring] }, req({ elapsedTime: 'P1M' }));
      expectDecision(d, 'deny', 'EVALUATION_ERROR');
    });
  });

  it('permissions are alternatives: any one satisfied permission grants', async () => {
    const p = {
      uid: 'urn:x',
      permission: [
        { action: 'use', constraint: [c('purpose', 'isA', 'marketing')] },
        { action: 'use', constraint: [c('purpose', 'isA', 'public-interest')] },
      ],
    };
    const d = await decide(p, req({ purpose: 'public-health' }));
    expectDecision(d, 'permit', 'PERMITTED');
    expect(d.trace.rules.map((r) => r.outcome)).to.deep.equal(['not-satisfied', 'satisfied']);
  });

  it('an erring permission does not prevent another permission from granting', async () => {
    const p = {
      uid: 'urn:x',
      permission: [
        { action: 'use', constraint: [c('elapsedTime', 'lteq', typed('P30D', 'xsd:duration'))] },
        { action: 'use', constraint: [c('count', 'lteq', 5)] },
      ],
    };
    expectDecision(await decide(p, req({ elapsedTime: 'P1M', count: 1 })), 'permit', 'PERMITTED');
    expectDecision(await decide(p, req({ elapsedTime: 'P1M', count: 9 })), 'deny', 'EVALUATION_ERROR');
  });
});
