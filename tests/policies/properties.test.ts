// The policy engine's properties (fuzz/policy-properties.ts) over a few thousand generated policies
// and requests each; `npm run fuzz -- policy` runs 100 000 per property.
import fc from 'fast-check';
import { policyProperties } from '../../fuzz/policy-properties.js';

const RUNS = 2000;

describe('policies: properties (fast-check)', function () {
  this.timeout(60_000);
  for (const { name, property } of policyProperties()) {
    it(name, () => {
      fc.assert(property, { numRuns: RUNS });
    });
  }
});
