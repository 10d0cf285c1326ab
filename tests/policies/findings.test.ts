// Regression tests for the fail-open findings of issue 12, one group per class: collections without
// listed members, request values outside their domain, unknown duty states, out-of-range numbers,
// deprecated ODRL terms and a null request. Each was a permit (or a raw error) before the fix.
import { expect } from 'chai';
import {
  checkPolicy,
  compilePolicy,
  compilePolicySync,
  evaluate,
  reasonOf,
  type EvaluationRequest,
} from '../../policies/index.js';
import { c, decide, expectDecision, req, T_MS } from './helpers.js';

const anything = (extra: Partial<EvaluationRequest> = {}): EvaluationRequest =>
  req({ assignee: 'did:web:anyone.example', target: 'urn:dataset:1', ...extra });

describe('policies: fail-open findings (issue 12)', () => {
  describe('1. collections are matched by membership the request states, never "matches all"', () => {
    const byAssignee = (assignee: object) => ({ uid: 'urn:p', permission: [{ action: 'use', assignee }] });
    const byTarget = (target: object) => ({ uid: 'urn:p', permission: [{ action: 'use', target }] });
    const sourced = { '@type': 'PartyCollection', source: 'urn:party:hospitals' };

    it('a PartyCollection given by source: members permitted, others not, unknown when unstated', async () => {
      const p = byAssignee(sourced);
      expectDecision(
        await decide(p, anything({ assigneeOf: ['urn:party:hospitals'] })),
        'permit',
        'PERMITTED',
      );
      expectDecision(
        await decide(p, anything({ assigneeOf: ['urn:party:banks'] })),
        'not-applicable',
        'NO_RULE_APPLIES',
      );
      expectDecision(await decide(p, anything()), 'deny', 'MISSING_INFORMATION');
    });
    it('an AssetCollection given by source', async () => {
      const p = byTarget({ '@type': 'AssetCollection', source: 'urn:collection:outpatient' });
      expectDecision(
        await decide(p, anything({ asset: { partOf: ['urn:collection:outpatient'] } })),
        'permit',
        'PERMITTED',
      );
      expectDecision(await decide(p, anything()), 'deny', 'MISSING_INFORMATION');
    });
    it('a collection defined only by a refinement matches no request', async () => {
      const p = byAssignee({
        '@type': 'PartyCollection',
        refinement: [c('shuyu:sector', 'isA', 'medical')],
      });
      const d = await decide(p, anything({ claims: { sectors: ['medical'] }, assigneeOf: ['urn:x'] }));
      expectDecision(d, 'deny', 'MISSING_INFORMATION');
    });
    it('an assignee without an identifier ({"@type": "Party"}) matches no request', async () => {
      expectDecision(
        await decide(byAssignee({ '@type': 'Party' }), anything()),
        'deny',
        'MISSING_INFORMATION',
      );
    });
    it('a prohibition on a collection cannot be escaped by leaving membership out', async () => {
      const p = {
        uid: 'urn:p',
        permission: [{ action: 'use' }],
        prohibition: [{ action: 'use', assignee: sourced }],
      };
      expectDecision(
        await decide(p, anything({ assigneeOf: ['urn:party:hospitals'] })),
        'deny',
        'POLICY_VOID_BY_CONFLICT',
      );
      expectDecision(await decide(p, anything()), 'deny', 'MISSING_INFORMATION');
      expectDecision(await decide(p, anything({ assigneeOf: [] })), 'permit', 'PERMITTED');
    });
  });

  describe('2. request values outside the vocabulary cannot escape a prohibition', () => {
    const p = {
      uid: 'urn:p',
      permission: [{ action: 'use' }],
      prohibition: [{ action: 'use', constraint: [c('purpose', 'isA', 'marketing')] }],
      conflict: 'prohibit',
    };
    for (const purpose of ['MARKETING', 'advertising', 'Marketing ', 'https://example.org/marketing']) {
      it(`purpose ${JSON.stringify(purpose)} is refused`, async () => {
        const d = await decide(p, anything({ purpose }));
        expectDecision(d, 'deny', 'INVALID_REQUEST');
        expect(reasonOf(d)).to.include('vocabulary');
      });
    }
    it('known terms are decided as before', async () => {
      expectDecision(await decide(p, anything({ purpose: 'targeted-advertising' })), 'deny', 'PROHIBITED');
      expectDecision(await decide(p, anything({ purpose: 'clinical-research' })), 'permit', 'PERMITTED');
    });
    it('a term the policy itself names is known (an open vocabulary)', async () => {
      const own = {
        uid: 'urn:p',
        permission: [{ action: 'use', constraint: [c('purpose', 'eq', 'genomics')] }],
      };
      expectDecision(await decide(own, anything({ purpose: 'genomics' })), 'permit', 'PERMITTED');
    });
    it('held values (sectors) and regions are checked too', async () => {
      const q = { uid: 'urn:p', permission: [{ action: 'use' }] };
      expectDecision(
        await decide(q, anything({ claims: { sectors: ['Finance'] } })),
        'deny',
        'INVALID_REQUEST',
      );
      expectDecision(await decide(q, anything({ spatial: 'Beijing' })), 'deny', 'INVALID_REQUEST');
      expectDecision(
        await decide(q, anything({ claims: { sectors: 'medical' as unknown as string[] } })),
        'deny',
        'INVALID_REQUEST',
      );
    });
  });

  describe('3. unknown duty states are invalid', () => {
    const p = {
      uid: 'urn:p',
      permission: [{ action: 'use', duty: [{ uid: 'urn:duty:pay', action: 'compensate' }] }],
    };
    for (const state of ['Violated', 'maybe', '', 1, null]) {
      it(`duty state ${JSON.stringify(state)} is refused`, async () => {
        const d = await decide(p, anything({ duties: { 'urn:duty:pay': state as 'violated' } }));
        expectDecision(d, 'deny', 'INVALID_REQUEST');
        expect(d.detail).to.include('"fulfilled" or "violated"');
      });
    }
    it('"violated" still denies and "fulfilled" still permits', async () => {
      expectDecision(
        await decide(p, anything({ duties: { 'urn:duty:pay': 'violated' } })),
        'deny',
        'DUTY_VIOLATED',
      );
      expectDecision(
        await decide(p, anything({ duties: { 'urn:duty:pay': 'fulfilled' } })),
        'permit',
        'PERMITTED',
      );
    });
  });

  describe('4. out-of-range values are refused', () => {
    const window = {
      uid: 'urn:p',
      permission: [{ action: 'use', constraint: [c('dateTime', 'lt', '2020-01-01T00:00:00Z')] }],
      prohibition: [],
    };
    const later = {
      uid: 'urn:p',
      permission: [{ action: 'use', constraint: [c('dateTime', 'gt', '2030-01-01T00:00:00Z')] }],
    };
    for (const time of [1e20, -1e20, 8.64e15 + 1, Number.NaN, Infinity]) {
      it(`time ${time} is no instant`, async () => {
        expectDecision(await decide(window, anything({ time })), 'deny', 'INVALID_REQUEST');
        expectDecision(await decide(later, anything({ time })), 'deny', 'INVALID_REQUEST');
      });
    }
    it('epoch milliseconds inside the Date range still work', async () => {
      expectDecision(
        await decide(later, anything({ time: T_MS + 10 * 365 * 86_400_000 })),
        'permit',
        'PERMITTED',
      );
    });
    it('count -5 does not satisfy count lteq 10', async () => {
      const p = { uid: 'urn:p', permission: [{ action: 'use', constraint: [c('count', 'lteq', 10)] }] };
      expectDecision(await decide(p, anything({ count: -5 })), 'deny', 'INVALID_REQUEST');
      expectDecision(await decide(p, anything({ count: 5 })), 'permit', 'PERMITTED');
    });
    it('negative durations, amounts and percentages above 100 are refused', async () => {
      const p = { uid: 'urn:p', permission: [{ action: 'use' }] };
      for (const extra of [
        { elapsedTime: '-P1D' },
        { meteredTime: -3 },
        { payAmount: '-1' },
        { percentage: 101 },
      ])
        expectDecision(await decide(p, anything(extra)), 'deny', 'INVALID_REQUEST');
    });
    it('assigneeOf given as a string is refused, not iterated letter by letter', async () => {
      const p = {
        uid: 'urn:p',
        permission: [{ action: 'use', assignee: { '@type': 'PartyCollection', uid: 'u' } }],
      };
      const d = await decide(p, anything({ assigneeOf: 'urn' as unknown as string[] }));
      expectDecision(d, 'deny', 'INVALID_REQUEST');
      expect(d.detail).to.include('assigneeOf');
      expectDecision(
        await decide(p, anything({ asset: { partOf: 'u' as unknown as string[] } })),
        'deny',
        'INVALID_REQUEST',
      );
    });
  });

  describe('5. deprecated ODRL terms and a null request', () => {
    it('write (ODRL 2.0/2.1) is read as modify, with a lint note', async () => {
      const p = { uid: 'urn:p', permission: [{ action: 'write' }] };
      const checked = await checkPolicy(p);
      expect(checked.ok).to.equal(true);
      const note = checked.report.find((x) => x.code === 'LINT_DEPRECATED_TERM');
      expect(note).to.include({ severity: 'warning', path: '/permission/0/action' });
      expect(note?.message).to.include('"modify"');
      expectDecision(checked.policy.evaluate(anything({ action: 'modify' })), 'permit', 'PERMITTED');
      expectDecision(checked.policy.evaluate(anything({ action: 'write' })), 'permit', 'PERMITTED');
    });
    for (const [old, current] of [
      ['writeTo', 'modify'],
      ['append', 'modify'],
      ['appendTo', 'modify'],
      ['copy', 'reproduce'],
      ['export', 'transform'],
      ['pay', 'compensate'],
    ]) {
      it(`${old} is read as ${current}`, async () => {
        const checked = await checkPolicy({ uid: 'urn:p', permission: [{ action: old }] });
        expect(checked.ok).to.equal(true);
        expect(checked.policy.policy?.permissions[0]?.action.name).to.equal(current);
      });
    }
    it('the deprecated left operands device and system are read as systemDevice', async () => {
      const checked = await checkPolicy({
        uid: 'urn:p',
        permission: [{ action: 'use', constraint: [c('device', 'eq', 'urn:device:1')] }],
      });
      expect(checked.ok).to.equal(true);
      expect(checked.report.map((p) => p.code)).to.include('LINT_DEPRECATED_TERM');
    });
    it('a deprecated term without a replacement is an error that says so', async () => {
      const result = await compilePolicy({ uid: 'urn:p', permission: [{ action: 'lease' }] });
      expect(result.ok).to.equal(false);
      expect(result.problems[0]?.message).to.include('deprecated by ODRL 2.2 without a replacement');
    });
    it('evaluate(null) explains itself', async () => {
      const { policy } = await compilePolicy({ uid: 'urn:p', permission: [{ action: 'use' }] });
      for (const bad of [null, undefined, 'use', [], 42]) {
        const d = policy.evaluate(bad as unknown as EvaluationRequest);
        expectDecision(d, 'deny', 'INVALID_REQUEST');
        expect(d.detail).to.match(/^the request must be an object with an action/);
        expect(reasonOf(d)).to.include('the request must be an object');
      }
      const oneShot = await evaluate(null, anything());
      expectDecision(oneShot, 'deny', 'INVALID_POLICY');
      expect(reasonOf(oneShot)).to.not.match(/Cannot read|TypeError/);
    });
  });

  describe('consequences (found by npm run fuzz -- policy at 100 k cases)', () => {
    const policy = {
      uid: 'urn:fuzz:policy',
      '@type': 'Set',
      permission: [
        {
          action: 'use',
          target: 'urn:dataset:2',
          duty: [
            {
              uid: 'urn:duty:2',
              action: 'anonymize',
              consequence: [
                {
                  uid: 'urn:duty:1',
                  action: 'anonymize',
                  constraint: [
                    { leftOperand: 'recipient', operator: 'neq', rightOperand: 'did:web:bank.example' },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const violated = {
      action: 'use',
      target: 'urn:dataset:2',
      duties: { 'urn:duty:1': 'fulfilled', 'urn:duty:2': 'violated' },
    };
    it('a consequence whose activation cannot be decided remedies nothing (leaving out recipient permits nothing)', () => {
      const p = compilePolicySync(policy).policy;
      expect(p.evaluate({ ...violated, recipient: 'did:web:bank.example' } as never).permitted).to.equal(
        false,
      );
      const withoutRecipient = p.evaluate(violated as never);
      expect(withoutRecipient.permitted).to.equal(false);
      expect(withoutRecipient.code).to.equal('DUTY_VIOLATED');
      // Decided and applying, a fulfilled consequence still remedies the violation.
      expect(p.evaluate({ ...violated, recipient: 'did:web:hospital.example' } as never).permitted).to.equal(
        true,
      );
    });
  });
});
