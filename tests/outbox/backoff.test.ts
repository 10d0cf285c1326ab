import { expect } from 'chai';
import { backoffDelay } from '../../connector/outbox/index.js';

describe('outbox/backoff', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 };

  it('doubles from the base delay up to the cap', () => {
    const waits = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { ...options, jitter: 0 }));
    expect(waits).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
  });

  it('takes up to `jitter` of each wait off at random, so later waits are never shorter below the cap', () => {
    expect(backoffDelay(3, options, () => 0)).to.equal(400);
    expect(backoffDelay(3, options, () => 0.999999)).to.equal(200);
    let previousLongest = 0;
    for (let attempt = 1; attempt <= 4; attempt++) {
      const shortest = backoffDelay(attempt, options, () => 0.999999);
      const longest = backoffDelay(attempt, options, () => 0);
      expect(shortest).to.be.at.least(previousLongest);
      previousLongest = longest;
    }
  });
});
