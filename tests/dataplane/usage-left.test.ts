// What is left of an agreement, from the policy's count and time limits and the uses so far: the
// numbers the provider sends in Shuyu-Uses-Remaining / Shuyu-Uses-Limit / Shuyu-Use-Until, and how a
// consumer reads them back.
import { expect } from 'chai';
import { usageLeft, usageLeftFromHeaders, usageLeftHeaders } from '../../connector/dataplane/index.js';
import { compilePolicySync } from '../../policies/index.js';

const permission = (...constraint: object[]) => ({ action: 'use', constraint });
const policyOf = (...permissions: object[]) => compilePolicySync({ permission: permissions }).policy.policy;
const count = (operator: string, n: number) => ({
  leftOperand: 'count',
  operator,
  rightOperand: { '@value': String(n), '@type': 'xsd:integer' },
});
const date = (operator: string, value: string, type = 'xsd:dateTime') => ({
  leftOperand: 'dateTime',
  operator,
  rightOperand: { '@value': value, '@type': type },
});
const elapsed = (value: string) => ({
  leftOperand: 'elapsedTime',
  operator: 'lteq',
  rightOperand: { '@value': value, '@type': 'xsd:duration' },
});

describe('dataplane: usage left', () => {
  it('counts down a count limit (lteq, lt, eq) and never below zero', () => {
    expect(usageLeft(policyOf(permission(count('lteq', 10))), 3)).to.deep.equal({ limit: 10, remaining: 7 });
    expect(usageLeft(policyOf(permission(count('lt', 10))), 3)).to.deep.equal({ limit: 9, remaining: 6 });
    expect(usageLeft(policyOf(permission(count('eq', 2))), 5)).to.deep.equal({ limit: 2, remaining: 0 });
    // A lower bound is no limit.
    expect(usageLeft(policyOf(permission(count('gteq', 2))), 5)).to.deep.equal({});
  });

  it('ends at the policy’s date, or a duration after the first use', () => {
    expect(usageLeft(policyOf(permission(date('lteq', '2026-12-31T23:59:00+08:00'))), 0)).to.deep.equal({
      until: '2026-12-31T15:59:00.000Z',
    });
    // Until a whole day: its last millisecond; before a day: the one before it starts.
    expect(usageLeft(policyOf(permission(date('lteq', '2026-12-31+08:00', 'xsd:date'))), 0).until).to.equal(
      '2026-12-31T15:59:59.999Z',
    );
    expect(usageLeft(policyOf(permission(date('lt', '2027-01-01+08:00', 'xsd:date'))), 0).until).to.equal(
      '2026-12-31T15:59:59.999Z',
    );
    const firstUse = new Date('2026-01-31T00:00:00Z');
    expect(usageLeft(policyOf(permission(elapsed('P30D'))), 1, firstUse).until).to.equal(
      '2026-03-02T00:00:00.000Z',
    );
    // A month is as long as its shortest (28 days): the earliest the engine may refuse.
    expect(usageLeft(policyOf(permission(elapsed('P1M'))), 1, firstUse).until).to.equal(
      '2026-02-28T00:00:00.000Z',
    );
    // Before the first use the clock has not started.
    expect(usageLeft(policyOf(permission(elapsed('P30D'))), 0)).to.deep.equal({});
    // The tighter of two time limits.
    expect(
      usageLeft(policyOf(permission(elapsed('P30D'), date('lt', '2026-02-01T00:00:00Z'))), 1, firstUse).until,
    ).to.equal('2026-01-31T23:59:59.999Z');
  });

  it('takes the most generous of several permissions, and nothing from a policy that permits nothing', () => {
    expect(usageLeft(policyOf(permission(count('lteq', 2)), permission(count('lteq', 5))), 1)).to.deep.equal({
      limit: 5,
      remaining: 4,
    });
    expect(usageLeft(policyOf(permission(count('lteq', 2)), permission()), 1)).to.deep.equal({});
    expect(usageLeft(undefined, 1)).to.deep.equal({});
  });

  it('writes the headers and reads them back; a consumer ignores malformed values', () => {
    const left = { limit: 10, remaining: 7, until: '2026-12-31T15:59:00.000Z' };
    const headers = usageLeftHeaders(left);
    expect(headers).to.deep.equal({
      'Shuyu-Uses-Remaining': '7',
      'Shuyu-Uses-Limit': '10',
      'Shuyu-Use-Until': '2026-12-31T15:59:00.000Z',
    });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(usageLeftFromHeaders((name) => lower[name])).to.deep.equal(left);
    expect(usageLeftFromHeaders(() => undefined)).to.equal(undefined);
    const bad: Record<string, string> = {
      'shuyu-uses-remaining': '-1',
      'shuyu-uses-limit': 'ten',
      'shuyu-use-until': 'soon',
    };
    expect(usageLeftFromHeaders((name) => bad[name])).to.equal(undefined);
  });
});
