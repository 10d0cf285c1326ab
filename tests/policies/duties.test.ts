// Duties of permissions and policy-level obligations: pending, fulfilled, violated, remedied by
// consequences, inactive when their own constraints do not hold; and the choice between permissions.
import { expect } from 'chai';
import { c, decide, expectDecision, type JsonObject, req, typed } from './helpers.js';

const xsdDuration = (v: string) => typed(v, 'xsd:duration');

const attribute = { uid: 'urn:duty:attribute', action: 'attribute' };
const withDuties = (...duty: JsonObject[]): JsonObject => ({
  uid: 'urn:test:duties',
  permission: [{ action: 'use', duty }],
});

describe('policies/duties', () => {
  describe('duties of a permission', () => {
    it('a pending duty comes back with the permit', async () => {
      const d = await decide(withDuties(attribute), req());
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.duties).to.deep.equal([
        {
          uid: 'urn:duty:attribute',
          action: 'attribute',
          state: 'pending',
          refinements: [],
          constraints: [],
          parties: {},
          target: undefined,
          obligation: false,
          path: '/permission/0/duty/0',
        },
      ]);
      expect(d.trace.rules[0]?.duties.map((t) => [t.uid, t.state])).to.deep.equal([
        ['urn:duty:attribute', 'pending'],
      ]);
    });

    it('fulfilled, reported by uid', async () => {
      const d = await decide(withDuties(attribute), req({ duties: { 'urn:duty:attribute': 'fulfilled' } }));
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.duties.map((x) => x.state)).to.deep.equal(['fulfilled']);
    });

    it('fulfilled, reported by action name', async () => {
      const d = await decide(withDuties(attribute), req({ duties: { attribute: 'fulfilled' } }));
      expect(d.duties.map((x) => x.state)).to.deep.equal(['fulfilled']);
    });

    it('the uid report takes precedence over the action report', async () => {
      const d = await decide(
        withDuties(attribute),
        req({ duties: { 'urn:duty:attribute': 'fulfilled', attribute: 'violated' } }),
      );
      expect(d.duties.map((x) => x.state)).to.deep.equal(['fulfilled']);
    });

    it('violated without consequences: deny DUTY_VIOLATED', async () => {
      const d = await decide(withDuties(attribute), req({ duties: { 'urn:duty:attribute': 'violated' } }));
      expectDecision(d, 'deny', 'DUTY_VIOLATED');
      expect(d.trace.rules[0]?.duties.map((t) => t.state)).to.deep.equal(['violated']);
    });

    describe('consequences', () => {
      const duty = {
        uid: 'urn:duty:delete',
        action: 'delete',
        consequence: [
          { uid: 'urn:duty:compensate', action: 'compensate' },
          { uid: 'urn:duty:inform', action: 'inform' },
        ],
      };
      it('violated, every consequence fulfilled: permit, state remedied', async () => {
        const d = await decide(
          withDuties(duty),
          req({
            duties: {
              'urn:duty:delete': 'violated',
              'urn:duty:compensate': 'fulfilled',
              inform: 'fulfilled',
            },
          }),
        );
        expectDecision(d, 'permit', 'PERMITTED');
        expect(d.duties.map((x) => [x.uid, x.state])).to.deep.equal([['urn:duty:delete', 'remedied']]);
        const trace = d.trace.rules[0]?.duties[0];
        expect(trace?.state).to.equal('remedied');
        expect(trace?.consequences.map((q) => [q.uid, q.state])).to.deep.equal([
          ['urn:duty:compensate', 'fulfilled'],
          ['urn:duty:inform', 'fulfilled'],
        ]);
      });
      it('violated, a consequence still pending: deny DUTY_VIOLATED', async () => {
        const d = await decide(
          withDuties(duty),
          req({ duties: { 'urn:duty:delete': 'violated', 'urn:duty:compensate': 'fulfilled' } }),
        );
        expectDecision(d, 'deny', 'DUTY_VIOLATED');
      });
      it('violated, a consequence violated too: deny DUTY_VIOLATED', async () => {
        const d = await decide(
          withDuties(duty),
          req({
            duties: { 'urn:duty:delete': 'violated', 'urn:duty:compensate': 'violated', inform: 'fulfilled' },
          }),
        );
        expectDecision(d, 'deny', 'DUTY_VIOLATED');
      });
      // docs/policies.md: "A violated duty whose consequences are all fulfilled is remedied." A
      // consequence that is not active (its constraint does not hold) was not fulfilled.
      it('violated, the only consequence inactive (nothing fulfilled): deny DUTY_VIOLATED', async () => {
        const onlyIfHeavyUse = {
          uid: 'urn:duty:delete',
          action: 'delete',
          consequence: [
            { uid: 'urn:duty:compensate', action: 'compensate', constraint: [c('count', 'gt', 100)] },
          ],
        };
        const d = await decide(
          withDuties(onlyIfHeavyUse),
          req({ count: 5, duties: { 'urn:duty:delete': 'violated' } }),
        );
        expectDecision(d, 'deny', 'DUTY_VIOLATED');
      });
      it('consequences are not returned while the duty itself is not violated', async () => {
        const d = await decide(withDuties(duty), req());
        expect(d.duties.map((x) => [x.uid, x.state])).to.deep.equal([['urn:duty:delete', 'pending']]);
      });
    });

    describe('a duty with constraints', () => {
      // delete once more than 10 uses were made
      const conditional = { uid: 'urn:duty:delete', action: 'delete', constraint: [c('count', 'gt', 10)] };
      it('is inactive (not returned) while its constraint does not hold', async () => {
        const d = await decide(withDuties(attribute, conditional), req({ count: 3 }));
        expectDecision(d, 'permit', 'PERMITTED');
        expect(d.duties.map((x) => x.uid)).to.deep.equal(['urn:duty:attribute']);
        expect(d.trace.rules[0]?.duties.map((t) => [t.uid, t.state])).to.deep.equal([
          ['urn:duty:attribute', 'pending'],
          ['urn:duty:delete', 'inactive'],
        ]);
      });
      it('an inactive duty reported violated does not block the permit', async () => {
        const d = await decide(
          withDuties(conditional),
          req({ count: 3, duties: { 'urn:duty:delete': 'violated' } }),
        );
        expectDecision(d, 'permit', 'PERMITTED');
      });
      it('is pending once its constraint holds, with the constraint as text', async () => {
        const d = await decide(withDuties(conditional), req({ count: 11 }));
        expect(d.duties.map((x) => [x.uid, x.state, x.constraints])).to.deep.equal([
          ['urn:duty:delete', 'pending', ['count gt 10']],
        ]);
      });
      it('is active when its constraint cannot be evaluated (fail closed)', async () => {
        // P1M against P30D is indeterminate (XML Schema's duration order), so the duty's activation errs.
        const monthly = { ...conditional, constraint: [c('elapsedTime', 'lt', xsdDuration('P30D'))] };
        const d = await decide(withDuties(monthly), req({ elapsedTime: 'P1M' }));
        expect(d.duties.map((x) => [x.uid, x.state])).to.deep.equal([['urn:duty:delete', 'pending']]);
      });
    });

    it('refinements of the duty’s action are rendered as text', async () => {
      const pay = {
        uid: 'urn:duty:pay',
        action: {
          'rdf:value': { '@id': 'odrl:compensate' },
          refinement: [
            c('payAmount', 'eq', { '@value': '5000.00', '@type': 'xsd:decimal' }, { unit: 'CNY' }),
            c('dateTime', 'lt', { '@value': '2026-07-01', '@type': 'xsd:date' }),
          ],
        },
        compensatedParty: 'did:web:provider.example',
      };
      const d = await decide(withDuties(pay), req());
      expect(d.duties).to.have.length(1);
      expect(d.duties[0]).to.deep.include({
        uid: 'urn:duty:pay',
        action: 'compensate',
        state: 'pending',
        refinements: ['payAmount eq 5000.00 CNY', 'dateTime lt 2026-07-01'],
        parties: { compensatedParty: ['did:web:provider.example'] },
      });
    });

    it('a duty inherits the permission’s target', async () => {
      const p = { uid: 'urn:x', permission: [{ action: 'use', target: 'urn:dataset:1', duty: [attribute] }] };
      const d = await decide(p, req({ target: 'urn:dataset:1' }));
      expect(d.duties[0]?.target).to.equal('urn:dataset:1');
    });

    it('duties are not returned with a deny', async () => {
      const p = {
        uid: 'urn:x',
        permission: [{ action: 'use', constraint: [c('count', 'lt', 2)], duty: [attribute] }],
      };
      expectDecision(await decide(p, req({ count: 2 })), 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });

    it('a violated duty blocks only its own permission', async () => {
      const p = {
        uid: 'urn:x',
        permission: [
          { action: 'use', duty: [attribute] },
          { action: 'use', duty: [{ uid: 'urn:duty:inform', action: 'inform' }] },
        ],
      };
      const d = await decide(p, req({ duties: { 'urn:duty:attribute': 'violated' } }));
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.duties.map((x) => x.uid)).to.deep.equal(['urn:duty:inform']);
    });
  });

  describe('choosing between satisfied permissions', () => {
    it('prefers the one with fewer pending duties', async () => {
      const p = {
        uid: 'urn:x',
        permission: [
          {
            uid: 'urn:p:two',
            action: 'use',
            duty: [attribute, { uid: 'urn:duty:inform', action: 'inform' }],
          },
          { uid: 'urn:p:one', action: 'use', duty: [{ uid: 'urn:duty:compensate', action: 'compensate' }] },
        ],
      };
      const d = await decide(p, req());
      expect(d.duties.map((x) => x.uid)).to.deep.equal(['urn:duty:compensate']);
    });

    it('prefers the first one on a tie', async () => {
      const p = {
        uid: 'urn:x',
        permission: [
          { action: 'use', duty: [attribute] },
          { action: 'use', duty: [{ uid: 'urn:duty:inform', action: 'inform' }] },
        ],
      };
      expect((await decide(p, req())).duties.map((x) => x.uid)).to.deep.equal(['urn:duty:attribute']);
    });

    it('prefers a permission without duties', async () => {
      const p = { uid: 'urn:x', permission: [{ action: 'use', duty: [attribute] }, { action: 'use' }] };
      expect((await decide(p, req())).duties).to.deep.equal([]);
    });

    // docs/policies.md: "Among several satisfied permissions the one with the fewest *pending* duties
    // is used." Two fulfilled duties leave nothing pending; one unreported duty is still pending.
    it('counts pending duties, not fulfilled ones', async () => {
      const p = {
        uid: 'urn:x',
        permission: [
          {
            uid: 'urn:p:done',
            action: 'use',
            duty: [attribute, { uid: 'urn:duty:inform', action: 'inform' }],
          },
          { uid: 'urn:p:open', action: 'use', duty: [{ uid: 'urn:duty:compensate', action: 'compensate' }] },
        ],
      };
      const d = await decide(
        p,
        req({ duties: { 'urn:duty:attribute': 'fulfilled', 'urn:duty:inform': 'fulfilled' } }),
      );
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.duties.filter((x) => x.state === 'pending')).to.deep.equal([]);
      expect(d.duties.map((x) => [x.uid, x.state])).to.deep.equal([
        ['urn:duty:attribute', 'fulfilled'],
        ['urn:duty:inform', 'fulfilled'],
      ]);
    });
  });

  // docs/policies.md: "Policy-level obligations that apply to the request are added to the permit's
  // duties; a violated, unremedied obligation denies every request." An obligation's action is what
  // must be done (compensate), not the action requested (use).
  describe('policy-level obligations', () => {
    const obliged = (extra: JsonObject = {}): JsonObject => ({
      uid: 'urn:test:obligations',
      permission: [{ action: 'use', duty: [attribute] }],
      obligation: [{ uid: 'urn:obligation:pay', action: 'compensate', ...extra }],
    });

    it('are returned with the permit, marked as obligations', async () => {
      const d = await decide(obliged(), req());
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.duties.map((x) => [x.uid, x.action, x.state, x.obligation, x.path])).to.deep.equal([
        ['urn:duty:attribute', 'attribute', 'pending', false, '/permission/0/duty/0'],
        ['urn:obligation:pay', 'compensate', 'pending', true, '/obligation/0'],
      ]);
    });

    it('a violated obligation denies with OBLIGATION_VIOLATED', async () => {
      const d = await decide(obliged(), req({ duties: { 'urn:obligation:pay': 'violated' } }));
      expectDecision(d, 'deny', 'OBLIGATION_VIOLATED');
    });

    it('a violated obligation whose consequences are fulfilled is remedied', async () => {
      const policy = obliged({ consequence: [{ uid: 'urn:obligation:pay-twice', action: 'compensate' }] });
      const d = await decide(
        policy,
        req({ duties: { 'urn:obligation:pay': 'violated', 'urn:obligation:pay-twice': 'fulfilled' } }),
      );
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.duties.find((x) => x.obligation)?.state).to.equal('remedied');
    });

    it('an obligation about another target does not apply', async () => {
      const p = {
        uid: 'urn:x',
        permission: [{ action: 'read' }],
        obligation: [{ uid: 'urn:o', action: 'use', target: 'urn:dataset:1' }],
      };
      const mine = await decide(p, req({ action: 'read', target: 'urn:dataset:1' }));
      expect(mine.duties.map((x) => x.uid)).to.deep.equal(['urn:o']);
      const other = await decide(
        p,
        req({ action: 'read', target: 'urn:dataset:2', duties: { 'urn:o': 'violated' } }),
      );
      expectDecision(other, 'permit', 'PERMITTED');
      expect(other.duties).to.deep.equal([]);
    });

    it('an obligation whose action covers the request is returned (control: the obligation machinery works)', async () => {
      const p = {
        uid: 'urn:x',
        permission: [{ action: 'read' }],
        obligation: [{ uid: 'urn:o', action: 'use' }],
      };
      const d = await decide(p, req({ action: 'read' }));
      expect(d.duties.map((x) => [x.uid, x.state, x.obligation])).to.deep.equal([['urn:o', 'pending', true]]);
      expectDecision(
        await decide(p, req({ action: 'read', duties: { 'urn:o': 'violated' } })),
        'deny',
        'OBLIGATION_VIOLATED',
      );
    });
  });
});
