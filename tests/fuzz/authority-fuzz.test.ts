// A short, fixed-seed run of the authority fuzzer (fuzz/authority.ts): mutated requests against the
// authority's public and admin listeners and its federated catalog, with no oracle violation allowed (no 5xx,
// no hang, a JSON body on every error, nothing changed by a refused request). The longer run is
// `npm run fuzz -- authority` (docs/fuzzing.md).
import { expect } from 'chai';
import { formatAuthorityReport, judge, runAuthorityFuzz } from '../../fuzz/authority.js';

describe('fuzz: the authority under mutated requests', function () {
  this.timeout(120_000);

  it('answers a fixed-seed run of a few hundred mutated requests without an oracle violation', async () => {
    const report = await runAuthorityFuzz({ seconds: 15, count: 400, seed: 23 });
    const summary = formatAuthorityReport(report).join('\n');
    expect(report.failures, summary).to.deep.equal([]);
    expect(report.requests, summary).to.be.greaterThan(100);
    expect(report.byListener.public, summary).to.be.greaterThan(0);
    expect(report.byListener.admin, summary).to.be.greaterThan(0);
    expect(report.byStatus['4xx'] ?? 0, summary).to.be.greaterThan(0);
  });

  it('has an oracle that flags a 5xx, an HTML error page and a slow answer, and passes a problem+json 4xx', () => {
    const req = {
      listener: 'admin' as const,
      method: 'GET',
      path: '/authority/v1/admin/x',
      headers: {},
      mutations: [],
    };
    const problem = { status: 404, type: 'application/problem+json', body: '{"status":404}', ms: 3 };
    expect(judge(req, problem)).to.equal(undefined);
    expect(judge(req, { ...problem, status: 500 })).to.match(/^500/);
    expect(
      judge(req, { ...problem, type: 'text/html; charset=utf-8', body: '<pre>Cannot GET</pre>' }),
    ).to.match(/content-type "text\/html/);
    expect(judge(req, { ...problem, ms: 6_000 })).to.match(/after 6000 ms/);
  });
});
