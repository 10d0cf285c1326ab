// The twelve ODRL operators on every kind of operand value: each case is decided once where the
// constraint holds (permit) and once where it does not (deny), and the trace must agree.
import { expect } from 'chai';
import type { DecisionCode, EvaluationRequest } from '../../policies/index.js';
import { c, decide, expectDecision, type JsonObject, permissionWith, req, typed } from './helpers.js';

interface OperatorCase {
  readonly name: string;
  readonly constraint: JsonObject;
  readonly satisfied: Partial<EvaluationRequest>;
  readonly unsatisfied: Partial<EvaluationRequest>;
  /** How the unsatisfied request is denied (default: the constraint is simply false). */
  readonly unsatisfiedCode?: DecisionCode;
}

/** Decides both requests of a case and checks decision, code and the constraint's trace outcome. */
function operatorCase(k: OperatorCase): void {
  describe(k.name, () => {
    const policy = permissionWith([k.constraint]);
    it('permits when the constraint holds', async () => {
      const d = await decide(policy, req(k.satisfied));
      expectDecision(d, 'permit', 'PERMITTED');
      expect(d.trace.rules[0]?.constraints[0]?.outcome).to.equal('satisfied');
    });
    it('denies when it does not', async () => {
      const code = k.unsatisfiedCode ?? 'CONSTRAINT_NOT_SATISFIED';
      const d = await decide(policy, req(k.unsatisfied));
      expectDecision(d, 'deny', code);
      // A malformed request is refused before any rule is looked at: its trace has no rules.
      if (code === 'INVALID_REQUEST') expect(d.trace.rules).to.deep.equal([]);
      else
        expect(d.trace.rules[0]?.constraints[0]?.outcome).to.equal(
          code === 'EVALUATION_ERROR' ? 'error' : 'not-satisfied',
        );
    });
  });
}

const xsdDate = (v: string) => typed(v, 'xsd:date');
const xsdDateTime = (v: string) => typed(v, 'xsd:dateTime');
const xsdDuration = (v: string) => typed(v, 'xsd:duration');

describe('policies/operators', () => {
  describe('eq', () => {
    operatorCase({
      name: 'dateTime eq xsd:date (the whole day)',
      constraint: c('dateTime', 'eq', xsdDate('2026-06-01')),
      satisfied: { time: '2026-06-01T23:59:59.999Z' },
      unsatisfied: { time: '2026-06-02T00:00:00Z' },
    });
    operatorCase({
      name: 'count eq (integer)',
      constraint: c('count', 'eq', 3),
      satisfied: { count: 3 },
      unsatisfied: { count: 4 },
    });
    operatorCase({
      name: 'held sectors eq: one held value is enough ([finance, medical] eq medical)',
      constraint: c('shuyu:sector', 'eq', 'medical'),
      satisfied: { claims: { sectors: ['finance', 'medical'] } },
      unsatisfied: { claims: { sectors: ['finance', 'energy'] } },
    });
    operatorCase({
      name: 'declared purposes eq: every declared value must equal it',
      constraint: c('purpose', 'eq', 'medical-research'),
      satisfied: { purpose: ['medical-research'] },
      unsatisfied: { purpose: ['medical-research', 'marketing'] },
    });
    operatorCase({
      name: 'eq ignores the hierarchy (clinical-research is not eq medical-research)',
      constraint: c('purpose', 'eq', 'medical-research'),
      satisfied: { purpose: 'medical-research' },
      unsatisfied: { purpose: 'clinical-research' },
    });
    operatorCase({
      name: 'grades eq by rank (JR-L4 = general)',
      constraint: c('shuyu:dataGradeClearance', 'eq', 'general'),
      satisfied: { claims: { dataGradeClearance: 'JR-L4' } },
      unsatisfied: { claims: { dataGradeClearance: 'JR-L3' } },
    });
    operatorCase({
      name: 'durations eq when equal at every reference instant (P1D = PT24H)',
      constraint: c('elapsedTime', 'eq', xsdDuration('P1D')),
      satisfied: { elapsedTime: 'PT24H' },
      unsatisfied: { elapsedTime: 'PT23H' },
    });
    operatorCase({
      name: 'IRIs compare in canonical form (dpv: prefix = full IRI)',
      constraint: c('purpose', 'eq', 'dpv:ResearchAndDevelopment'),
      satisfied: { purpose: 'https://w3id.org/dpv#ResearchAndDevelopment' },
      // a term neither the vocabulary nor the policy names is refused, not compared
      unsatisfied: { purpose: 'https://w3id.org/dpv#Marketing' },
      unsatisfiedCode: 'INVALID_REQUEST',
    });
    operatorCase({
      name: 'P1M eq P30D is indeterminate: an error, so deny',
      constraint: c('elapsedTime', 'eq', xsdDuration('P30D')),
      satisfied: { elapsedTime: 'P30D' },
      unsatisfied: { elapsedTime: 'P1M' },
      unsatisfiedCode: 'EVALUATION_ERROR',
    });
  });

  describe('neq', () => {
    operatorCase({
      name: 'declared purposes neq: no declared value equals it',
      constraint: c('purpose', 'neq', 'marketing'),
      satisfied: { purpose: ['medical-research', 'public-health'] },
      unsatisfied: { purpose: ['medical-research', 'marketing'] },
    });
    operatorCase({
      name: 'held credentials neq: the credential is not held',
      constraint: c('shuyu:credentialType', 'neq', 'RevokedMemberCredential'),
      satisfied: { claims: { credentialTypes: ['MembershipCredential', 'SectorCredential'] } },
      unsatisfied: { claims: { credentialTypes: ['MembershipCredential', 'RevokedMemberCredential'] } },
    });
    operatorCase({
      name: 'dateTime neq xsd:date: any instant of that day equals it',
      constraint: c('dateTime', 'neq', xsdDate('2026-06-01')),
      satisfied: { time: '2026-05-31T23:59:59Z' },
      unsatisfied: { time: '2026-06-01T12:00:00Z' },
    });
    operatorCase({
      name: 'count neq',
      constraint: c('count', 'neq', 13),
      satisfied: { count: 12 },
      unsatisfied: { count: 13 },
    });
  });

  describe('lt / lteq / gt / gteq on dateTime (xsd:date is a whole day)', () => {
    operatorCase({
      name: 'lt xsd:date: before the day starts',
      constraint: c('dateTime', 'lt', xsdDate('2026-06-01')),
      satisfied: { time: '2026-05-31T23:59:59.999Z' },
      unsatisfied: { time: '2026-06-01T00:00:00Z' },
    });
    operatorCase({
      name: 'lt xsd:date: an instant inside the day is not before it',
      constraint: c('dateTime', 'lt', xsdDate('2026-06-02')),
      satisfied: { time: '2026-06-01T23:00:00Z' },
      unsatisfied: { time: '2026-06-02T23:00:00Z' },
    });
    operatorCase({
      name: 'lteq xsd:date: until the day ends',
      constraint: c('dateTime', 'lteq', xsdDate('2026-06-01')),
      satisfied: { time: '2026-06-01T23:59:59.999Z' },
      unsatisfied: { time: '2026-06-02T00:00:00Z' },
    });
    operatorCase({
      name: 'gt xsd:date: after the day ends',
      constraint: c('dateTime', 'gt', xsdDate('2026-06-01')),
      satisfied: { time: '2026-06-02T00:00:00Z' },
      unsatisfied: { time: '2026-06-01T23:59:59Z' },
    });
    operatorCase({
      name: 'gteq xsd:date: from the start of the day',
      constraint: c('dateTime', 'gteq', xsdDate('2026-06-01')),
      satisfied: { time: '2026-06-01T00:00:00Z' },
      unsatisfied: { time: '2026-05-31T23:59:59.999Z' },
    });
    operatorCase({
      name: 'gteq xsd:date with a +08:00 zone starts at 16:00Z the day before',
      constraint: c('dateTime', 'gteq', xsdDate('2026-06-01+08:00')),
      satisfied: { time: '2026-05-31T16:00:00Z' },
      unsatisfied: { time: '2026-05-31T15:59:59Z' },
    });
    operatorCase({
      name: 'lt dateTime with an offset compares instants (08:00+08:00 = 00:00Z)',
      constraint: c('dateTime', 'lt', xsdDateTime('2026-06-01T08:00:00+08:00')),
      satisfied: { time: '2026-06-01T07:59:59+08:00' },
      unsatisfied: { time: '2026-06-01T00:00:00Z' },
    });
    operatorCase({
      name: 'a request time without a zone is UTC',
      constraint: c('dateTime', 'lt', '2026-06-01T00:00:00Z'),
      satisfied: { time: '2026-05-31T23:59:59' },
      unsatisfied: { time: '2026-06-01T00:00:00' },
    });
    operatorCase({
      name: 'request time as epoch milliseconds',
      constraint: c('dateTime', 'gteq', '2026-06-01T00:00:00Z'),
      satisfied: { time: Date.parse('2026-06-01T00:00:00Z') },
      unsatisfied: { time: Date.parse('2026-05-31T23:59:59Z') },
    });
    // request/types.ts and docs/policies.md: time is "ISO date-time, epoch milliseconds or Date".
    operatorCase({
      name: 'request time as a Date',
      constraint: c('dateTime', 'gteq', '2026-06-01T00:00:00Z'),
      satisfied: { time: new Date('2026-06-01T00:00:00Z') },
      unsatisfied: { time: new Date('2026-05-31T23:59:59Z') },
    });
  });

  describe('lt / lteq / gt / gteq on integers, decimals, grades and durations', () => {
    operatorCase({
      name: 'count lt',
      constraint: c('count', 'lt', 5),
      satisfied: { count: 4 },
      unsatisfied: { count: 5 },
    });
    operatorCase({
      name: 'count lteq (xsd:integer typed value)',
      constraint: c('count', 'lteq', typed('5', 'xsd:integer')),
      satisfied: { count: 5 },
      unsatisfied: { count: 6 },
    });
    operatorCase({
      name: 'count gt',
      constraint: c('count', 'gt', 5),
      satisfied: { count: 6 },
      unsatisfied: { count: 5 },
    });
    operatorCase({
      name: 'count gteq',
      constraint: c('count', 'gteq', 5),
      satisfied: { count: 5 },
      unsatisfied: { count: 4 },
    });
    operatorCase({
      name: 'payAmount gteq with the same currency',
      constraint: c('payAmount', 'gteq', typed('100.00', 'xsd:decimal'), { unit: 'CNY' }),
      satisfied: { payAmount: { amount: '100', unit: 'CNY' } },
      unsatisfied: { payAmount: { amount: '99.99', unit: 'CNY' } },
    });
    operatorCase({
      name: 'payAmount in another currency is an error, not a comparison',
      constraint: c('payAmount', 'gteq', typed('100.00', 'xsd:decimal'), { unit: 'CNY' }),
      satisfied: { payAmount: { amount: '150', unit: 'CNY' } },
      unsatisfied: { payAmount: { amount: '150', unit: 'USD' } },
      unsatisfiedCode: 'EVALUATION_ERROR',
    });
    operatorCase({
      name: 'payAmount without a currency when the policy names one is an error',
      constraint: c('payAmount', 'gteq', typed('100.00', 'xsd:decimal'), { unit: 'CNY' }),
      satisfied: { payAmount: { amount: 100, unit: 'CNY' } },
      unsatisfied: { payAmount: 150 },
      unsatisfiedCode: 'EVALUATION_ERROR',
    });
    operatorCase({
      name: 'decimals are exact (0.099999999999999999 lt 0.1, which a double cannot tell)',
      constraint: c('percentage', 'lt', typed('0.1', 'xsd:decimal')),
      satisfied: { percentage: '0.099999999999999999' },
      unsatisfied: { percentage: '0.100000000000000000' },
    });
    operatorCase({
      name: 'decimals from JS numbers keep their shortest text (0.1 + 0.2 is not 0.3)',
      constraint: c('percentage', 'lteq', '0.3'),
      satisfied: { percentage: '0.30' },
      unsatisfied: { percentage: 0.1 + 0.2 },
    });
    operatorCase({
      name: 'grades gteq (JR-L5 = important)',
      constraint: c('shuyu:dataGradeClearance', 'gteq', 'important'),
      satisfied: { claims: { dataGradeClearance: 'JR-L5' } },
      unsatisfied: { claims: { dataGradeClearance: 'general' } },
    });
    operatorCase({
      name: 'grades lt (JR-L2 < JR-L3 < general)',
      constraint: c('shuyu:dataGrade', 'lt', 'JR-L3'),
      satisfied: { asset: { dataGrade: 'JR-L2' } },
      unsatisfied: { asset: { dataGrade: 'general' } },
    });
    operatorCase({
      name: 'grades gt (core > important)',
      constraint: c('shuyu:dataGrade', 'gt', 'important'),
      satisfied: { asset: { dataGrade: 'core' } },
      unsatisfied: { asset: { dataGrade: 'JR-L5' } },
    });
    operatorCase({
      name: 'grades lteq (JR-L4 = general)',
      constraint: c('shuyu:dataGrade', 'lteq', 'general'),
      satisfied: { asset: { dataGrade: 'JR-L4' } },
      unsatisfied: { asset: { dataGrade: 'JR-L5' } },
    });
    operatorCase({
      name: 'elapsedTime lt P1M: P27D is shorter at every reference instant',
      constraint: c('elapsedTime', 'lt', xsdDuration('P1M')),
      satisfied: { elapsedTime: 'P27D' },
      unsatisfied: { elapsedTime: 'P32D' },
    });
    operatorCase({
      name: 'elapsedTime lt P1M: P30D is indeterminate (February), so deny',
      constraint: c('elapsedTime', 'lt', xsdDuration('P1M')),
      satisfied: { elapsedTime: 'P27D' },
      unsatisfied: { elapsedTime: 'P30D' },
      unsatisfiedCode: 'EVALUATION_ERROR',
    });
    operatorCase({
      name: 'meteredTime lteq with request seconds',
      constraint: c('meteredTime', 'lteq', xsdDuration('PT3H')),
      satisfied: { meteredTime: 3 * 3600 },
      unsatisfied: { meteredTime: 'PT3H0M1S' },
    });
  });

  describe('isA', () => {
    operatorCase({
      name: 'purpose isA walks the purpose hierarchy',
      constraint: c('purpose', 'isA', 'scientific-research'),
      satisfied: { purpose: 'clinical-research' },
      unsatisfied: { purpose: 'product-development' },
    });
    operatorCase({
      name: 'declared purposes isA: every one must be (medical-research, marketing) → false',
      constraint: c('purpose', 'isA', 'scientific-research'),
      satisfied: { purpose: ['medical-research', 'academic-research'] },
      unsatisfied: { purpose: ['medical-research', 'marketing'] },
    });
    operatorCase({
      name: 'held sectors isA: one is enough (health-insurance isA medical)',
      constraint: c('shuyu:sector', 'isA', 'medical'),
      satisfied: { claims: { sectors: ['banking', 'health-insurance'] } },
      unsatisfied: { claims: { sectors: ['banking', 'insurance'] } },
    });
    operatorCase({
      name: 'held sector roles isA (university isA research-institute)',
      constraint: c('shuyu:sectorRole', 'isA', 'research-institute'),
      satisfied: { claims: { sectorRoles: ['university'] } },
      unsatisfied: { claims: { sectorRoles: ['school'] } },
    });
  });

  describe('isPartOf', () => {
    operatorCase({
      name: 'spatial isPartOf CN (CN ⊃ CN-BJ, and CN itself)',
      constraint: c('spatial', 'isPartOf', 'CN'),
      satisfied: { spatial: ['CN-BJ', 'CN'] },
      unsatisfied: { spatial: ['CN-BJ', 'US'] },
    });
    operatorCase({
      name: 'spatial isPartOf EU (EU members)',
      constraint: c('spatial', 'isPartOf', 'EU'),
      satisfied: { spatial: 'FR' },
      unsatisfied: { spatial: 'NO' },
    });
  });

  describe('hasPart', () => {
    operatorCase({
      name: 'spatial hasPart CN-BJ holds for CN (the listed value lies below the request)',
      constraint: c('spatial', 'hasPart', ['CN-BJ']),
      satisfied: { spatial: 'CN' },
      unsatisfied: { spatial: 'CN-SH' },
    });
    operatorCase({
      name: 'held credentials hasPart: all listed credentials are held',
      constraint: c('shuyu:credentialType', 'hasPart', ['MembershipCredential', 'SectorCredential']),
      satisfied: { claims: { credentialTypes: ['SectorCredential', 'X', 'MembershipCredential'] } },
      unsatisfied: { claims: { credentialTypes: ['MembershipCredential'] } },
    });
  });

  describe('isAllOf', () => {
    operatorCase({
      name: 'held credentials isAllOf',
      constraint: c('shuyu:credentialType', 'isAllOf', ['MembershipCredential', 'SectorCredential']),
      satisfied: {
        claims: { credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'] },
      },
      unsatisfied: { claims: { credentialTypes: ['MembershipCredential', 'DataGradeClearance'] } },
    });
    operatorCase({
      name: 'declared purposes isAllOf: each listed purpose is matched by a declared one (below it)',
      constraint: c('purpose', 'isAllOf', ['medical-research', 'marketing']),
      satisfied: { purpose: ['clinical-research', 'targeted-advertising'] },
      unsatisfied: { purpose: ['clinical-research'] },
    });
  });

  describe('isAnyOf', () => {
    operatorCase({
      name: 'declared purposes isAnyOf: every declared purpose lies in the list',
      constraint: c('purpose', 'isAnyOf', ['medical-research', 'public-health']),
      satisfied: { purpose: ['clinical-research', 'public-health'] },
      unsatisfied: { purpose: ['clinical-research', 'marketing'] },
    });
    operatorCase({
      name: 'held sector roles isAnyOf: one held role in the list is enough',
      constraint: c('shuyu:sectorRole', 'isAnyOf', ['hospital', 'research-institute']),
      satisfied: { claims: { sectorRoles: ['bank', 'medical-research-institute'] } },
      unsatisfied: { claims: { sectorRoles: ['bank', 'school'] } },
    });
    operatorCase({
      name: 'grades isAnyOf compare by rank (JR-L4 is general)',
      constraint: c('shuyu:dataGrade', 'isAnyOf', ['general', 'core']),
      satisfied: { asset: { dataGrade: 'JR-L4' } },
      unsatisfied: { asset: { dataGrade: 'JR-L3' } },
    });
    operatorCase({
      name: 'version isAnyOf (strings)',
      constraint: c('version', 'isAnyOf', ['1.0', '2.0']),
      satisfied: { version: '2.0' },
      unsatisfied: { version: '2.0.1' },
    });
  });

  describe('isNoneOf', () => {
    operatorCase({
      name: 'declared purposes isNoneOf uses the hierarchy (targeted-advertising is marketing)',
      constraint: c('purpose', 'isNoneOf', ['marketing']),
      satisfied: { purpose: ['medical-research', 'public-health'] },
      unsatisfied: { purpose: ['medical-research', 'targeted-advertising'] },
    });
    operatorCase({
      name: 'spatial isNoneOf',
      constraint: c('spatial', 'isNoneOf', ['US', 'EU']),
      satisfied: { spatial: ['CN-BJ', 'JP'] },
      unsatisfied: { spatial: ['CN-BJ', 'DE'] },
    });
    operatorCase({
      name: 'held credentials isNoneOf',
      constraint: c('shuyu:credentialType', 'isNoneOf', ['SanctionedEntityCredential']),
      satisfied: { claims: { credentialTypes: ['MembershipCredential'] } },
      unsatisfied: { claims: { credentialTypes: ['MembershipCredential', 'SanctionedEntityCredential'] } },
    });
  });

  describe('request values of the wrong type are errors (deny), never a silent true', () => {
    operatorCase({
      name: 'count "abc" in the request',
      constraint: c('count', 'lteq', 5),
      satisfied: { count: 5 },
      unsatisfied: { count: 'abc' as unknown as number },
      unsatisfiedCode: 'INVALID_REQUEST',
    });
    operatorCase({
      name: 'a non-integer count',
      constraint: c('count', 'gteq', 1),
      satisfied: { count: 1 },
      unsatisfied: { count: 2.5 },
      unsatisfiedCode: 'INVALID_REQUEST',
    });
    operatorCase({
      name: 'a list for a one-valued operand',
      constraint: c('count', 'neq', 99),
      satisfied: { count: 3 },
      unsatisfied: { count: [3, 4] as unknown as number },
      unsatisfiedCode: 'INVALID_REQUEST',
    });
    operatorCase({
      name: 'an unknown grade in the request',
      constraint: c('shuyu:dataGradeClearance', 'gteq', 'general'),
      satisfied: { claims: { dataGradeClearance: 'important' } },
      unsatisfied: { claims: { dataGradeClearance: 'top-secret' } },
      unsatisfiedCode: 'INVALID_REQUEST',
    });
    operatorCase({
      name: 'a malformed duration in the request',
      constraint: c('elapsedTime', 'lteq', xsdDuration('P30D')),
      satisfied: { elapsedTime: 'P29D' },
      unsatisfied: { elapsedTime: '29 days' },
      unsatisfiedCode: 'INVALID_REQUEST',
    });
  });

  describe('status (the value to use when the request gives none)', () => {
    operatorCase({
      name: 'count lt 10 with status 5',
      constraint: c('count', 'lt', 10, { status: 5 }),
      satisfied: {},
      unsatisfied: { count: 10 },
    });
  });

  describe('rightOperandReference', () => {
    operatorCase({
      name: 'count lteq a referenced value',
      constraint: {
        leftOperand: 'count',
        operator: 'lteq',
        rightOperandReference: 'urn:shuyu:ref:max-calls',
      },
      satisfied: { count: 1000, references: { 'urn:shuyu:ref:max-calls': 1000 } },
      unsatisfied: { count: 1001, references: { 'urn:shuyu:ref:max-calls': 1000 } },
    });
    operatorCase({
      name: 'an unresolved reference is an error',
      constraint: {
        leftOperand: 'count',
        operator: 'lteq',
        rightOperandReference: 'urn:shuyu:ref:max-calls',
      },
      satisfied: { count: 1, references: { 'urn:shuyu:ref:max-calls': '10' } },
      unsatisfied: { count: 1 },
      unsatisfiedCode: 'EVALUATION_ERROR',
    });
  });

  it('explains an indeterminate duration comparison in the trace', async () => {
    const d = await decide(
      permissionWith([c('elapsedTime', 'eq', xsdDuration('P30D'))]),
      req({ elapsedTime: 'P1M' }),
    );
    const t = d.trace.rules[0]?.constraints[0];
    expect(t?.outcome).to.equal('error');
    expect(t?.reason).to.equal('P1M and P30D cannot be compared with eq (their order is indeterminate)');
  });

  it('explains a currency mismatch in the trace', async () => {
    const d = await decide(
      permissionWith([c('payAmount', 'gteq', '100', { unit: 'CNY' })]),
      req({ payAmount: { amount: '500', unit: 'USD' } }),
    );
    expect(d.trace.rules[0]?.constraints[0]?.reason).to.equal(
      "the constraint is in CNY but the request's amount is in USD",
    );
  });
});
