// The seed data spaces: they load, every member's application passes the authority's validation, every
// asset and offer passes the connector's registry, sample data is reproducible, and the refusals the demo
// promises really happen (visibility through access policies, use through contract policies).
import { expect } from 'chai';
import { parseApplicationRequest } from '../../catalog/authority/validate.js';
import { compilePolicy, reasonOf } from '../../policies/index.js';
import { loadSeeds, type SeedMember } from '../../seeds/load.js';
import { seedClaims } from '../support/seed-catalogs.js';
import { openRegistry } from '../assets/helpers.js';

const ROOT = process.cwd();
const NEGOTIATION_DEFERRED = ['purpose', 'spatial', 'count', 'elapsedTime', 'meteredTime'];

describe('seeds: the four sector data spaces', function () {
  this.timeout(20_000);
  const members = loadSeeds(ROOT);
  const byKey = new Map(members.map((m) => [m.key, m]));
  const datasets = members.flatMap((m) => m.datasets.map((d) => ({ provider: m, ...d })));

  it('has members in all four sectors, with unique keys and valid applications', () => {
    expect([...new Set(members.map((m) => m.sector))].sort()).to.deep.equal([
      'education',
      'energy',
      'finance',
      'medical',
    ]);
    expect(members.length).to.be.greaterThanOrEqual(12);
    for (const m of members) expect(() => parseApplicationRequest(m.application), m.key).to.not.throw();
  });

  it('generates the same sample data on every load', () => {
    const again = loadSeeds(ROOT);
    const first = datasets[0]?.asset.dataAddress as { data: string };
    const second = again.flatMap((m) => m.datasets)[0]?.asset.dataAddress as { data: string };
    expect(first.data).to.equal(second.data);
    expect(first.data.split('\n').length).to.be.greaterThan(100);
  });

  it('every asset and offer is accepted by a connector registry, without lint errors', async () => {
    for (const member of members) {
      const registry = await openRegistry();
      try {
        for (const d of member.datasets) {
          await registry.store.createAsset(d.asset);
          for (const offer of d.offers) await registry.store.createOffer(offer);
        }
      } finally {
        await registry.close();
      }
    }
  });

  /** Can `asker` see / agree to the first offer of `datasetId`? Evaluated as provider connectors do. */
  async function access(
    askerKey: string,
    datasetId: string,
  ): Promise<{ sees: boolean; may: boolean; why: string }> {
    const asker = byKey.get(askerKey) as SeedMember;
    const dataset = datasets.find((d) => d.asset.id === datasetId);
    if (!dataset) throw new Error(`no dataset ${datasetId}`);
    const offer = dataset.offers[0];
    const claims = seedClaims(asker);
    const base = {
      assignee: claims.participantId as string,
      target: datasetId,
      claims,
      asset: { dataGrade: dataset.asset.dataGrade },
      time: '2026-11-27T10:00:00+08:00',
    };
    const sees = (await compilePolicy(offer?.accessPolicy)).policy.evaluate({ action: 'read', ...base });
    const may = (await compilePolicy(offer?.contractPolicy)).policy.evaluate({
      action: 'use',
      ...base,
      deferred: NEGOTIATION_DEFERRED,
    });
    return { sees: sees.decision === 'permit', may: may.decision === 'permit', why: reasonOf(may) };
  }

  it('lets the intended members use each sector’s data', async () => {
    expect(await access('research-hospital', 'urn:shuyu:dataset:medical:outpatient-visits-2025')).to.include({
      sees: true,
      may: true,
    });
    expect(await access('research-hospital', 'urn:shuyu:dataset:medical:diabetes-cohort-summary')).to.include(
      { sees: true, may: true },
    );
    expect(await access('commercial-insurer', 'urn:shuyu:dataset:medical:inpatient-claims-2025')).to.include({
      sees: true,
      may: true,
    });
    expect(await access('commercial-bank', 'urn:shuyu:dataset:finance:enterprise-credit-scores')).to.include({
      sees: true,
      may: true,
    });
    expect(await access('grid-company', 'urn:shuyu:dataset:energy:charging-sessions-2025')).to.include({
      sees: true,
      may: true,
    });
    expect(await access('university', 'urn:shuyu:dataset:education:school-enrolment-2020-2025')).to.include({
      sees: true,
      may: true,
    });
  });

  it('shows the refusals the demo promises, at least one per sector', async () => {
    // medical: the insurer sees the visits but may not use them, and does not see the cohort
    expect(await access('commercial-insurer', 'urn:shuyu:dataset:medical:outpatient-visits-2025')).to.include(
      { sees: true, may: false },
    );
    expect(
      (await access('commercial-insurer', 'urn:shuyu:dataset:medical:diabetes-cohort-summary')).sees,
    ).to.equal(false);
    // finance: the fintech firm sees the scores but is refused
    expect(await access('fintech', 'urn:shuyu:dataset:finance:enterprise-credit-scores')).to.include({
      sees: true,
      may: false,
    });
    // energy: the university sees the charging sessions (every member does) but may not use them
    expect(await access('university', 'urn:shuyu:dataset:energy:charging-sessions-2025')).to.include({
      sees: true,
      may: false,
    });
    // education: the ed-tech firm does not see the course completion records
    expect((await access('edtech', 'urn:shuyu:dataset:education:course-completion')).sees).to.equal(false);
  });
});
