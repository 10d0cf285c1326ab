// Token buckets and their settings, with a stepped clock: bursts, refill, Retry-After, the LRU bound, and
// the layering of defaults, data space profile and connector.json.
import { expect } from 'chai';
import {
  DEFAULT_RATE_LIMITS,
  NO_RATE_LIMITS,
  parseRateLimits,
  resolveRateLimits,
  TokenBuckets,
} from '../../connector/http/rate-limit/index.js';
import { ConfigError } from '../../connector/process/config.js';
import { parseApplicationLimits } from '../../catalog/authority/application-limits.js';

describe('rate limits: token buckets and settings', () => {
  let now = 0;
  const clock = () => new Date(now);
  beforeEach(() => (now = Date.parse('2026-12-06T00:00:00Z')));

  it('allows a burst, then refuses with the whole seconds until a token is back, per key', () => {
    const buckets = new TokenBuckets({ perSecond: 2, burst: 3 }, { maxKeys: 10, clock });
    for (let i = 0; i < 3; i++) expect(buckets.take('did:web:a')).to.deep.equal({ ok: true });
    expect(buckets.take('did:web:a')).to.deep.equal({ ok: false, retryAfterSeconds: 1 });
    expect(buckets.take('did:web:b')).to.deep.equal({ ok: true }, 'another key has its own bucket');
    now += 499;
    expect(buckets.take('did:web:a').ok).to.equal(false);
    now += 1;
    expect(buckets.take('did:web:a').ok).to.equal(true, 'half a second gives one token back at 2/s');
    expect(buckets.take('did:web:a').ok).to.equal(false);
    now += 60_000;
    for (let i = 0; i < 3; i++) expect(buckets.take('did:web:a').ok).to.equal(true);
    expect(buckets.take('did:web:a').ok).to.equal(false, 'never more than the burst');
  });

  it('says how long a slow bucket needs (an hourly limit: minutes, not one second)', () => {
    const buckets = new TokenBuckets({ perSecond: 5 / 3600, burst: 5 }, { maxKeys: 10, clock });
    for (let i = 0; i < 5; i++) buckets.take('203.0.113.7');
    expect(buckets.take('203.0.113.7')).to.deep.equal({ ok: false, retryAfterSeconds: 720 });
  });

  it('remembers at most maxKeys buckets however many keys come', () => {
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, { maxKeys: 100, clock });
    for (let i = 0; i < 20_000; i++) buckets.take(`did:web:flood-${i}.example`);
    expect(buckets.size).to.equal(100);
    // The most recent keys are still limited; the evicted ones start over with a full bucket.
    buckets.take('did:web:flood-19999.example');
    expect(buckets.take('did:web:flood-19999.example').ok).to.equal(false);
    expect(buckets.take('did:web:flood-0.example').ok).to.equal(true);
  });

  it('perSecond 0 turns a limit off', () => {
    const buckets = new TokenBuckets({ perSecond: 0, burst: 1 }, { maxKeys: 1, clock });
    for (let i = 0; i < 1000; i++) expect(buckets.take('k').ok).to.equal(true);
    expect(buckets.size).to.equal(0);
  });

  it('layers the profile over the defaults and connector.json over both, key by key', () => {
    const profile = parseRateLimits({ dsp: { perSecond: 5, burst: 10 }, maxTrackedKeys: 500 }, 'profile');
    const own = parseRateLimits(
      { dsp: { burst: 20 }, dataPlane: { concurrentStreams: 2 } },
      'connector.json',
    );
    expect(resolveRateLimits(profile, own)).to.deep.equal({
      dsp: { perSecond: 5, burst: 20 },
      dataPlane: { ...DEFAULT_RATE_LIMITS.dataPlane, concurrentStreams: 2 },
      perAddress: DEFAULT_RATE_LIMITS.perAddress,
      maxTrackedKeys: 500,
    });
    expect(resolveRateLimits(undefined, undefined)).to.deep.equal(DEFAULT_RATE_LIMITS);
    expect(resolveRateLimits(NO_RATE_LIMITS).dsp.perSecond).to.equal(0);
  });

  it('refuses a bad setting with a message naming it', () => {
    const bad: [unknown, RegExp][] = [
      [[], /must be an object/],
      [{ dsp: { perSecond: -1 } }, /"dsp.perSecond" must be a number of at least 0/],
      [{ dsp: { burst: 0 } }, /"dsp.burst" must be an integer of at least 1/],
      [{ dsp: { burst: '5' } }, /"dsp.burst"/],
      [{ dataPlane: { concurrentStreams: 1.5 } }, /"dataPlane.concurrentStreams"/],
      [{ dsp: { perMinute: 5 } }, /unknown key "perMinute" \(known: perSecond, burst\)/],
      [{ catalog: {} }, /unknown key "catalog"/],
      [{ maxTrackedKeys: 0 }, /"maxTrackedKeys" must be a positive integer/],
    ];
    for (const [value, message] of bad) {
      expect(() => parseRateLimits(value, 'connector.json "rateLimits"'))
        .to.throw(ConfigError, message)
        .with.property('message')
        .that.includes('connector.json "rateLimits"');
    }
    expect(parseApplicationLimits(undefined, 'x')).to.deep.equal({
      perHourPerAddress: 120,
      perHourPerDid: 10,
    });
    expect(parseApplicationLimits({ applications: { perHourPerDid: 2 } }, 'x').perHourPerDid).to.equal(2);
    expect(() => parseApplicationLimits({ applications: { perDay: 2 } }, 'authority.json')).to.throw(
      ConfigError,
      /unknown key "perDay"/,
    );
    expect(() => parseApplicationLimits({ applications: { perHourPerDid: -2 } }, 'a')).to.throw(ConfigError);
  });
});
