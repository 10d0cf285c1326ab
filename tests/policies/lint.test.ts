// Lint warnings: each code fires on a minimal policy that has the flaw, with its JSON pointer, and
// stays silent on the clean variant. `now` is always given, never the wall clock.
import { expect } from 'chai';
import {
  checkPolicy,
  compilePolicy,
  defaultVocabularies,
  lintPolicy,
  type PolicyProblem,
} from '../../policies/index.js';
import { c, decide, expectDecision, type Json, type JsonObject, req, T_MS, typed } from './helpers.js';

/** Lint report of a policy that must compile, at the fixed "now" (2026-06-01). */
async function lint(policy: JsonObject, now = T_MS): Promise<PolicyProblem[]> {
  const result = await checkPolicy(policy, { now });
  expect(result.problems, JSON.stringify(result.problems)).to.deep.equal([]);
  for (const p of result.report) expect(p.severity).to.equal('warning');
  return [...result.report];
}

function only(report: PolicyProblem[], code: string): PolicyProblem[] {
  return report.filter((p) => p.code === code);
}

/** A permission that is neither unconstrained nor anonymous, with the given constraints. */
function rule(constraint: Json[], extra: JsonObject = {}): JsonObject {
  return {
    uid: 'urn:test:lint',
    permission: [{ action: 'use', assignee: 'did:web:consumer.example', constraint }],
    ...extra,
  };
}

describe('policies/lint', () => {
  it('a clean policy has no warnings', async () => {
    const report = await lint(
      rule([
        c('dateTime', 'gteq', typed('2026-01-01T00:00:00+08:00', 'xsd:dateTime')),
        c('dateTime', 'lt', '2028-01-01T00:00:00Z'),
        c('purpose', 'isA', 'scientific-research'),
        c('spatial', 'isPartOf', 'CN'),
      ]),
    );
    expect(report).to.deep.equal([]);
  });

  it('checkPolicy reports compile errors and lints the parts that compiled, in one pass', async () => {
    const result = await checkPolicy(
      { permission: [{ action: 'use', constraint: [c('sector', 'eq', 'x')] }] },
      { now: T_MS },
    );
    expect(result.ok).to.equal(false);
    expect(result.lintedPartly).to.equal(true);
    // not LINT_UNCONSTRAINED: the constraint was left out because it did not compile
    expect(result.report.map((p) => p.code)).to.deep.equal(['ERR_UNKNOWN_LEFT_OPERAND', 'LINT_NO_UID']);
  });

  it('lintPolicy can be called on a compiled model directly', async () => {
    const { policy } = await compilePolicy({ permission: [{ action: 'use' }] });
    const report = lintPolicy(policy.policy as NonNullable<typeof policy.policy>, defaultVocabularies(), {
      now: T_MS,
    });
    expect(report.map((p) => p.code)).to.deep.equal(['LINT_NO_UID', 'LINT_UNCONSTRAINED']);
  });

  describe('LINT_NO_UID', () => {
    it('fires without uid / @id', async () => {
      const { uid: _uid, ...anonymous } = rule([]);
      const report = await lint(anonymous);
      expect(only(report, 'LINT_NO_UID').map((p) => p.path)).to.deep.equal(['']);
    });
    it('is silent with @id', async () => {
      const { uid: _uid, ...anonymous } = rule([]);
      expect(only(await lint({ ...anonymous, '@id': 'urn:x' }), 'LINT_NO_UID')).to.deep.equal([]);
    });
  });

  describe('LINT_UNSATISFIABLE', () => {
    const cases: [string, Json[]][] = [
      [
        'dateTime after B and before A with B later than A',
        [c('dateTime', 'gt', '2027-01-01T00:00:00Z'), c('dateTime', 'lt', '2026-12-01T00:00:00Z')],
      ],
      [
        'dateTime gteq and lt the same instant',
        [c('dateTime', 'gteq', '2027-01-01T00:00:00Z'), c('dateTime', 'lt', '2027-01-01T00:00:00Z')],
      ],
      ['eq X and eq Y', [c('count', 'eq', 1), c('count', 'eq', 2)]],
      ['eq X and neq X', [c('version', 'eq', '2.0'), c('version', 'neq', '2.0')]],
      ['eq below a lower bound', [c('count', 'eq', 3), c('count', 'gt', 3)]],
      [
        'purpose isA two disjoint classes',
        [c('purpose', 'isA', 'marketing'), c('purpose', 'isA', 'scientific-research')],
      ],
      [
        'spatial isPartOf two disjoint regions',
        [c('spatial', 'isPartOf', 'CN'), c('spatial', 'isPartOf', 'EU')],
      ],
      ['conflicting bounds inside an and', [{ and: [c('count', 'lt', 2), c('count', 'gt', 5)] }]],
    ];
    for (const [name, constraints] of cases) {
      it(`fires: ${name}`, async () => {
        const found = only(await lint(rule(constraints)), 'LINT_UNSATISFIABLE');
        expect(found.map((p) => p.path)).to.deep.equal(['/permission/0']);
        expect(found[0]?.message).to.match(/^this permission can never be satisfied: .* exclude each other/);
      });
    }
    it('names the two constraints', async () => {
      const [p] = only(await lint(rule([c('count', 'eq', 1), c('count', 'eq', 2)])), 'LINT_UNSATISFIABLE');
      expect(p?.message).to.equal(
        'this permission can never be satisfied: count eq 1 and count eq 2 exclude each other',
      );
    });

    const satisfiable: [string, Json[]][] = [
      [
        'a proper time window',
        [c('dateTime', 'gt', '2026-01-01T00:00:00Z'), c('dateTime', 'lt', '2027-01-01T00:00:00Z')],
      ],
      [
        'gteq and lteq the same day',
        [
          c('dateTime', 'gteq', typed('2026-07-01Z', 'xsd:date')),
          c('dateTime', 'lteq', typed('2026-07-01Z', 'xsd:date')),
        ],
      ],
      [
        'purpose isA two overlapping classes (drug-development is both)',
        [c('purpose', 'isA', 'medical-research'), c('purpose', 'isA', 'commercial-research')],
      ],
      ['two sectors held at once', [c('shuyu:sector', 'eq', 'medical'), c('shuyu:sector', 'eq', 'finance')]],
      ['alternatives in an or', [{ or: [c('count', 'lt', 2), c('count', 'gt', 5)] }]],
      ['bounds on different operands', [c('count', 'lt', 2), c('percentage', 'gt', 5)]],
    ];
    for (const [name, constraints] of satisfiable) {
      it(`is silent: ${name}`, async () => {
        expect(only(await lint(rule(constraints)), 'LINT_UNSATISFIABLE')).to.deep.equal([]);
      });
    }

    // From the start of 1 June (an xsd:date) until noon that day: satisfiable, and the engine permits
    // at 06:00Z. A date bound is the whole day, so a date and an instant inside it compare "equal".
    it('is silent: from the start of a day (xsd:date) until noon that day (xsd:dateTime)', async () => {
      const window = [
        c('dateTime', 'gteq', typed('2026-07-01Z', 'xsd:date')),
        c('dateTime', 'lt', '2026-07-01T12:00:00Z'),
      ];
      expectDecision(
        await decide(
          rule(window),
          req({ assignee: 'did:web:consumer.example', time: '2026-07-01T06:00:00Z' }),
        ),
        'permit',
        'PERMITTED',
      );
      expect(only(await lint(rule(window)), 'LINT_UNSATISFIABLE')).to.deep.equal([]);
    });
  });

  describe('LINT_EXPIRED', () => {
    const ended = rule([
      c('dateTime', 'gteq', '2025-01-01T00:00:00Z'),
      c('dateTime', 'lt', '2026-01-01T00:00:00Z'),
    ]);
    it('fires when the window ended before now', async () => {
      const found = only(await lint(ended), 'LINT_EXPIRED');
      expect(found.map((p) => p.path)).to.deep.equal(['/permission/0/constraint/1']);
      expect(found[0]?.message).to.include('2026-01-01T00:00:00Z');
    });
    it('is silent while the window is open', async () => {
      expect(only(await lint(ended, Date.parse('2025-06-01T00:00:00Z')), 'LINT_EXPIRED')).to.deep.equal([]);
    });
    it('an lteq xsd:date ends when the day ends', async () => {
      const lastDay = rule([c('dateTime', 'lteq', typed('2026-05-31Z', 'xsd:date'))]);
      expect(only(await lint(lastDay, Date.parse('2026-05-31T23:00:00Z')), 'LINT_EXPIRED')).to.deep.equal([]);
      expect(only(await lint(lastDay, Date.parse('2026-06-01T00:00:00Z')), 'LINT_EXPIRED')).to.have.length(1);
    });
  });

  describe('LINT_UNCONSTRAINED', () => {
    it('fires for a permission without constraints or assignee', async () => {
      const found = only(
        await lint({ uid: 'urn:x', permission: [{ action: 'read' }] }),
        'LINT_UNCONSTRAINED',
      );
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([
        ['/permission/0', 'this permission has no constraints and no assignee: anyone may read'],
      ]);
    });
    it('is silent with an assignee, a constraint or an action refinement', async () => {
      const permissions: JsonObject[] = [
        { action: 'read', assignee: 'did:web:a.example' },
        { action: 'read', constraint: [c('count', 'lteq', 3)] },
        { action: { value: 'read', refinement: [c('count', 'lteq', 3)] } },
      ];
      for (const permission of permissions) {
        expect(
          only(await lint({ uid: 'urn:x', permission: [permission] }), 'LINT_UNCONSTRAINED'),
        ).to.deep.equal([]);
      }
    });
  });

  describe('LINT_UNKNOWN_TERM', () => {
    it('fires for a purpose, region or sector outside the vocabularies', async () => {
      const found = only(
        await lint(
          rule([
            c('purpose', 'isA', 'science'),
            c('spatial', 'isAnyOf', ['CN', 'Atlantis']),
            c('shuyu:sector', 'isA', 'health'),
          ]),
        ),
        'LINT_UNKNOWN_TERM',
      );
      expect(found.map((p) => p.path)).to.deep.equal([
        '/permission/0/constraint/0',
        '/permission/0/constraint/1',
        '/permission/0/constraint/2',
      ]);
      expect(found[0]?.message).to.include('"science" is not in the purposes vocabulary');
    });
    it('is silent for known terms and for operands without a vocabulary', async () => {
      expect(
        only(
          await lint(
            rule([c('purpose', 'isA', 'clinical-research'), c('recipient', 'eq', 'did:web:x.example')]),
          ),
          'LINT_UNKNOWN_TERM',
        ),
      ).to.deep.equal([]);
    });
  });

  describe('LINT_NO_TIMEZONE', () => {
    it('fires for a date-time without a zone', async () => {
      const found = only(await lint(rule([c('dateTime', 'lt', '2027-01-01T00:00:00')])), 'LINT_NO_TIMEZONE');
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([
        [
          '/permission/0/constraint/0',
          '2027-01-01T00:00:00 has no time zone and is read as UTC; write Z or an offset such as +08:00',
        ],
      ]);
    });
    it('is silent with Z or an offset', async () => {
      const report = await lint(
        rule([
          c('dateTime', 'gt', '2026-01-01T00:00:00Z'),
          c('dateTime', 'lt', '2027-01-01T00:00:00+08:00'),
          c('dateTime', 'neq', typed('2026-10-01+08:00', 'xsd:date')),
        ]),
      );
      expect(only(report, 'LINT_NO_TIMEZONE')).to.deep.equal([]);
    });
    // docs/policies.md: "A date or date-time without a zone is read as UTC (`policy check` warns)".
    it('fires for an xsd:date without a zone', async () => {
      const found = only(
        await lint(rule([c('dateTime', 'lt', typed('2027-01-01', 'xsd:date'))])),
        'LINT_NO_TIMEZONE',
      );
      expect(found.map((p) => p.path)).to.deep.equal(['/permission/0/constraint/0']);
    });
  });

  describe('LINT_SET_OPERATOR', () => {
    it('fires for isAllOf / hasPart on declared values', async () => {
      const found = only(
        await lint(rule([c('purpose', 'isAllOf', ['public-health']), c('spatial', 'hasPart', ['CN-BJ'])])),
        'LINT_SET_OPERATOR',
      );
      expect(found.map((p) => p.path)).to.deep.equal([
        '/permission/0/constraint/0',
        '/permission/0/constraint/1',
      ]);
      expect(found[0]?.message).to.include('isAnyOf is usually meant');
    });
    it('is silent for held values and for isAnyOf', async () => {
      const report = await lint(
        rule([
          c('shuyu:credentialType', 'isAllOf', ['MembershipCredential']),
          c('purpose', 'isAnyOf', ['public-health']),
        ]),
      );
      expect(only(report, 'LINT_SET_OPERATOR')).to.deep.equal([]);
    });
  });

  describe('LINT_ALWAYS_CONFLICTS', () => {
    const clash = (conflict?: string, prohibition: JsonObject = { action: 'use' }): JsonObject => ({
      uid: 'urn:x',
      ...(conflict ? { conflict } : {}),
      permission: [{ action: 'use', assignee: 'did:web:a.example', constraint: [c('count', 'lteq', 5)] }],
      prohibition: [prohibition],
    });
    const wording: [string | undefined, string][] = [
      [
        undefined,
        'with the default conflict strategy "invalid" the policy is void for every request the permission covers',
      ],
      [
        'invalid',
        'with the default conflict strategy "invalid" the policy is void for every request the permission covers',
      ],
      ['prohibit', 'with conflict strategy "prohibit" the permission can never be used'],
      ['perm', 'with conflict strategy "perm" the prohibition never takes effect'],
    ];
    for (const [conflict, text] of wording) {
      it(`fires with ${conflict ?? 'no'} strategy, saying what it means`, async () => {
        const found = only(await lint(clash(conflict)), 'LINT_ALWAYS_CONFLICTS');
        expect(found.map((p) => [p.path, p.message])).to.deep.equal([
          [
            '/prohibition/0',
            `this prohibition of use applies whenever the permission at /permission/0 (use) does: ${text}`,
          ],
        ]);
      });
    }
    it('fires when perm makes an exception (a narrower prohibition) useless', async () => {
      const found = only(await lint(clash('perm', { action: 'distribute' })), 'LINT_ALWAYS_CONFLICTS');
      expect(found.map((p) => p.message)).to.deep.equal([
        'the prohibition of distribute never takes effect: conflict strategy "perm" lets the permission of use at /permission/0 win; use "prohibit" to make it an exception',
      ]);
    });
    it('is silent for a narrower prohibition with prohibit or invalid (an exception)', async () => {
      for (const conflict of ['prohibit', 'invalid']) {
        expect(
          only(await lint(clash(conflict, { action: 'distribute' })), 'LINT_ALWAYS_CONFLICTS'),
        ).to.deep.equal([]);
      }
    });
    it('is silent when the prohibition has its own constraint', async () => {
      const narrow = { action: 'use', constraint: [c('purpose', 'isA', 'marketing')] };
      expect(only(await lint(clash(undefined, narrow)), 'LINT_ALWAYS_CONFLICTS')).to.deep.equal([]);
    });
    it('fires when the prohibition’s constraints are among the permission’s', async () => {
      const same = { action: 'use', constraint: [c('count', 'lteq', 5)] };
      expect(only(await lint(clash(undefined, same)), 'LINT_ALWAYS_CONFLICTS')).to.have.length(1);
    });
    it('is silent for different targets', async () => {
      const p = clash();
      const q = {
        ...p,
        permission: [{ action: 'use', target: 'urn:dataset:1', assignee: 'did:web:a.example' }],
        prohibition: [{ action: 'use', target: 'urn:dataset:2' }],
      };
      expect(only(await lint(q), 'LINT_ALWAYS_CONFLICTS')).to.deep.equal([]);
    });
  });

  describe('LINT_AGREEMENT_INCOMPLETE', () => {
    const complete = {
      uid: 'urn:agreement:1',
      '@type': 'Agreement',
      target: 'urn:dataset:1',
      assigner: 'did:web:provider.example',
      assignee: 'did:web:consumer.example',
      permission: [{ action: 'use' }],
    };
    it('is silent when target, assigner and assignee are named', async () => {
      expect(only(await lint(complete), 'LINT_AGREEMENT_INCOMPLETE')).to.deep.equal([]);
    });
    it('fires naming what is missing', async () => {
      const { assigner: _a, assignee: _b, ...partial } = complete;
      const found = only(await lint(partial), 'LINT_AGREEMENT_INCOMPLETE');
      expect(found).to.have.length(1);
      expect(found[0]?.path).to.equal('');
      expect(found[0]?.message).to.match(/^an Agreement must name its assigner, assignee /);
    });
    it('does not apply to a Set', async () => {
      const { assigner: _a, ...partial } = complete;
      expect(only(await lint({ ...partial, '@type': 'Set' }), 'LINT_AGREEMENT_INCOMPLETE')).to.deep.equal([]);
    });
  });

  describe('LINT_OFFER_EMPTY and LINT_OFFER_TARGET', () => {
    const offer = (extra: JsonObject): JsonObject => ({ uid: 'urn:offer:1', '@type': 'Offer', ...extra });
    it('fires for an offer with only obligations', async () => {
      const found = only(await lint(offer({ obligation: [{ action: 'compensate' }] })), 'LINT_OFFER_EMPTY');
      expect(found.map((p) => [p.path, p.message])).to.deep.equal([
        ['', 'a DSP catalog offer needs at least one permission or prohibition; this one would be empty'],
      ]);
    });
    it('fires when every permission is unsatisfiable or expired', async () => {
      const found = only(
        await lint(
          offer({
            permission: [
              { action: 'use', constraint: [c('count', 'eq', 1), c('count', 'eq', 2)] },
              { action: 'read', constraint: [c('dateTime', 'lt', '2026-01-01T00:00:00Z')] },
            ],
          }),
        ),
        'LINT_OFFER_EMPTY',
      );
      expect(found.map((p) => p.message)).to.deep.equal([
        'no permission of this offer can ever be satisfied: in a DSP catalog it offers nothing',
      ]);
    });
    it('is silent when one permission can still be satisfied', async () => {
      const report = await lint(
        offer({
          permission: [
            { action: 'use', constraint: [c('count', 'eq', 1), c('count', 'eq', 2)] },
            { action: 'read', constraint: [c('count', 'lteq', 2)] },
          ],
        }),
      );
      expect(only(report, 'LINT_OFFER_EMPTY')).to.deep.equal([]);
      expect(only(report, 'LINT_OFFER_TARGET')).to.deep.equal([]);
    });
    it('LINT_OFFER_TARGET fires for a target at policy or rule level', async () => {
      for (const o of [
        offer({
          target: 'urn:dataset:1',
          permission: [{ action: 'use', constraint: [c('count', 'lteq', 2)] }],
        }),
        offer({
          permission: [{ action: 'use', target: 'urn:dataset:1', constraint: [c('count', 'lteq', 2)] }],
        }),
      ]) {
        expect(only(await lint(o), 'LINT_OFFER_TARGET').map((p) => p.path)).to.deep.equal(['']);
      }
    });
    it('offer checks do not apply to a Set', async () => {
      const report = await lint({
        uid: 'urn:x',
        target: 'urn:dataset:1',
        obligation: [{ action: 'compensate' }],
      });
      expect(only(report, 'LINT_OFFER_EMPTY')).to.deep.equal([]);
      expect(only(report, 'LINT_OFFER_TARGET')).to.deep.equal([]);
    });
  });

  it('the sector templates lint clean of errors and of unsatisfiable rules', async () => {
    for (const sector of ['medical', 'finance', 'energy', 'education']) {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(
        new URL(`../../policies/templates/${sector}.json`, import.meta.url),
        'utf8',
      );
      const result = await checkPolicy(text, { now: T_MS });
      expect(result.problems, sector).to.deep.equal([]);
      expect(
        result.report.filter((p) =>
          ['LINT_UNSATISFIABLE', 'LINT_OFFER_EMPTY', 'LINT_UNKNOWN_TERM'].includes(p.code),
        ),
        sector,
      ).to.deep.equal([]);
    }
  });
});
