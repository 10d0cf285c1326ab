// The instants at which an access policy's answer may change by itself: every dateTime constraint,
// nested or not, in days or instants; nothing else.
import { expect } from 'chai';
import { compilePolicySync } from '../../policies/index.js';
import { sortedBoundaries, stableInterval, timeBoundaries } from '../../connector/assets/time-bounds.js';

const day = Date.parse('2026-06-02T00:00:00Z');
const instant = Date.parse('2026-07-01T12:00:00Z');

function boundariesOf(policy: object): number[] {
  return [...sortedBoundaries([timeBoundaries(compilePolicySync(policy).policy.policy)])];
}

describe('assets: time bounds of access policies', () => {
  it('collects dateTime constraints inside logical constraints, days as [start, end)', () => {
    const policy = {
      permission: [
        {
          action: 'read',
          constraint: [
            {
              or: [
                {
                  leftOperand: 'dateTime',
                  operator: 'gteq',
                  rightOperand: { '@value': '2026-06-02', '@type': 'xsd:date' },
                },
                {
                  leftOperand: 'shuyu:credentialType',
                  operator: 'hasPart',
                  rightOperand: 'AuditorCredential',
                },
              ],
            },
            { leftOperand: 'dateTime', operator: 'lt', rightOperand: '2026-07-01T12:00:00Z' },
          ],
        },
      ],
    };
    const bounds = boundariesOf(policy);
    for (const t of [day, day + 86_400_000, instant, instant + 1]) expect(bounds).to.include(t);
    // Between two boundaries, decisions hold; at a boundary a new interval starts.
    expect(stableInterval(Float64Array.from(bounds), day + 5)).to.deep.equal({
      from: day + 1,
      until: day + 86_400_000,
    });
    expect(stableInterval(Float64Array.from(bounds), instant).from).to.equal(instant);
    expect(stableInterval(Float64Array.from(bounds), instant + 10).until).to.equal(Infinity);
    expect(stableInterval(Float64Array.from(bounds), 0).from).to.equal(-Infinity);
  });

  it('finds none in a policy that does not read the time', () => {
    const members = {
      permission: [
        {
          action: 'read',
          constraint: [
            {
              leftOperand: 'shuyu:credentialType',
              operator: 'hasPart',
              rightOperand: 'MembershipCredential',
            },
          ],
        },
      ],
    };
    expect(boundariesOf(members)).to.deep.equal([]);
    expect(timeBoundaries(undefined)).to.deep.equal([]);
  });
});
