// A short, fixed-seed run of the HTTP fuzzer (fuzz/http.ts): an authority and two connectors as child
// processes, a few hundred mutated DSP, management and data-plane requests, and no oracle violation
// allowed (no 5xx, no hang, a body on every error, both processes alive, nothing changed by a refused
// message). The longer run is `npm run fuzz -- http` (docs/fuzzing.md).
import { expect } from 'chai';
import { formatReport, runHttpFuzz, type HttpFuzzReport } from '../../fuzz/http.js';
import { HARDENING_FINDINGS } from '../../fuzz/http/known.js';
import { changes, judge, send, snapshot } from '../../fuzz/http/oracle.js';
import { startFuzzWorld, DATASET, type FuzzWorld } from '../../fuzz/http/world.js';
import { catalogOfferId, management, pid, waitForState } from '../dsp/helpers.js';

describe('fuzz: HTTP endpoints under mutated requests', function () {
  this.timeout(120_000);

  it('answers a fixed-seed run of a few hundred mutated requests without an oracle violation', async () => {
    const report: HttpFuzzReport = await runHttpFuzz({
      seconds: 15,
      count: 400,
      seed: 17,
      // The hardening fixes have landed: nothing is counted apart any more, a recurrence fails here.
      known: [],
    });
    const summary = formatReport(report).join('\n');
    expect(report.failures, summary).to.deep.equal([]);
    expect(report.requests, summary).to.be.greaterThan(100);
    for (const surface of ['dsp', 'management', 'dataplane'] as const) {
      expect(Object.keys(report.bySurface[surface]).length, `${surface}: ${summary}`).to.be.greaterThan(0);
    }
  });

  describe('the oracle', () => {
    let world: FuzzWorld;
    before(async () => {
      world = await startFuzzWorld();
    });
    after(async () => {
      await world?.close();
    });

    it('sees a process change state in its snapshot (what it compares around a refused message)', async () => {
      const before = await snapshot(world.provider, world.consumer);
      expect(changes(before, await snapshot(world.provider, world.consumer))).to.deep.equal([]);
      const { started } = world.fixtures;
      await management(world.provider).post(`/transfers/${pid(started.providerPid)}/suspend`, {
        reason: 'oracle check',
      });
      await waitForState(world.consumer, `/transfers/${pid(started.consumerPid)}`, 'SUSPENDED');
      const changed = changes(before, await snapshot(world.provider, world.consumer));
      expect(changed).to.include(`changed provider transfers ${started.providerPid}`);
      expect(changed).to.include(`changed consumer transfers ${started.consumerPid}`);
      expect(await world.repairFixtures()).to.deep.equal(['started']);
    });

    it('flags a bare 431 for oversized headers (fixed by the hardening work; the oracle still recognises it)', async () => {
      const req = {
        surface: 'dsp' as const,
        target: 'provider' as const,
        method: 'GET',
        path: '/.well-known/dspace-version',
        headers: { 'x-fuzz': 'h'.repeat(20_000) },
        mutations: ['oversized-header'],
      };
      const outcome = await send(world.provider.url, req);
      const kind = judge(req, outcome);
      if (outcome.status === 431 && (outcome.body ?? '') === '') {
        expect(kind).to.equal('bare-error');
        expect(HARDENING_FINDINGS.some((k) => k.matches(req, outcome, 'bare-error'))).to.equal(true);
      } else {
        // Fixed: an error with a body.
        expect(kind, JSON.stringify(outcome)).to.equal(undefined);
      }
    });

    it('flags a 500 for a lone surrogate in datasetId (fixed by the hardening work; the oracle still recognises it)', async () => {
      const body = JSON.stringify({
        counterPartyAddress: `${world.provider.url}/dsp`,
        counterPartyId: world.provider.did,
        datasetId: `${DATASET}\ud800`,
        offerId: catalogOfferId('open', DATASET),
      });
      const req = {
        surface: 'management' as const,
        target: 'consumer' as const,
        method: 'POST',
        path: '/management/v1/negotiations',
        headers: {
          authorization: `Bearer ${world.consumer.managementApiKey}`,
          'content-type': 'application/json',
        },
        body,
        mutations: ['odd-unicode'],
      };
      const outcome = await send(world.consumer.url, req);
      const kind = judge(req, outcome);
      if (outcome.status === 500) {
        expect(kind).to.equal('5xx');
        expect(HARDENING_FINDINGS.some((k) => k.matches(req, outcome, '5xx'))).to.equal(true);
      } else {
        expect(kind, JSON.stringify(outcome)).to.equal(undefined);
        expect(outcome.status).to.be.within(400, 499);
      }
    });
  });
});
