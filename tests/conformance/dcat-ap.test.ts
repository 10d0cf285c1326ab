// DCAT-AP 3.0: the catalogs every seed connector publishes, and the federation's view of all of them,
// expanded to RDF with the bundled contexts only (jsonld safe mode, no warning allowed) and validated
// against the unmodified DCAT-AP 3.0.0 SHACL shapes (../shared/spec/dcat-ap). The shapes need no EU
// vocabulary loaded: Shuyu types the controlled-vocabulary nodes it uses (media types, licences,
// locations, themes, languages) in its own output (docs/catalog-metadata.md).
import { expect } from 'chai';
import type { Store } from 'n3';
import type SHACLValidator from 'rdf-validate-shacl';
import { harvestCatalog } from '../../connector/assets/index.js';
import { validateDspMessage, type JsonObject } from '../../connector/dsp/messages/index.js';
import { federatedCatalog } from '../../catalog/federation/index.js';
import { seedCatalogs, type SeedCatalog } from '../support/seed-catalogs.js';
import {
  DCAT,
  RDF_TYPE,
  ROOT,
  shapesValidator,
  summary,
  toRdf,
  violations,
  type Violation,
} from './dcat-ap-shacl.js';

const AUTHORITY = 'did:web:authority.example';

/** The federation's DSP catalog of all seed members, from the datasets their catalogs publish. */
function federationView(catalogs: readonly SeedCatalog[]): JsonObject {
  const rows = catalogs.flatMap((c) =>
    ((c.document.dataset ?? []) as JsonObject[]).map((dataset) => {
      const { hasPolicy, ...rest } = dataset;
      return {
        providerDid: c.did,
        connectorUrl: c.endpointURL,
        dataset: rest,
        offers: hasPolicy as JsonObject[],
      };
    }),
  );
  return JSON.parse(
    JSON.stringify(
      federatedCatalog({
        participantId: AUTHORITY,
        endpointURL: 'https://authority.example/catalog/dsp',
        rows,
      }),
    ),
  ) as JsonObject;
}

/**
 * The one conflict DSP 2025-1 leaves no way around: its context defines a DataService's `endpointURL`
 * without type coercion and its schema requires it as a string, so it always expands to a literal,
 * where DCAT-AP wants an IRI (node kind and class rdfs:Resource). Counted apart, and only exactly
 * that: the literal value of dcat:endpointURL on a dcat:DataService.
 */
function isDspEndpointLiteral(v: Violation): boolean {
  return (
    v.path === 'dcat:endpointURL' &&
    v.literal &&
    (v.shape === 'sh:NodeKindConstraintComponent' || v.shape === 'sh:ClassConstraintComponent')
  );
}

/** DataServices with a literal dcat:endpointURL: each accounts for two such violations, no more. */
function dspEndpointLiterals(data: Store): number {
  let n = 0;
  for (const q of data.match(null, { termType: 'NamedNode', value: `${DCAT}endpointURL` } as never, null)) {
    const isService = data.has({
      subject: q.subject,
      predicate: { termType: 'NamedNode', value: RDF_TYPE },
      object: { termType: 'NamedNode', value: `${DCAT}DataService` },
      graph: q.graph,
    } as never);
    if (q.object.termType === 'Literal' && isService) n += 1;
  }
  return n;
}

describe('conformance: DCAT-AP 3.0 (SHACL) for the seed catalogs and the federation', function () {
  this.timeout(120_000);
  let validator: SHACLValidator | undefined;
  let catalogs: SeedCatalog[];
  let dspConflicts = 0;

  after(() => {
    if (dspConflicts > 0)
      console.log(`      DCAT-AP violations DSP 2025-1 mandates (literal dcat:endpointURL): ${dspConflicts}`);
  });

  before(async function () {
    validator = shapesValidator();
    catalogs = await seedCatalogs(ROOT);
  });

  /**
   * The DSP schema holds, jsonld drops nothing, and the DCAT-AP violations (printed when any), the
   * DSP endpoint literals apart (exactly two per DataService, checked here).
   */
  async function check(label: string, doc: JsonObject): Promise<Violation[]> {
    expect(validateDspMessage('Catalog', doc), `${label}: the DSP 2025-1 Catalog schema`).to.deep.equal([]);
    const { quads, events } = await toRdf(doc);
    expect(events, `${label}: jsonld events (dropped terms or values)`).to.deep.equal([]);
    if (validator === undefined) expect.fail('no validator');
    const found = await violations(validator, quads);
    const dsp = found.filter(isDspEndpointLiteral);
    expect(dsp.length, `${label}: DSP endpointURL literals`).to.equal(2 * dspEndpointLiterals(quads));
    dspConflicts += dsp.length;
    return found.filter((v) => !isDspEndpointLiteral(v));
  }

  /** A harvest view: jsonld drops nothing and the shapes find nothing at all, endpointURL included. */
  async function checkHarvest(label: string, doc: JsonObject): Promise<Violation[]> {
    const { quads, events } = await toRdf(doc);
    expect(events, `${label}: jsonld events (dropped terms or values)`).to.deep.equal([]);
    const endpoints = quads.match(
      null,
      { termType: 'NamedNode', value: `${DCAT}endpointURL` } as never,
      null,
    );
    expect(endpoints.size, `${label}: DataServices`).to.be.greaterThan(0);
    expect(
      [...endpoints].every((q) => q.object.termType === 'NamedNode'),
      `${label}: every dcat:endpointURL an IRI`,
    ).to.equal(true);
    if (validator === undefined) expect.fail('no validator');
    const found = await violations(validator, quads);
    expectNone(`${label} (harvest view)`, found);
    return found;
  }

  function expectNone(label: string, found: readonly Violation[]): void {
    if (found.length > 0) expect.fail(`${label}: ${found.length} DCAT-AP violations\n${summary(found)}`);
  }

  it('the checks catch what they are for: a literal publisher, a media-type string, a catalog without title', async () => {
    if (validator === undefined) expect.fail('no validator');
    const { quads } = await toRdf({
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@id': 'urn:test:catalog',
      '@type': 'Catalog',
      participantId: 'did:web:x.example',
      dataset: [
        {
          '@id': 'urn:test:dataset',
          '@type': 'Dataset',
          'dct:title': 'T',
          'dct:description': 'D',
          'dct:publisher': 'Some organisation',
          hasPolicy: [{ '@id': 'urn:test:offer', '@type': 'Offer', permission: [{ action: 'use' }] }],
          distribution: [
            { '@type': 'Distribution', format: 'dspace:HttpData-PULL', 'dcat:mediaType': 'text/csv' },
          ],
        },
      ],
    } as JsonObject);
    const paths = new Set((await violations(validator, quads)).map((v) => `${v.path} ${v.shape}`));
    // A term the bundled contexts do not define is dropped by expansion: safe mode reports it.
    const dropped = await toRdf({
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@id': 'urn:test:catalog',
      '@type': 'Catalog',
      title: 'a bare term',
    } as JsonObject).then(
      ({ events }) => events.join('\n'),
      (e: Error) => e.message,
    );
    expect(dropped).to.match(/safe mode|invalid property/i);
    for (const expected of [
      'dct:title sh:MinCountConstraintComponent',
      'dct:publisher sh:NodeKindConstraintComponent',
      'dcat:mediaType sh:NodeKindConstraintComponent',
      'dcat:accessURL sh:MinCountConstraintComponent',
    ])
      expect(paths, expected).to.include(expected);
  });

  it('every seed connector’s catalog', async () => {
    expect(catalogs.length).to.be.greaterThan(0);
    const found: Violation[] = [];
    for (const c of catalogs) found.push(...(await check(c.member.key, c.document)));
    expectNone(`${catalogs.length} seed catalogs`, found);
  });

  it('the federation’s catalog of all seed members', async () => {
    const view = federationView(catalogs);
    expect((view.catalog as JsonObject[]).length).to.equal(catalogs.filter((c) => c.document.dataset).length);
    expectNone('federation', await check('federation', view));
  });

  it('the harvest view of every seed catalog and of the federation: 0 violations, no exception', async () => {
    let found = 0;
    for (const c of catalogs) found += (await checkHarvest(c.member.key, harvestCatalog(c.document))).length;
    found += (await checkHarvest('federation', harvestCatalog(federationView(catalogs)))).length;
    expect(found).to.equal(0);
  });
});
