// Which rules apply to a request: the action hierarchy, targets (and the asset collections a target
// is part of, with refinements), assignees (and party collections, with refinements on claims),
// assigners, policy-level properties inherited by rules, and rules split per action.
import { expect } from 'chai';
import { compilePolicy, compileVocabularies, reasonOf } from '../../policies/index.js';
import { c, decide, expectDecision, type JsonObject, req } from './helpers.js';

const allow = (rule: JsonObject, policy: JsonObject = {}): JsonObject => ({
  uid: 'urn:test:matching',
  permission: [rule],
  ...policy,
});

describe('policies/matching', () => {
  describe('action inclusion (ODRL includedIn)', () => {
    const cases: [string, string, boolean][] = [
      ['use', 'read', true],
      ['use', 'textToSpeech', true], // textToSpeech ⊂ read ⊂ use
      ['use', 'use', true],
      ['play', 'display', true],
      ['transfer', 'sell', true],
      ['transfer', 'give', true],
      ['read', 'use', false],
      ['display', 'play', false],
      ['use', 'transfer', false],
      ['use', 'sell', false],
      ['transfer', 'use', false],
      ['print', 'read', false],
    ];
    for (const [granted, asked, applies] of cases) {
      it(`a permission to ${granted} ${applies ? 'covers' : 'does not cover'} ${asked}`, async () => {
        const d = await decide(allow({ action: granted }), req({ action: asked }));
        if (applies) expectDecision(d, 'permit', 'PERMITTED');
        else {
          expectDecision(d, 'not-applicable', 'NO_RULE_APPLIES');
          expect(d.trace.rules[0]?.notApplicable).to.equal(
            `the rule is about ${granted}, which does not include ${asked}`,
          );
        }
      });
    }
    it('the requested action may be written odrl:read or as a full IRI', async () => {
      const p = allow({ action: 'use' });
      expectDecision(await decide(p, req({ action: 'odrl:read' })), 'permit', 'PERMITTED');
      expectDecision(
        await decide(p, req({ action: 'http://www.w3.org/ns/odrl/2/read' })),
        'permit',
        'PERMITTED',
      );
    });
  });

  describe('targets', () => {
    const p = allow({ action: 'use', target: 'urn:dataset:1', constraint: [c('count', 'lteq', 5)] });
    it('applies to its target', async () => {
      expectDecision(await decide(p, req({ target: 'urn:dataset:1', count: 1 })), 'permit', 'PERMITTED');
    });
    it('not-applicable for another target (not deny), with the reason in the trace', async () => {
      const d = await decide(p, req({ target: 'urn:dataset:2', count: 1 }));
      expectDecision(d, 'not-applicable', 'NO_RULE_APPLIES');
      expect(d.trace.rules[0]).to.include({
        outcome: 'not-applicable',
        notApplicable: "the rule's target is urn:dataset:1, the request is about urn:dataset:2",
      });
      expect(d.trace.rules[0]?.constraints).to.deep.equal([]);
    });
    it('unknown (MISSING_INFORMATION) when the request names no target', async () => {
      expectDecision(await decide(p, req({ count: 1 })), 'deny', 'MISSING_INFORMATION');
    });
    it('deny (not not-applicable) when the rule applies but its constraint fails', async () => {
      expectDecision(
        await decide(p, req({ target: 'urn:dataset:1', count: 6 })),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
    });
    it('a rule without a target applies to any target', async () => {
      expectDecision(
        await decide(allow({ action: 'use' }), req({ target: 'urn:any' })),
        'permit',
        'PERMITTED',
      );
    });
    it('applies to an asset that is partOf the target collection', async () => {
      const q = allow({ action: 'use', target: 'urn:collection:outpatient' });
      const member = req({
        target: 'urn:dataset:1',
        asset: { partOf: ['urn:collection:other', 'urn:collection:outpatient'] },
      });
      expectDecision(await decide(q, member), 'permit', 'PERMITTED');
      const stranger = req({ target: 'urn:dataset:1', asset: { partOf: ['urn:collection:other'] } });
      expectDecision(await decide(q, stranger), 'not-applicable', 'NO_RULE_APPLIES');
    });
    it('several targets split into one rule per target', async () => {
      const q = allow({ action: 'use', target: ['urn:dataset:1', 'urn:dataset:2'] });
      expectDecision(await decide(q, req({ target: 'urn:dataset:2' })), 'permit', 'PERMITTED');
      expectDecision(await decide(q, req({ target: 'urn:dataset:3' })), 'not-applicable', 'NO_RULE_APPLIES');
    });

    describe('an AssetCollection with a refinement on shuyu:dataGrade', () => {
      const graded = allow({
        action: 'use',
        target: {
          '@type': 'AssetCollection',
          uid: 'urn:collection:general-data',
          refinement: [c('shuyu:dataGrade', 'lteq', 'general')],
        },
      });
      it('permits a member asset whose grade fits', async () => {
        const d = await decide(
          graded,
          req({
            target: 'urn:dataset:1',
            asset: { partOf: ['urn:collection:general-data'], dataGrade: 'JR-L3' },
          }),
        );
        expectDecision(d, 'permit', 'PERMITTED');
        expect(d.trace.rules[0]?.constraints[0]).to.include({
          role: 'refinement of the target',
          constraint: 'shuyu:dataGrade lteq general',
          outcome: 'satisfied',
        });
      });
      it('denies a member asset whose grade is higher', async () => {
        const d = await decide(
          graded,
          req({
            target: 'urn:dataset:1',
            asset: { partOf: ['urn:collection:general-data'], dataGrade: 'important' },
          }),
        );
        expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
      });
      it('denies a member asset whose grade is unknown to the request', async () => {
        const d = await decide(
          graded,
          req({ target: 'urn:dataset:1', asset: { partOf: ['urn:collection:general-data'] } }),
        );
        expectDecision(d, 'deny', 'MISSING_INFORMATION');
      });
      it('does not apply to assets the request says are outside the collection', async () => {
        const d = await decide(
          graded,
          req({ target: 'urn:dataset:1', asset: { dataGrade: 'JR-L1', partOf: [] } }),
        );
        expectDecision(d, 'not-applicable', 'NO_RULE_APPLIES');
      });
      it('membership the request does not state is unknown, never "matches all"', async () => {
        const d = await decide(graded, req({ target: 'urn:dataset:1', asset: { dataGrade: 'JR-L1' } }));
        expectDecision(d, 'deny', 'MISSING_INFORMATION');
        expect(reasonOf(d)).to.include('asset.partOf');
      });
      it('a collection without an identifier matches no request (its refinement alone names no members)', async () => {
        const anonymous = allow({
          action: 'use',
          target: { '@type': 'AssetCollection', refinement: [c('shuyu:dataGrade', 'lt', 'important')] },
        });
        const d = await decide(anonymous, req({ target: 'urn:dataset:1', asset: { dataGrade: 'general' } }));
        expectDecision(d, 'deny', 'MISSING_INFORMATION');
        expect(reasonOf(d)).to.include('no identifier');
        expectDecision(
          await decide(anonymous, req({ asset: { dataGrade: 'core' } })),
          'deny',
          'CONSTRAINT_NOT_SATISFIED',
        );
      });
    });
  });

  describe('assignees', () => {
    const p = allow({ action: 'use', assignee: 'did:web:hospital.example' });
    it('applies to the named requester', async () => {
      expectDecision(await decide(p, req({ assignee: 'did:web:hospital.example' })), 'permit', 'PERMITTED');
    });
    it('not-applicable for anyone else, or an anonymous requester', async () => {
      const d = await decide(p, req({ assignee: 'did:web:bank.example' }));
      expectDecision(d, 'not-applicable', 'NO_RULE_APPLIES');
      expect(d.trace.rules[0]?.notApplicable).to.equal(
        'the rule is assigned to did:web:hospital.example, the requester is did:web:bank.example',
      );
      // An anonymous requester may be that party: unknown, so deny with MISSING_INFORMATION.
      expectDecision(await decide(p, req()), 'deny', 'MISSING_INFORMATION');
    });

    describe('a PartyCollection with a refinement on the requester’s claims', () => {
      const hospitals = allow({
        action: 'use',
        assignee: {
          '@type': 'PartyCollection',
          uid: 'urn:party:beijing-hospitals',
          refinement: [c('shuyu:sectorRole', 'isA', 'healthcare-provider')],
        },
      });
      it('permits a member whose claims satisfy the refinement', async () => {
        const d = await decide(
          hospitals,
          req({
            assignee: 'did:web:h.example',
            assigneeOf: ['urn:party:beijing-hospitals'],
            claims: { sectorRoles: ['hospital'] },
          }),
        );
        expectDecision(d, 'permit', 'PERMITTED');
        expect(d.trace.rules[0]?.constraints[0]?.role).to.equal('refinement of the assignee');
      });
      it('denies a member whose claims do not', async () => {
        const d = await decide(
          hospitals,
          req({
            assignee: 'did:web:b.example',
            assigneeOf: ['urn:party:beijing-hospitals'],
            claims: { sectorRoles: ['bank'] },
          }),
        );
        expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
      });
      it('does not apply to a requester who states other memberships', async () => {
        const d = await decide(
          hospitals,
          req({ assignee: 'did:web:h.example', assigneeOf: [], claims: { sectorRoles: ['hospital'] } }),
        );
        expectDecision(d, 'not-applicable', 'NO_RULE_APPLIES');
      });
      it('is unknown (MISSING_INFORMATION) when the requester states no memberships', async () => {
        const d = await decide(
          hospitals,
          req({ assignee: 'did:web:h.example', claims: { sectorRoles: ['hospital'] } }),
        );
        expectDecision(d, 'deny', 'MISSING_INFORMATION');
        expect(reasonOf(d)).to.include('assigneeOf');
      });
    });
  });

  // The request's target is read in canonical form (dcat:x → its full IRI); a collection's own
  // id must be read the same way, as a plain string target already is.
  describe('ids written as compact IRIs with a known prefix (dcat:)', () => {
    it('a plain target', async () => {
      const p = allow({ action: 'use', target: 'dcat:catalog-2026' });
      expectDecision(await decide(p, req({ target: 'dcat:catalog-2026' })), 'permit', 'PERMITTED');
    });
    it('an AssetCollection object, by target and by partOf', async () => {
      const p = allow({ action: 'use', target: { '@type': 'AssetCollection', uid: 'dcat:catalog-2026' } });
      expectDecision(await decide(p, req({ target: 'dcat:catalog-2026' })), 'permit', 'PERMITTED');
      expectDecision(
        await decide(p, req({ target: 'urn:dataset:1', asset: { partOf: ['dcat:catalog-2026'] } })),
        'permit',
        'PERMITTED',
      );
    });
  });

  describe('assigners', () => {
    const p = allow({ action: 'use', assigner: 'did:web:provider.example' });
    it('applies when the request names the same assigner', async () => {
      expectDecision(await decide(p, req({ assigner: 'did:web:provider.example' })), 'permit', 'PERMITTED');
    });
    it('applies when the request names no assigner', async () => {
      expectDecision(await decide(p, req()), 'permit', 'PERMITTED');
    });
    it('not-applicable when the request names another assigner', async () => {
      const d = await decide(p, req({ assigner: 'did:web:someone-else.example' }));
      expectDecision(d, 'not-applicable', 'NO_RULE_APPLIES');
      expect(d.trace.rules[0]?.notApplicable).to.equal(
        'the rule is assigned by did:web:provider.example, not did:web:someone-else.example',
      );
    });
  });

  describe('policy-level target, assignee, assigner and action are inherited by rules', () => {
    const p = {
      uid: 'urn:test:inherit',
      target: 'urn:dataset:1',
      assignee: 'did:web:hospital.example',
      assigner: 'did:web:provider.example',
      action: 'read',
      permission: [{ constraint: [c('count', 'lteq', 5)] }],
    };
    const ok = req({
      action: 'read',
      target: 'urn:dataset:1',
      assignee: 'did:web:hospital.example',
      assigner: 'did:web:provider.example',
      count: 1,
    });
    it('a request matching all of them', async () => {
      const d = await decide(p, ok);
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.trace.rules[0]).to.include({
        action: 'read',
        target: 'urn:dataset:1',
        assignee: 'did:web:hospital.example',
      });
    });
    it('another action, target, assignee or assigner', async () => {
      for (const change of [
        { action: 'use' },
        { target: 'urn:dataset:2' },
        { assignee: 'did:web:bank.example' },
        { assigner: 'did:web:other.example' },
      ]) {
        expectDecision(await decide(p, { ...ok, ...change }), 'not-applicable', 'NO_RULE_APPLIES');
      }
    });
    it('a rule’s own target overrides the policy’s', async () => {
      const q = { ...p, permission: [{ target: 'urn:dataset:2' }] };
      expectDecision(await decide(q, { ...ok, target: 'urn:dataset:2' }), 'permit', 'PERMITTED');
      expectDecision(await decide(q, ok), 'not-applicable', 'NO_RULE_APPLIES');
    });
    it('inherited into prohibitions too', async () => {
      const { permission: _unused, ...rest } = p;
      const q = { ...rest, prohibition: [{}] };
      expectDecision(await decide(q, ok), 'deny', 'PROHIBITED');
      expectDecision(
        await decide(q, { ...ok, target: 'urn:dataset:2' }),
        'not-applicable',
        'NO_RULE_APPLIES',
      );
    });
  });

  describe('a rule with several actions is split into one rule per action', () => {
    const p = allow({
      uid: 'urn:rule:read-print',
      action: ['read', 'print'],
      constraint: [c('count', 'lteq', 2)],
    });
    it('each action is permitted on its own', async () => {
      expectDecision(await decide(p, req({ action: 'read', count: 1 })), 'permit', 'PERMITTED');
      expectDecision(await decide(p, req({ action: 'print', count: 1 })), 'permit', 'PERMITTED');
      expectDecision(await decide(p, req({ action: 'print', count: 3 })), 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });
    it('an action listed in neither does not apply, and the trace shows both atomic rules', async () => {
      const d = await decide(p, req({ action: 'distribute', count: 1 }));
      expectDecision(d, 'not-applicable', 'NO_RULE_APPLIES');
      expect(d.trace.rules.map((r) => [r.uid, r.path, r.action, r.outcome])).to.deep.equal([
        ['urn:rule:read-print', '/permission/0', 'read', 'not-applicable'],
        ['urn:rule:read-print', '/permission/0', 'print', 'not-applicable'],
      ]);
    });
  });

  it('hierarchies come from the vocabularies the caller gives', async () => {
    const p = allow({ action: 'use', constraint: [c('purpose', 'isA', 'medical-research')] });
    const genomics = req({ purpose: 'genomics' });
    // Outside the default vocabulary "genomics" could be anything: refused, not compared.
    expectDecision(await decide(p, genomics), 'deny', 'INVALID_REQUEST');
    const vocabularies = compileVocabularies({
      purposes: { 'medical-research': [], genomics: ['medical-research'] },
    });
    const { policy, ok } = await compilePolicy(p, { vocabularies });
    expect(ok).to.equal(true);
    expectDecision(policy.evaluate(genomics), 'permit', 'PERMITTED');
    // The caller's vocabulary replaced the default purposes: clinical-research is no term of it.
    expectDecision(policy.evaluate(req({ purpose: 'clinical-research' })), 'deny', 'INVALID_REQUEST');
  });

  it('an action refinement is a condition of the rule', async () => {
    const p = allow({ action: [{ value: 'print', refinement: [c('count', 'lteq', 10)] }] });
    const d = await decide(p, req({ action: 'print', count: 11 }));
    expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
    expect(d.trace.rules[0]?.constraints[0]).to.include({
      role: 'refinement of action print',
      outcome: 'not-satisfied',
    });
    expectDecision(await decide(p, req({ action: 'print', count: 10 })), 'permit', 'PERMITTED');
  });
});
