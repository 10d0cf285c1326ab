// The DCAT-AP harvest views over real HTTP: two seed members' connectors (their seed datasets and one
// dataset open to anyone) onboarded at a real authority, whose federated catalog crawls them. Each
// view, as a caller gets it, is expanded to RDF with the bundled contexts only (jsonld safe mode, no
// event allowed) and validated against the unmodified DCAT-AP 3.0 shapes: 0 violations, no exception
// (the DSP views keep two per DataService: docs/catalog-metadata.md).
import { expect } from 'chai';
import type SHACLValidator from 'rdf-validate-shacl';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { loadSeeds, type SeedMember } from '../../seeds/load.js';
import {
  ACCESS,
  asset,
  publish,
  request,
  startFederationSpace,
  type FederationSpace,
} from '../federation/helpers.js';
import { ROOT, shapesValidator, summary, toRdf, violations } from './dcat-ap-shacl.js';

const OPEN = 'urn:ds:open-bed-occupancy';
const JSON_LD = /^application\/ld\+json/;

type Doc = Record<string, unknown>;
const list = (value: unknown): Doc[] => (value === undefined ? [] : ([value].flat() as Doc[]));
/** The datasets of a harvest document, nested catalogs included. */
const datasetIds = (catalog: Doc): string[] =>
  [
    ...list(catalog['dcat:dataset']).map((d) => String(d['@id'])),
    ...list(catalog['dcat:catalog']).flatMap(datasetIds),
  ].sort();

describe('conformance: the DCAT-AP harvest views over HTTP (connector and federation)', function () {
  this.timeout(120_000);
  let validator: SHACLValidator | undefined;
  let space: FederationSpace | undefined;
  let hospital: ControlPlaneConnector;
  let institute: ControlPlaneConnector;
  const checked: Record<string, number> = {};

  before(async function () {
    validator = shapesValidator();
    space = await startFederationSpace();
    const seeds = loadSeeds(ROOT);
    const seed = (key: string): SeedMember => {
      const member = seeds.find((m) => m.key === key);
      if (member === undefined) throw new Error(`no seed member ${key}`);
      return member;
    };
    const members = [seed('research-hospital'), seed('medical-research-institute')];
    [hospital, institute] = (await Promise.all(
      members.map((m) => space?.member(m.key, { ...m.application })),
    )) as [ControlPlaneConnector, ControlPlaneConnector];
    for (const [i, connector] of [hospital, institute].entries()) {
      const datasets = members[i]?.datasets ?? [];
      await publish(
        connector,
        datasets.map((d) => d.asset as unknown as Record<string, unknown>),
        datasets.flatMap((d) => d.offers as unknown as Record<string, unknown>[]),
      );
    }
    await publish(
      hospital,
      [asset(OPEN, hospital.did, { title: 'Hospital bed occupancy', contact: 'data-office@example.org' })],
      [
        {
          id: 'open-stats',
          assetSelector: { assetIds: [OPEN] },
          accessPolicy: ACCESS.open,
          contractPolicy: { '@type': 'Offer', permission: [{ action: 'use' }] },
        },
      ],
    );
    const crawl = await request(`${space.authority.url}/catalog/v1/crawl?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${space.adminKey}` },
    });
    expect(crawl.status, JSON.stringify(crawl.body)).to.equal(200);
  });

  after(async () => {
    console.log(`      harvest-view violations: ${JSON.stringify(checked)}`);
    await space?.close();
  });

  /** The view's RDF: nothing dropped by expansion, and no DCAT-AP violation at all. */
  async function expectValid(label: string, doc: Doc): Promise<void> {
    const { quads, events } = await toRdf(doc as never);
    expect(events, `${label}: jsonld events (dropped terms or values)`).to.deep.equal([]);
    if (validator === undefined) expect.fail('no validator');
    const found = await violations(validator, quads);
    checked[label] = found.length;
    if (found.length > 0) expect.fail(`${label}: ${found.length} DCAT-AP violations\n${summary(found)}`);
  }

  it('a connector: anonymous callers see the open dataset only, a member with a token its DSP view', async () => {
    const url = `${hospital.url}/catalog/dcat-ap`;
    const anonymous = await request(url);
    expect(anonymous.status, JSON.stringify(anonymous.body)).to.equal(200);
    expect(anonymous.headers.get('content-type')).to.match(JSON_LD);
    expect(anonymous.body['@context']).to.equal('https://w3id.org/shuyu/v1/dcat-ap.jsonld');
    expect(datasetIds(anonymous.body)).to.deep.equal([OPEN]);
    const service = list(anonymous.body['dcat:service'])[0] ?? {};
    expect(service['dcat:endpointURL']).to.deep.include({ '@id': `${hospital.url}/dsp` });
    await expectValid('connector, anonymous', anonymous.body);

    const auth = async (): Promise<Record<string, string>> => ({
      authorization: `Bearer ${await institute.requestTokenFor(hospital.did)}`,
    });
    const member = await request(url, { headers: await auth() });
    expect(member.status, JSON.stringify(member.body)).to.equal(200);
    const dsp = await request(`${hospital.url}/dsp/catalog/request`, {
      method: 'POST',
      headers: { ...(await auth()), 'content-type': 'application/json' },
      body: JSON.stringify({
        '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
        '@type': 'CatalogRequestMessage',
      }),
    });
    expect(dsp.status, JSON.stringify(dsp.body)).to.equal(200);
    const dspIds = list(dsp.body.dataset)
      .map((d) => String(d['@id']))
      .sort();
    expect(dspIds.length, 'the member sees more than anonymous callers').to.be.greaterThan(1);
    expect(datasetIds(member.body)).to.deep.equal(dspIds);
    await expectValid('connector, member', member.body);
  });

  it('a connector refuses a bad token, a bad limit and a non-JSON-LD Accept without a 500', async () => {
    const url = `${hospital.url}/catalog/dcat-ap`;
    const badToken = await request(url, { headers: { authorization: 'Bearer not-a-token' } });
    expect(badToken.status).to.equal(401);
    expect((await request(`${url}?limit=0`)).status).to.equal(400);
    expect((await request(`${url}?cursor=nonsense`)).status).to.equal(400);
    expect((await request(url, { headers: { accept: 'text/turtle' } })).status).to.equal(406);
  });

  it('the federation after a crawl: anonymous callers the open dataset, an admin every member’s', async () => {
    if (space === undefined) expect.fail('no data space');
    const anonymous = await space.catalog('/dcat-ap');
    expect(anonymous.status, JSON.stringify(anonymous.body)).to.equal(200);
    expect(anonymous.headers.get('content-type')).to.match(JSON_LD);
    expect(datasetIds(anonymous.body)).to.deep.equal([OPEN]);
    await expectValid('federation, anonymous', anonymous.body);

    const admin = await space.catalog('/dcat-ap', 'admin');
    expect(admin.status, JSON.stringify(admin.body)).to.equal(200);
    const published = [hospital, institute].map((c) => c.did);
    expect(list(admin.body['dcat:catalog']).map((c) => list(c['dct:publisher'])[0]?.['@id'])).to.have.members(
      published,
    );
    expect(datasetIds(admin.body).length).to.be.greaterThan(2);
    await expectValid('federation, admin', admin.body);
  });
});
