// The Grafana dashboard (docker/grafana/shuyu-dashboard.json) and the metric list in docs/operations.md
// cannot rot: every metric the dashboard queries is in a real scrape of a connector or an authority, and
// every Shuyu metric a scrape shows is documented.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { startMember } from '../dsp/helpers.js';
import { scrape, type Scrape } from './prometheus.js';

const DASHBOARD = 'docker/grafana/shuyu-dashboard.json';

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { uid: string };
  readonly targets?: readonly { expr: string }[];
}

/** The metric names a PromQL expression selects (every selector in ours has braces). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!);
}

describe('metrics: the Grafana dashboard and the documented list match real scrapes', function () {
  this.timeout(30_000);
  let space: LocalDataSpace;
  let connector: ControlPlaneConnector;
  let scrapes: Scrape[];
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Panel[];
    templating: { list: { query: { query: string } }[] };
    __inputs: { name: string }[];
  };

  before(async () => {
    space = await startLocalDataSpace();
    connector = await startMember(space, 'member', hospitalApplication());
    await space.authority.federation.crawlNow(); // crawl status per member exists after a crawl
    scrapes = [
      await scrape(`${connector.managementUrl}/metrics`, connector.managementApiKey),
      await scrape(`${space.authority.admin.url}/authority/v1/admin/metrics`, space.adminKey),
    ];
  });
  after(async () => space?.close());

  it('queries only metrics a real /metrics scrape has samples of', () => {
    const sampled = new Set(scrapes.flatMap((s) => s.samples.map((x) => x.name)));
    const used = new Set<string>();
    const queries = dashboard.panels.filter((p) => p.type !== 'row');
    expect(queries.length).to.be.greaterThan(10);
    for (const panel of queries) {
      expect(panel.targets?.length ?? 0, panel.title).to.be.greaterThan(0);
      expect(panel.datasource?.uid, panel.title).to.equal('${DS_PROMETHEUS}');
      for (const target of panel.targets ?? []) {
        const names = metricNames(target.expr);
        expect(names.length, `${panel.title}: ${target.expr}`).to.be.greaterThan(0);
        for (const name of names) used.add(name);
      }
    }
    for (const variable of dashboard.templating.list) {
      for (const name of metricNames(variable.query.query.replace(/label_values\((\w+),/, '$1{},')))
        used.add(name);
    }
    const missing = [...used].filter((name) => !sampled.has(name));
    expect(missing, 'metrics the dashboard uses but no scrape shows').to.deep.equal([]);
    // The dashboard covers each area: HTTP, processes, outbox, evidence, identity, limits, authority, catalog.
    for (const prefix of [
      'shuyu_http_',
      'shuyu_negotiations',
      'shuyu_transfers',
      'shuyu_outbox_',
      'shuyu_evidence_',
      'shuyu_dcp_',
      'shuyu_claims_cache_',
      'shuyu_rate_limited_',
      'shuyu_authority_',
      'shuyu_catalog_crawl_',
      'shuyu_catalog_index_',
      'shuyu_catalog_search_',
      'process_',
    ]) {
      expect(
        [...used].some((n) => n.startsWith(prefix)),
        prefix,
      ).to.equal(true);
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).to.equal(dashboard.panels.length);
    expect(dashboard.__inputs.map((i) => i.name)).to.deep.equal(['DS_PROMETHEUS']);
  });

  it('documents every Shuyu metric a scrape shows in docs/operations.md', () => {
    const docs = readFileSync('docs/operations.md', 'utf8');
    const families = new Set(scrapes.flatMap((s) => [...s.families].filter((f) => f.startsWith('shuyu_'))));
    expect(families.size).to.be.greaterThan(20);
    const undocumented = [...families].filter((f) => !docs.includes(`\`${f}\``));
    expect(undocumented).to.deep.equal([]);
  });
});
