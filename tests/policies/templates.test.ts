// The four sector templates (policies/templates/) against their sample requests and against what
// policies/templates/README.md promises each one allows and refuses.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { EvaluationRequest } from '../../policies/index.js';
import { compiled, expectDecision } from './helpers.js';

const read = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../policies/templates/${path}`, import.meta.url), 'utf8'));
const template = (sector: string) => compiled(read(`${sector}.json`));
const request = (name: string) => read(`requests/${name}.json`) as EvaluationRequest;
const duties = (d: { duties: readonly { uid?: string; state: string }[] }) =>
  d.duties.map((x) => `${x.uid?.replace(/^urn:shuyu:template:/, '')}:${x.state}`);

describe('policies/templates', () => {
  describe('sample requests', () => {
    const cases: [string, string[], string][] = [
      [
        'medical',
        ['medical:duty:anonymize:pending', 'medical:duty:delete:pending'],
        'CONSTRAINT_NOT_SATISFIED',
      ],
      ['finance', ['finance:duty:pay:fulfilled'], 'CONSTRAINT_NOT_SATISFIED'],
      ['energy', ['energy:duty:attribute:pending'], 'CONSTRAINT_NOT_SATISFIED'],
      ['education', ['education:duty:anonymize:pending', 'education:duty:inform:pending'], 'PROHIBITED'],
    ];
    for (const [sector, permitDuties, denyCode] of cases) {
      it(`${sector}: the permitted request is permitted with its duties`, async () => {
        const d = (await template(sector)).evaluate(request(`${sector}-permit`));
        expectDecision(d, 'permit', 'PERMITTED');
        expect(duties(d)).to.deep.equal(permitDuties);
      });
      it(`${sector}: the refused request is refused`, async () => {
        expectDecision(
          (await template(sector)).evaluate(request(`${sector}-deny`)),
          'deny',
          denyCode as 'PROHIBITED',
        );
      });
    }
  });

  describe('medical', () => {
    const base = request('medical-permit');
    it('refuses an insurer cleared only for general data (the sample refusal)', async () => {
      const d = (await template('medical')).evaluate(request('medical-deny'));
      const failing = d.trace.rules[0]?.constraints
        .filter((t) => t.outcome !== 'satisfied')
        .map((t) => t.constraint);
      expect(failing).to.deep.equal([
        'shuyu:sectorRole isAnyOf [hospital, research-institute]',
        'shuyu:dataGradeClearance gteq important',
        'purpose isA scientific-research',
      ]);
    });
    it('refuses use outside China, before 2026 (Beijing time) or after 180 days', async () => {
      const p = await template('medical');
      expectDecision(p.evaluate({ ...base, spatial: ['CN-BJ', 'SG'] }), 'deny', 'CONSTRAINT_NOT_SATISFIED');
      expectDecision(
        p.evaluate({ ...base, time: '2025-12-31T15:59:59Z' }),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
      expectDecision(p.evaluate({ ...base, time: '2025-12-31T16:00:00Z' }), 'permit', 'PERMITTED');
      expectDecision(
        p.evaluate({ ...base, time: '2027-12-31T16:00:00Z' }),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
      expectDecision(p.evaluate({ ...base, elapsedTime: 'P181D' }), 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });
    it('refuses onward distribution', async () => {
      expect((await template('medical')).evaluate({ ...base, action: 'distribute' }).decision).to.equal(
        'deny',
      );
    });
  });

  describe('finance', () => {
    const base = request('finance-permit');
    it('the payment is a pending duty until reported, with its amount', async () => {
      const d = (await template('finance')).evaluate({ ...base, duties: {} });
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.duties.map((x) => [x.action, x.state, x.refinements])).to.deep.equal([
        ['compensate', 'pending', ['payAmount eq 5000.00 CNY']],
      ]);
    });
    it('refuses level-2 clearance, distribution and sale', async () => {
      const p = await template('finance');
      expectDecision(
        p.evaluate({ ...base, claims: { ...base.claims, dataGradeClearance: 'JR-L2' } }),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
      expect(p.evaluate({ ...base, action: 'distribute' }).decision).to.equal('deny');
      expectDecision(p.evaluate({ ...base, action: 'sell' }), 'deny', 'PROHIBITED');
    });
    it('refuses after 30 days of use', async () => {
      expectDecision(
        (await template('finance')).evaluate({ ...base, elapsedTime: 'P31D' }),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
    });
  });

  describe('energy', () => {
    const base = request('energy-permit');
    it('until July 2027, Beijing time', async () => {
      const p = await template('energy');
      expectDecision(p.evaluate({ ...base, time: '2027-06-30T15:59:59Z' }), 'permit', 'PERMITTED');
      expectDecision(
        p.evaluate({ ...base, time: '2027-06-30T16:00:00Z' }),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
    });
    it('refuses transfer', async () => {
      expectDecision(
        (await template('energy')).evaluate({ ...base, action: 'transfer' }),
        'deny',
        'PROHIBITED',
      );
    });
  });

  describe('education', () => {
    const base = request('education-permit');
    const withRoles = (sectorRoles: string[], purpose = 'academic-research'): EvaluationRequest => ({
      ...base,
      purpose,
      claims: { ...base.claims, sectorRoles },
    });
    it('a school may use the data for teaching improvement but not for academic research', async () => {
      const p = await template('education');
      expectDecision(p.evaluate(withRoles(['school'], 'educational-assessment')), 'permit', 'PERMITTED');
      expectDecision(p.evaluate(withRoles(['school'])), 'deny', 'CONSTRAINT_NOT_SATISFIED');
    });
    it('marketing is prohibited even for a university (conflict strategy prohibit)', async () => {
      expectDecision(
        (await template('education')).evaluate(withRoles(['university'], 'targeted-advertising')),
        'deny',
        'PROHIBITED',
      );
    });
    // README: "universities also for academic research". The template writes the university test as
    // `shuyu:sectorRole hasPart university`, which holds for any held role at or *above* university
    // in the role hierarchy (research-institute, education-body), not only for universities.
    it('only universities get academic research (not a school that is also a research institute)', async () => {
      const p = await template('education');
      expectDecision(
        p.evaluate(withRoles(['school', 'research-institute'])),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
      expectDecision(
        p.evaluate(withRoles(['education-authority', 'education-body'])),
        'deny',
        'CONSTRAINT_NOT_SATISFIED',
      );
    });
  });
});
