// The console kit's pure parts: the sign-in throttle's growing back-off on a test clock, and the
// language chosen from Accept-Language.
import { expect } from 'chai';
import { preferredLanguage, SignInThrottle, translator } from '../../connector/console/kit/index.js';

describe('console kit', () => {
  it('lets a few failures through, then doubles the wait after each further one, up to the cap', () => {
    let now = 0;
    const throttle = new SignInThrottle({
      freeFailures: 3,
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      now: () => now,
    });
    const keys = ['address:1.2.3.4'];
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      throttle.failure(keys);
      waits.push(throttle.retryAfter(keys));
      now += waits.at(-1)! * 1000; // the caller waits as told
    }
    expect(waits).to.deep.equal([0, 0, 0, 1, 2, 4, 8, 8]);
  });

  it('blocks an account whichever address the guesses come from, and a success clears only the account', () => {
    const throttle = new SignInThrottle({ freeFailures: 2, now: () => 0 });
    for (let i = 0; i < 3; i++) throttle.failure([`address:10.0.0.${i}`, 'account:wang']);
    expect(throttle.retryAfter(['address:10.0.0.9', 'account:wang'])).to.be.greaterThan(0);
    expect(throttle.retryAfter(['address:10.0.0.9', 'account:li'])).to.equal(0);
    throttle.success(['account:wang']);
    expect(throttle.retryAfter(['address:10.0.0.9', 'account:wang'])).to.equal(0);
  });

  it('speaks Chinese to browsers that prefer any zh variant, English otherwise', () => {
    expect(preferredLanguage('zh-CN,zh;q=0.9,en;q=0.8')).to.equal('zh-CN');
    expect(preferredLanguage('zh-TW')).to.equal('zh-CN');
    expect(preferredLanguage('en-US,en;q=0.9,zh-CN;q=0.8')).to.equal('en');
    expect(preferredLanguage('fr-FR,zh;q=0.5,en;q=0.4')).to.equal('zh-CN');
    expect(preferredLanguage(undefined)).to.equal('en');
    expect(translator('zh-CN')('Signed in as {name}', { name: 'wang' })).to.equal('已登录：wang');
  });
});
