// Deferred operands: at contract negotiation the provider cannot know the purpose, the place or the
// number of uses yet. Deferring them lets the permission be agreed; a value given is still judged, and
// a prohibition on a deferred operand does not fire until use time.
import { expect } from 'chai';
import { explain } from '../../policies/index.js';
import { c, decide, expectDecision, req, typed } from './helpers.js';

const USE_TIME = ['purpose', 'spatial', 'count', 'elapsedTime'];

const offer = {
  uid: 'urn:test:deferred',
  permission: [
    {
      action: 'use',
      constraint: [
        c('shuyu:sector', 'isA', 'medical'),
        c('purpose', 'isA', 'scientific-research'),
        c('spatial', 'isPartOf', 'CN'),
        c('count', 'lteq', typed('10', 'xsd:integer')),
      ],
    },
  ],
  prohibition: [{ action: 'use', constraint: [c('purpose', 'isA', 'marketing')] }],
};

const member = { claims: { sectors: ['medical'] } };

describe('policies: deferred (use-time) operands', () => {
  it('without deferral, missing use-time facts deny with MISSING_INFORMATION', async () => {
    expectDecision(await decide(offer, req(member)), 'deny', 'MISSING_INFORMATION');
  });

  it('deferred, the claims alone decide: permitted, and the trace says what waits for use time', async () => {
    const d = await decide(offer, req({ ...member, deferred: USE_TIME }));
    expectDecision(d, 'permit', 'PERMITTED');
    expect(explain(d)).to.match(/purpose of use is decided at use time/);
  });

  it('deferred, claims that fail still deny', async () => {
    const d = await decide(offer, req({ claims: { sectors: ['energy'] }, deferred: USE_TIME }));
    expectDecision(d, 'deny', 'CONSTRAINT_NOT_SATISFIED');
  });

  it('a value given for a deferred operand is judged as usual, prohibitions included', async () => {
    expectDecision(
      await decide(offer, req({ ...member, deferred: USE_TIME, purpose: 'targeted-advertising' })),
      'deny',
      'PROHIBITED',
    );
    expectDecision(
      await decide(offer, req({ ...member, deferred: USE_TIME, spatial: 'DE' })),
      'deny',
      'CONSTRAINT_NOT_SATISFIED',
    );
  });

  it('deferring an operand the policy does not use changes nothing; unknown names are ignored', async () => {
    const d = await decide(offer, req({ ...member, deferred: ['meteredTime', 'no-such-operand'] }));
    expectDecision(d, 'deny', 'MISSING_INFORMATION');
  });
});
